"""Subscribers end to end on both databases, through real servers on loopback: an aiosmtpd SMTP
server for email, a stdlib HTTP receiver as the SMS provider and as the subscriber's webhook."""

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.channels.config import ChannelsConfig, SmsConfig, SmtpConfig
from service.channels.webhook import verify_signature
from service.config import Settings
from service.domain.enums import Role
from tests.channels.mailserver import Received, Recorder, smtp_server
from tests.channels.receiver import Captured, Receiver, json_reply
from tests.conftest import Tokens
from tests.statuspage import flow

EMAIL = "Reader.One@Example.COM"
PHONE = "+8613800138000"
WEBHOOK_SECRET = "subscriber-signing-secret"
TOKEN = re.compile(r"token=([A-Za-z0-9_-]+)")


@dataclass
class Rig:
    client: TestClient
    settings: Settings
    mail: Recorder
    sms: Receiver
    hook: Receiver

    def worker(self, rounds: int = 1) -> list[int]:
        return flow.run_worker(self.settings, rounds)

    def subscribe(self, **body: Any) -> Any:
        return self.client.post("/v1/public/subscribers", json=body)


@pytest.fixture
def rig(db_url: str) -> Iterator[Rig]:
    mail = Recorder()
    ok = json_reply({"id": "provider-1"})
    with (
        smtp_server(mail) as smtp,
        Receiver(lambda _: ok) as sms,
        Receiver(lambda _: ok) as hook,
    ):
        settings = Settings(
            database_url=db_url,
            worker_in_process=False,
            public_url="http://testserver",
            subscriber_webhook_private_ok=True,
            channels=ChannelsConfig(
                smtp=SmtpConfig(host=smtp.hostname, port=smtp.port, tls_mode="none"),
                sms=SmsConfig(url=f"{sms.base}/send"),
            ),
        )
        with TestClient(create_app(settings)) as client:
            yield Rig(client, settings, mail, sms, hook)


def _link_token(text: str) -> str:
    match = TOKEN.search(text)
    assert match, text
    return match.group(1)


def _plain(received: Received) -> str:
    part = received.message.get_body(("plain",))
    assert part is not None
    text: str = part.get_content()
    return text


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _confirm_email(rig: Rig, address: str = EMAIL, **extra: Any) -> None:
    before = len(rig.mail.received)
    accepted = rig.subscribe(kind="email", address=address, **extra)
    assert accepted.status_code == 202, accepted.text
    rig.worker()
    [confirmation] = rig.mail.received[before:]
    token = _link_token(_plain(confirmation))
    assert rig.client.get(f"/v1/public/subscribers/confirm?token={token}").json()["state"] == (
        "confirmed"
    )


def test_email_subscriber_gets_each_update_once_until_unsubscribed(
    rig: Rig, tokens: Tokens
) -> None:
    client = rig.client
    accepted = rig.subscribe(kind="email", address=EMAIL, language="zh")
    assert accepted.status_code == 202
    assert "Reader.One" not in accepted.text  # masked in the answer too
    item = flow.incident(client, tokens)
    flow.published(client, tokens, item["id"])
    assert rig.worker() == [1]  # only the confirmation: a pending subscriber gets no updates
    [confirmation] = rig.mail.received
    assert confirmation.rcpt_tos == ["Reader.One@example.com"]
    assert "List-Unsubscribe" not in confirmation.message
    token = _link_token(_plain(confirmation))
    page = client.get(
        f"/v1/public/subscribers/confirm?token={token}", headers={"Accept": "text/html"}
    )
    assert page.status_code == 200
    assert "订阅已确认" in page.text
    again = client.get(f"/v1/public/subscribers/confirm?token={token}")
    assert again.status_code == 404  # single use

    result = flow.published(client, tokens, item["id"])
    assert rig.worker(rounds=2) == [1, 0]
    [update] = rig.mail.received[1:]
    zh_email = next(
        r
        for r in result["draft"]["revision"]["renditions"]
        if (r["channel"], r["language"]) == ("email", "zh")
    )
    assert update.message["Subject"] == zh_email["title"]
    assert zh_email["body"].split("\n")[0] in _plain(update)
    unsubscribe = update.message["List-Unsubscribe"].strip("<>")
    assert update.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.startswith("http://testserver/v1/public/subscribers/unsubscribe?token=")

    one_click = client.post(_path(unsubscribe), content=b"List-Unsubscribe=One-Click")
    assert one_click.status_code == 200
    assert one_click.json()["state"] == "unsubscribed"
    assert client.post(_path(unsubscribe)).status_code == 200  # repeating is harmless
    flow.published(client, tokens, item["id"])
    assert rig.worker() == [0]
    assert len(rig.mail.received) == 2


def test_subscribers_get_only_their_components(rig: Rig, tokens: Tokens) -> None:
    client = rig.client
    login = flow.component(client, tokens, "Login")
    search = flow.component(client, tokens, "Search")
    _confirm_email(rig, "login-fan@example.com", component_ids=[login])
    _confirm_email(rig, "search-fan@example.com", component_ids=[search])
    _confirm_email(rig, "everything@example.com")
    sent = len(rig.mail.received)
    item = flow.incident(client, tokens, component_ids=[login])
    published = flow.published(client, tokens, item["id"])
    assert published["deliveries"] == 2
    rig.worker()
    recipients = sorted(r.rcpt_tos[0] for r in rig.mail.received[sent:])
    assert recipients == ["everything@example.com", "login-fan@example.com"]


def test_repeated_subscribe_sends_one_confirmation(rig: Rig, tokens: Tokens) -> None:
    for _ in range(3):
        assert rig.subscribe(kind="email", address=EMAIL).status_code == 202
    rig.worker()
    assert len(rig.mail.received) == 1
    listed = rig.client.get("/v1/subscribers", headers=tokens.auth(Role.comms_lead))
    assert listed.status_code == 200
    [row] = listed.json()
    assert row["address"] == "R***@example.com"
    assert row["state"] == "pending"
    assert "Reader.One" not in listed.text


def test_sms_subscriber_confirms_with_a_code(rig: Rig, tokens: Tokens) -> None:
    client = rig.client
    assert rig.subscribe(kind="sms", address="+86 138-0013-8000", language="en").status_code == 202
    rig.worker()
    confirmation = rig.sms.only.json()
    assert confirmation["to"] == PHONE
    code = re.search(r"\b(\d{6})\b", confirmation["text"])
    assert code, confirmation["text"]
    wrong = "000000" if code.group(1) != "000000" else "111111"
    refused = client.post("/v1/public/subscribers/confirm", json={"address": PHONE, "code": wrong})
    assert refused.status_code == 422
    confirmed = client.post(
        "/v1/public/subscribers/confirm", json={"address": PHONE, "code": code.group(1)}
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["state"] == "confirmed"

    item = flow.incident(client, tokens)
    result = flow.published(client, tokens, item["id"])
    rig.worker()
    sms = [r.json() for r in rig.sms.requests[1:]]
    en_sms = next(
        r
        for r in result["draft"]["revision"]["renditions"]
        if (r["channel"], r["language"]) == ("sms", "en")
    )
    assert sms == [{"to": PHONE, "text": en_sms["body"], "from": "Herald", "ref": sms[0]["ref"]}]


def test_wrong_sms_codes_run_out(rig: Rig) -> None:
    rig.subscribe(kind="sms", address=PHONE)
    rig.worker()
    text = rig.sms.only.json()["text"]
    code = re.search(r"\b(\d{6})\b", text)
    assert code
    wrong = f"{(int(code.group(1)) + 1) % 1_000_000:06d}"
    answers = [
        rig.client.post(
            "/v1/public/subscribers/confirm", json={"address": PHONE, "code": wrong}
        ).status_code
        for _ in range(6)
    ]
    assert answers == [422] * 5 + [409]
    late = rig.client.post(
        "/v1/public/subscribers/confirm", json={"address": PHONE, "code": code.group(1)}
    )
    assert late.status_code == 409  # even the right code, once the tries are spent


def test_webhook_subscriber_gets_a_signed_ping_then_signed_updates(
    rig: Rig, tokens: Tokens
) -> None:
    client = rig.client
    url = f"{rig.hook.base}/status-hook"
    accepted = rig.subscribe(kind="webhook", address=url, secret=WEBHOOK_SECRET)
    assert accepted.status_code == 202, accepted.text
    rig.worker()
    ping = rig.hook.only
    _verify(ping)
    token = _link_token(ping.json()["body"])
    assert client.get(f"/v1/public/subscribers/confirm?token={token}").status_code == 200

    item = flow.incident(client, tokens)
    result = flow.published(client, tokens, item["id"])
    rig.worker()
    update = rig.hook.requests[1]
    _verify(update)
    payload = update.json()
    assert payload["update_id"] in result["update_ids"]
    assert payload["status_page_url"] == f"http://testserver/incidents/{item['id']}"
    en = next(
        r
        for r in result["draft"]["revision"]["renditions"]
        if (r["channel"], r["language"]) == ("statuspage", "en")
    )
    assert payload["body"] == en["body"]


def _verify(request: Captured) -> None:
    headers = request.headers
    assert verify_signature(
        WEBHOOK_SECRET, headers["x-herald-timestamp"], request.body, headers["x-herald-signature"]
    )


def test_webhook_to_private_hosts_is_refused_by_default(tokens: Tokens, db_url: str) -> None:
    app = create_app(Settings(database_url=db_url, worker_in_process=False))
    with TestClient(app) as client:
        for address in ("http://127.0.0.1:9/hook", "https://10.0.0.8/hook", "https://localhost/x"):
            refused = client.post(
                "/v1/public/subscribers",
                json={"kind": "webhook", "address": address, "secret": WEBHOOK_SECRET},
            )
            assert refused.status_code == 422, address
        bad = client.post("/v1/public/subscribers", json={"kind": "email", "address": "nope"})
        assert bad.status_code == 422
        assert bad.headers["content-type"] == "application/problem+json"


def test_contacts_never_reach_the_logs(
    rig: Rig, tokens: Tokens, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = rig.client
    url = f"{rig.hook.base}/private-hook-path"
    _confirm_email(rig, "secret.reader@example.com")
    rig.subscribe(kind="sms", address="+8613900139000")
    rig.subscribe(kind="webhook", address=url, secret=WEBHOOK_SECRET)
    rig.worker()
    item = flow.incident(client, tokens)
    flow.published(client, tokens, item["id"])
    rig.worker()
    # aiosmtpd's "mail.log" is the receiving mail server's own log, not Herald's.
    ours = "\n".join(
        f"{r.name} {r.getMessage()}" for r in caplog.records if not r.name.startswith("mail.log")
    )
    assert "service." in ours  # the worker and channels did log
    for contact in ("secret.reader", "8613900139000", "private-hook-path", WEBHOOK_SECRET):
        assert contact not in ours
