"""Settings from the environment: `HERALD_*` and `DATABASE_URL`, one class, read once."""

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every tunable of a Herald installation. Offline defaults: SQLite, template drafter."""

    model_config = SettingsConfigDict(env_prefix="HERALD_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./herald.db",
        validation_alias=AliasChoices("DATABASE_URL", "HERALD_DATABASE_URL"),
        description="SQLAlchemy URL; postgresql://… selects PostgreSQL.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    max_request_bytes: int = Field(
        default=1_048_576, ge=1024, description="Bodies larger than this get 413."
    )
    alert_mapping_path: Path | None = Field(
        default=None, description="YAML mapping alerts to severities and components."
    )
    solo_mode: bool = Field(default=False, description="Allow self-approval (audited).")
    log_level: str = "info"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
