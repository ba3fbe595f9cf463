"""Email over SMTP (aiosmtplib): multipart/alternative plain text + minimal escaped HTML.

TLS modes: `none` (plain, never upgraded), `starttls` (RFC 3207, required), `tls` (implicit TLS,
RFC 8314). Message-ID is derived from the idempotency key so a retried send is recognisable;
List-Unsubscribe and List-Unsubscribe-Post (RFC 2369, RFC 8058) are set when the recipient has
an unsubscribe URL. SMTP replies classify by RFC 5321: 4yz is transient (retry), 5yz permanent.
"""

import html
import ssl
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from service.channels.config import SmtpConfig
from service.channels.logs import log_receipt, scrub
from service.channels.model import ChannelName, Message, Outcome, Receipt
from service.channels.text import short_ref, status_label

_GREETING = {"zh": "您好，", "en": "Hello,"}
_FOOTER = {
    "zh": "您收到此邮件是因为您订阅了服务状态通知。退订：",
    "en": "You receive this because you subscribed to status updates. Unsubscribe: ",
}


def message_id(idempotency_key: str, domain: str) -> str:
    """A stable Message-ID for one (update, channel, recipient)."""
    return f"<herald.{short_ref(idempotency_key)}@{domain}>"


def _paragraphs(text: str) -> list[str]:
    return [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]


def plain_text(message: Message) -> str:
    """The text/plain part."""
    parts = [message.title, "", message.body.strip()]
    if message.status_page_url:
        parts += ["", f"{status_label(message.language)}: {message.status_page_url}"]
    if message.recipient.unsubscribe_url:
        parts += ["", "--", _FOOTER[message.language] + message.recipient.unsubscribe_url]
    return "\n".join(parts) + "\n"


def _href(url: str) -> str | None:
    # Only web links become anchors; anything else (javascript:, data:) stays text.
    return html.escape(url, quote=True) if url.startswith(("https://", "http://")) else None


def html_text(message: Message) -> str:
    """The text/html part: every piece of text escaped, newlines kept, nothing else."""
    lang = "zh-CN" if message.language == "zh" else "en"
    body = "".join(
        f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>"
        for block in _paragraphs(message.body)
    )
    link = ""
    if message.status_page_url:
        label = html.escape(status_label(message.language))
        href = _href(message.status_page_url)
        link = (
            f'<p><a href="{href}">{label}</a></p>'
            if href
            else f"<p>{label}: {html.escape(message.status_page_url)}</p>"
        )
    footer = ""
    if message.recipient.unsubscribe_url:
        href = _href(message.recipient.unsubscribe_url)
        target = (
            f'<a href="{href}">{href}</a>'
            if href
            else html.escape(message.recipient.unsubscribe_url)
        )
        footer = f"<hr><p><small>{html.escape(_FOOTER[message.language])}{target}</small></p>"
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(message.title)}</title></head><body>"
        f"<h1>{html.escape(message.title)}</h1>{body}{link}{footer}</body></html>\n"
    )


def build_email(message: Message, config: SmtpConfig) -> EmailMessage:
    """The complete MIME message for one recipient."""
    sender_domain = config.from_address.rpartition("@")[2] or "localhost"
    mail = EmailMessage()
    mail["From"] = Address(display_name=config.from_name or "", addr_spec=config.from_address)
    mail["To"] = Address(
        display_name=message.recipient.name or "", addr_spec=message.recipient.address
    )
    mail["Subject"] = message.title  # the default policy RFC 2047-encodes non-ASCII (zh) subjects
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = message_id(
        message.idempotency_key, config.message_id_domain or sender_domain
    )
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies
    if message.recipient.unsubscribe_url:
        mail["List-Unsubscribe"] = f"<{message.recipient.unsubscribe_url}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(plain_text(message), charset="utf-8")
    mail.add_alternative(html_text(message), subtype="html", charset="utf-8")
    # After the body: setting content clears every Content-* header.
    mail["Content-Language"] = "zh-CN" if message.language == "zh" else "en"
    return mail


def _smtp_reply(code: int, sensitive: tuple[str | None, ...], text: str) -> Receipt:
    outcome = Outcome.retry if 400 <= code < 500 else Outcome.failed
    return Receipt(
        outcome=outcome, status_code=code, detail=scrub(f"SMTP {code} {text}", *sensitive)
    )


class SmtpPublisher:
    """Sends one email per message through the configured relay."""

    channel = ChannelName.email

    def __init__(self, config: SmtpConfig):
        self._config = config

    async def publish(self, message: Message) -> Receipt:
        """Send once; 4yz replies, timeouts and lost connections are retried, 5yz fail."""
        receipt = await self._send(message)
        log_receipt(message, receipt)
        return receipt

    async def _send(self, message: Message) -> Receipt:
        config = self._config
        address = message.recipient.address
        try:
            mail = build_email(message, config)
        except (ValueError, IndexError, MessageError):  # how `email` rejects a bad address
            return Receipt(outcome=Outcome.failed, detail="recipient is not a valid email address")
        password = config.password.get_secret_value() if config.password else None
        sensitive = (address, password, config.username)
        try:
            await aiosmtplib.send(
                mail,
                hostname=config.host,
                port=config.port,
                username=config.username,
                password=password,
                use_tls=config.tls_mode == "tls",
                start_tls=config.tls_mode == "starttls",
                validate_certs=config.validate_certs,
                cert_bundle=str(config.ca_file) if config.ca_file else None,
                timeout=config.timeout_s,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            first = exc.recipients[0]
            return _smtp_reply(first.code, sensitive, "recipient refused")
        except aiosmtplib.SMTPNotSupported:
            # e.g. STARTTLS or AUTH not offered: configuration, not a passing fault.
            return Receipt(outcome=Outcome.failed, detail="SMTP server lacks a required extension")
        except aiosmtplib.SMTPTimeoutError:
            return Receipt(outcome=Outcome.retry, detail="SMTP timeout")
        except aiosmtplib.SMTPResponseException as exc:
            return _smtp_reply(exc.code, sensitive, type(exc).__name__)
        except (
            aiosmtplib.SMTPConnectError,
            aiosmtplib.SMTPServerDisconnected,
            ssl.SSLError,
        ) as exc:
            if isinstance(exc, ssl.SSLError) or isinstance(exc.__cause__, ssl.SSLError):
                # A certificate or protocol mismatch will not fix itself on retry.
                return Receipt(outcome=Outcome.failed, detail="SMTP TLS handshake failed")
            return Receipt(outcome=Outcome.retry, detail="SMTP connection failed")
        except (aiosmtplib.SMTPException, OSError) as exc:
            if isinstance(exc, aiosmtplib.SMTPException) and "not supported" in str(exc):
                # aiosmtplib raises the base class when STARTTLS or AUTH is not offered: a
                # configuration mismatch that no retry fixes.
                return Receipt(
                    outcome=Outcome.failed, detail="SMTP server lacks a required extension"
                )
            return Receipt(outcome=Outcome.retry, detail=f"SMTP error ({type(exc).__name__})")
        return Receipt(
            outcome=Outcome.delivered,
            status_code=250,
            provider_message_id=str(mail["Message-ID"]),
            detail="accepted by relay",
        )
