"""Settings from the environment: `HERALD_*` and `DATABASE_URL`, one class, read once."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.channels.config import ChannelsConfig
from service.domain.enums import Language
from service.drafting.model import Channel


class Settings(BaseSettings):
    """Every tunable of a Herald installation. Offline defaults: SQLite, template drafter."""

    model_config = SettingsConfigDict(
        env_prefix="HERALD_", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str = Field(
        default="sqlite:///./herald.db",
        validation_alias=AliasChoices("DATABASE_URL", "HERALD_DATABASE_URL"),
        description="SQLAlchemy URL; postgresql://… selects PostgreSQL.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64, description="Server processes for `herald serve`.")
    max_request_bytes: int = Field(
        default=1_048_576, ge=1024, description="Bodies larger than this get 413."
    )
    alert_mapping_path: Path | None = Field(
        default=None, description="YAML mapping alerts to severities and components."
    )
    support_contact_en: str | None = Field(
        default=None, description="Where users get help, e.g. 'support@example.com'."
    )
    support_contact_zh: str | None = Field(default=None, description="同上，中文读者用。")
    solo_mode: bool = Field(default=False, description="Allow self-approval (audited).")
    log_level: str = "info"
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="Where the public status page is served."
    )
    console_secret: SecretStr | None = Field(
        default=None,
        description="Signs console cookies; unset: a key per process (sign-ins end on restart).",
    )
    console_session_s: int = Field(
        default=12 * 3600, ge=60, description="How long a console sign-in lasts."
    )
    channels: ChannelsConfig = Field(
        default_factory=ChannelsConfig,
        description="Channel adapters, e.g. HERALD_CHANNELS__SMTP__HOST.",
    )
    delivery_lease_s: float = Field(
        default=60.0, gt=0, description="How long a worker holds a message before another may."
    )
    delivery_max_attempts: int = Field(default=8, ge=1, description="Then: dead letter.")
    delivery_backoff_s: float = Field(default=2.0, gt=0, description="First retry delay.")
    worker_in_process: bool = Field(
        default=True, description="Run the delivery worker inside the API process."
    )
    status_page_name: str = Field(default="Herald status", description="Public page title.")
    status_page_language: Language = Field(
        default=Language.en, description="Public page language when the browser states none."
    )
    subscriber_token_ttl_h: float = Field(
        default=72.0, gt=0, description="How long a confirmation link or SMS code stays valid."
    )
    subscriber_resend_s: float = Field(
        default=300.0, ge=0, description="Re-send a confirmation at most this often."
    )
    subscriber_webhook_private_ok: bool = Field(
        default=False, description="Allow subscriber webhooks to private hosts (tests)."
    )
    first_notice_on_alert: bool = Field(
        default=True,
        description="When an alert opens an incident, draft its first notice (template drafter) "
        "into review at once: PLAYBOOK §1 wants it out within minutes.",
    )
    first_notice_channels: list[Channel] = Field(
        default_factory=lambda: [Channel.statuspage, Channel.email, Channel.sms],
        min_length=1,
        description="Channels of the first notice drafted on an alert.",
    )
    maintenance_reminder_h: float = Field(
        default=2.0, gt=0, description="Draft a maintenance reminder this long before the window."
    )
    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint; unset keeps drafting offline."
    )
    llm_model: str = "gpt-4o-mini"
    llm_api_key: SecretStr = SecretStr("not-needed")
    llm_timeout_s: float = Field(default=20.0, gt=0)
    eta_buffer: float = Field(default=0.4, ge=0.3, le=0.5, description="ETA safety margin.")
    reminder_targets: list[str] = Field(
        default_factory=list,
        description="Channel target names (chat robot, email) that get promise reminders, "
        "e.g. HERALD_REMINDER_TARGETS='[\"oncall-wecom\"]'.",
    )
    cadence_in_process: bool = Field(
        default=True, description="Run the cadence clock inside the API process."
    )
    cadence_tick_s: float = Field(default=30.0, gt=0, description="Seconds between clock ticks.")
    metrics_public: bool = Field(
        default=False, description="Serve /metrics without a token (it reveals incident counts)."
    )
    metrics_window_days: int = Field(
        default=30, ge=1, description="/metrics covers incidents started this many days back."
    )
    feedback_author_secret: SecretStr = Field(
        default=SecretStr("herald-dev-only-change-me"),
        description="HMAC key for post authors; only the HMAC is stored, never the author.",
    )
    feedback_backlog_limit: int = Field(
        default=50_000, ge=1, description="Unscored posts beyond which intake answers 429."
    )
    feedback_retry_after_s: int = Field(default=2, ge=1, description="Retry-After on a 429.")
    feedback_scoring_in_process: bool = Field(
        default=True, description="Score in the API process; off: herald feed score-worker."
    )
    sentiment_model: Literal["auto", "ngram"] = Field(
        default="auto",
        description="auto: the best built model (the encoders after `make sentiment-model`, "
        "~200 posts/s per core); ngram: the n-gram networks only (thousands of posts/s, less "
        "accurate in English) for high volumes on small machines.",
    )
    feedback_scoring_batch: int = Field(default=500, ge=1, le=5000)
    feedback_scoring_lease_s: float = Field(default=60.0, gt=0)
    feedback_policy_path: Path | None = Field(
        default=None, description="YAML linking keywords, spike and tone rules (default packaged)."
    )
    feed_interval_s: float = Field(
        default=5.0, gt=0, description="Seconds between feed snapshots on the event stream."
    )

    def support_contacts(self) -> dict[Language, str]:
        """The configured support channel per language (drafts name it in every update)."""
        contacts = {Language.en: self.support_contact_en, Language.zh: self.support_contact_zh}
        return {lang: contact for lang, contact in contacts.items() if contact}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
