"""Email through a real aiosmtpd server on loopback: MIME shape, TLS modes, AUTH, SMTP replies."""

import asyncio
import logging
import socket
import ssl
from email.message import EmailMessage
from pathlib import Path

import pytest
import trustme

from service.channels.config import SmtpConfig, TlsMode
from service.channels.email import SmtpPublisher, message_id
from service.channels.model import ChannelName, Message, Outcome, Receipt
from tests.channels.mailserver import Credentials, Recorder, free_port, smtp_server
from tests.channels.support import ZH_TITLE, make_message

TO = "zhang.wei@customer.example.cn"
UNSUBSCRIBE = "https://status.example.com/unsubscribe?t=opaque-token-xyz"

# TLS connections here can end with a socket left to the garbage collector, on either side, by
# timing alone; the suite turns that ResourceWarning into an error, so it is ignored in this
# module (and nowhere else). Client side: aiosmtplib closes a TLS connection without awaiting the
# close_notify exchange, and each test runs the publisher under its own asyncio.run, which closes
# the loop at once (measured: 5 of 480 STARTTLS sends under load, every one a client SSLProtocol
# transport of a closed loop); the delivery worker's loop outlives its sends. Server side: the
# aiosmtpd controller stops its loop with an implicit-TLS connection still closing, which leaves
# the accepted socket itself (seen once in CI, in test_implicit_tls).
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <function _SelectorTransport.__del__"
        ":pytest.PytestUnraisableExceptionWarning"
    ),
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"
    ),
]


def publish(config: SmtpConfig, message: Message) -> Receipt:
    return asyncio.run(SmtpPublisher(config).publish(message))


def smtp_config(port: int, tls_mode: TlsMode = "none", **kwargs: object) -> SmtpConfig:
    return SmtpConfig(
        host="127.0.0.1",
        port=port,
        tls_mode=tls_mode,
        from_address="status@herald.example",
        from_name="Herald 状态通知",
        timeout_s=5,
        **kwargs,  # type: ignore[arg-type]
    )


def email_message(**kwargs: object) -> Message:
    return make_message(ChannelName.email, TO, unsubscribe_url=UNSUBSCRIBE, **kwargs)  # type: ignore[arg-type]


def parts(mail: EmailMessage) -> tuple[str, str]:
    plain = mail.get_body(preferencelist=("plain",))
    rich = mail.get_body(preferencelist=("html",))
    assert plain is not None
    assert rich is not None
    return str(plain.get_content()), str(rich.get_content())


def test_plain_smtp_delivery_and_mime_shape(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="service")
    recorder = Recorder()
    body = '处理中 <script>alert("x")</script> & 更多\n第二行\n\n新段落'
    with smtp_server(recorder) as server:
        receipt = publish(smtp_config(server.port), email_message(body=body))
    assert receipt.outcome == Outcome.delivered, receipt
    assert len(recorder.received) == 1
    got = recorder.received[0]
    assert got.mail_from == "status@herald.example"
    assert got.rcpt_tos == [TO]
    mail = got.message
    assert mail.get_content_type() == "multipart/alternative"
    assert str(mail["Subject"]) == ZH_TITLE
    assert b"=?utf-8?" in got.data  # the zh subject travels RFC 2047-encoded
    assert mail["Message-ID"] == message_id("upd-1:channel:recipient-1", "herald.example")
    assert receipt.provider_message_id == mail["Message-ID"]
    assert mail["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Content-Language"] == "zh-CN"
    assert mail["Auto-Submitted"] == "auto-generated"
    plain, rich = parts(mail)
    assert body in plain
    assert "查看状态页: https://status.example.com/incidents/inc-1" in plain
    assert UNSUBSCRIBE in plain
    assert "<script>" not in rich
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 更多<br>第二行" in rich
    assert '<a href="https://status.example.com/incidents/inc-1">查看状态页</a>' in rich
    assert TO not in caplog.text


def test_message_id_is_stable_per_idempotency_key() -> None:
    recorder = Recorder()
    with smtp_server(recorder) as server:
        config = smtp_config(server.port)
        publish(config, email_message())
        publish(config, email_message())
        publish(config, email_message(key="upd-2:email:recipient-1"))
    ids = [r.message["Message-ID"] for r in recorder.received]
    assert ids[0] == ids[1] != ids[2]


def test_no_unsubscribe_header_without_a_url_and_javascript_links_stay_text() -> None:
    recorder = Recorder()
    message = make_message(
        ChannelName.email, TO, language="en", status_page_url="javascript:alert(1)"
    )
    with smtp_server(recorder) as server:
        receipt = publish(smtp_config(server.port), message)
    assert receipt.outcome == Outcome.delivered
    mail = recorder.received[0].message
    assert "List-Unsubscribe" not in mail
    assert mail["Content-Language"] == "en"
    _, rich = parts(mail)
    assert "<a " not in rich
    assert "Status page: javascript:alert(1)" in rich


@pytest.mark.parametrize(
    ("rcpt", "data", "outcome", "code"),
    [
        ("450 4.2.1 Mailbox busy, try later", None, Outcome.retry, 450),
        (None, "451 4.3.0 Temporary local problem", Outcome.retry, 451),
        ("550 5.1.1 No such user here", None, Outcome.failed, 550),
        (None, "554 5.6.0 Message rejected", Outcome.failed, 554),
    ],
)
def test_smtp_replies_are_classified(
    rcpt: str | None, data: str | None, outcome: Outcome, code: int
) -> None:
    recorder = Recorder(rcpt_reply=rcpt, data_reply=data)
    with smtp_server(recorder) as server:
        receipt = publish(smtp_config(server.port), email_message())
    assert receipt.outcome == outcome
    assert receipt.status_code == code
    assert TO not in receipt.detail
    assert recorder.received == []


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


def test_starttls_with_auth(ca: trustme.CA, ca_file: Path) -> None:
    recorder = Recorder()
    credentials = Credentials("herald", "s3cret-pass")
    with smtp_server(recorder, starttls=server_context(ca), credentials=credentials) as server:
        config = smtp_config(
            server.port, "starttls", ca_file=ca_file, username="herald", password="s3cret-pass"
        )
        receipt = publish(config, email_message())
    assert receipt.outcome == Outcome.delivered, receipt
    assert credentials.attempts == 1
    assert len(recorder.received) == 1


def test_wrong_password_fails(ca: trustme.CA, ca_file: Path) -> None:
    credentials = Credentials("herald", "s3cret-pass")
    with smtp_server(Recorder(), starttls=server_context(ca), credentials=credentials) as server:
        config = smtp_config(
            server.port, "starttls", ca_file=ca_file, username="herald", password="wrong-pass"
        )
        receipt = publish(config, email_message())
    assert receipt.outcome == Outcome.failed
    assert receipt.status_code == 535
    assert "wrong-pass" not in receipt.detail


def test_implicit_tls(ca: trustme.CA, ca_file: Path) -> None:
    recorder = Recorder()
    with smtp_server(recorder, implicit_tls=server_context(ca)) as server:
        receipt = publish(smtp_config(server.port, "tls", ca_file=ca_file), email_message())
    assert receipt.outcome == Outcome.delivered, receipt
    assert len(recorder.received) == 1


def test_untrusted_certificate_fails(ca: trustme.CA) -> None:
    with smtp_server(Recorder(), implicit_tls=server_context(ca)) as server:
        receipt = publish(smtp_config(server.port, "tls"), email_message())
    assert receipt.outcome == Outcome.failed
    assert receipt.detail == "SMTP TLS handshake failed"


def test_starttls_required_but_not_offered_fails() -> None:
    with smtp_server(Recorder()) as server:
        receipt = publish(smtp_config(server.port, "starttls"), email_message())
    assert receipt.outcome == Outcome.failed


def test_refused_connection_is_retried() -> None:
    receipt = publish(smtp_config(free_port()), email_message())
    assert receipt.outcome == Outcome.retry


def test_server_that_never_greets_is_retried() -> None:
    with socket.socket() as silent:  # accepts TCP (backlog) but never says 220
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        config = smtp_config(silent.getsockname()[1]).model_copy(update={"timeout_s": 0.5})
        receipt = publish(config, email_message())
    assert receipt.outcome == Outcome.retry
    assert receipt.detail == "SMTP timeout"


@pytest.mark.parametrize(
    "address", ["not an email", "a@b.example\r\nBcc: x@y.example", "<a@b.example>", ""]
)
def test_malformed_recipient_fails_without_connecting(address: str) -> None:
    receipt = publish(smtp_config(free_port()), make_message(ChannelName.email, address))
    assert receipt.outcome == Outcome.failed
    assert receipt.detail == "recipient is not a valid email address"


def test_auth_without_tls_is_refused_by_the_server_and_fails() -> None:
    credentials = Credentials("herald", "s3cret-pass")
    with smtp_server(Recorder(), credentials=credentials) as server:
        config = smtp_config(server.port, username="herald", password="s3cret-pass")
        receipt = publish(config, email_message())
    assert receipt.outcome == Outcome.failed
    assert credentials.attempts == 0


def test_from_address_is_validated() -> None:
    with pytest.raises(ValueError, match="single addr-spec"):
        SmtpConfig(from_address="Herald <status@example.com>")
