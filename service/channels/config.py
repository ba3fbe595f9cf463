"""`ChannelsConfig`: every tunable of the external channels, embedded in the app's Settings."""

from email.errors import MessageError
from email.headerregistry import Address
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

TlsMode = Literal["none", "starttls", "tls"]


class HttpConfig(BaseModel):
    """Timeouts of the shared HTTP client used by the webhook, chat-robot and SMS adapters."""

    model_config = ConfigDict(frozen=True)

    timeout_s: float = Field(default=10.0, gt=0, description="Whole-request budget per attempt.")
    connect_timeout_s: float = Field(default=5.0, gt=0)
    user_agent: str = "Herald/0.1 (+incident communication)"


class VendorUrls(BaseModel):
    """Vendor endpoints. A recipient may give a bare key/token, joined to these; a full URL must
    start with the vendor's base, so a robot token is never posted to an unexpected host.
    Tests point them at loopback."""

    model_config = ConfigDict(frozen=True)

    wecom: str = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
    dingtalk: str = "https://oapi.dingtalk.com/robot/send"
    feishu: str = "https://open.feishu.cn/open-apis/bot/v2/hook/"
    slack: str = "https://hooks.slack.com/services/"


class SmtpConfig(BaseModel):
    """An SMTP relay: host, port, TLS mode, optional AUTH and the From address."""

    model_config = ConfigDict(frozen=True)

    host: str = "localhost"
    port: int = Field(default=587, ge=1, le=65535)
    tls_mode: TlsMode = "starttls"
    validate_certs: bool = True
    ca_file: Path | None = Field(default=None, description="PEM bundle to trust (private CA).")
    username: str | None = None
    password: SecretStr | None = None
    from_address: str = "status@example.com"
    from_name: str | None = "Herald status"
    message_id_domain: str | None = Field(
        default=None, description="Right-hand side of Message-IDs; default: the From domain."
    )
    timeout_s: float = Field(default=30.0, gt=0)

    @field_validator("from_address")
    @classmethod
    def _one_mailbox(cls, value: str) -> str:
        try:
            Address(addr_spec=value)
        except (ValueError, IndexError, MessageError) as exc:
            raise ValueError(
                "from_address must be a single addr-spec like status@example.com"
            ) from exc
        return value

    @model_validator(mode="after")
    def _auth_pairs(self) -> "SmtpConfig":
        if (self.username is None) != (self.password is None):
            raise ValueError("SMTP username and password go together")
        return self


class SmsConfig(BaseModel):
    """A generic JSON-over-HTTP SMS provider. String values of `body_template` may contain
    `{to}`, `{text}`, `{sender}` and `{ref}`; nothing else in them is interpreted."""

    model_config = ConfigDict(frozen=True)

    url: str
    auth_header: str = "Authorization"
    auth_value: SecretStr | None = Field(default=None, description="e.g. 'Bearer …'.")
    body_template: dict[str, Any] = Field(
        default_factory=lambda: {"to": "{to}", "text": "{text}", "from": "{sender}", "ref": "{ref}"}
    )
    sender_id: str = "Herald"
    message_id_field: str | None = Field(
        default="id", description="Dotted path of the provider's message id in its JSON reply."
    )
    max_segments: int = Field(default=4, ge=1, description="Longer texts fail instead of cost.")
    timeout_s: float = Field(default=10.0, gt=0)


class ChannelsConfig(BaseModel):
    """Configuration of every external channel; SMTP and SMS are off until configured."""

    model_config = ConfigDict(frozen=True)

    http: HttpConfig = HttpConfig()
    urls: VendorUrls = VendorUrls()
    feishu_msg_type: Literal["interactive", "post"] = "interactive"
    smtp: SmtpConfig | None = None
    sms: SmsConfig | None = None
