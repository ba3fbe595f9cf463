"""The public page's words per language, from `strings.yaml` (loaded once, checked on load)."""

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from service.domain.enums import ComponentStatus, IncidentStatus, Language, MaintenanceStatus
from service.errors import ConfigError

STRINGS_PATH = Path(__file__).with_name("strings.yaml")


class Words(BaseModel):
    """One language's strings; a missing key fails at load, not on a page view."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    html_lang: str
    current_status: str
    components: str
    active_incidents: str
    maintenance: str
    history: str
    no_incidents: str
    no_active: str
    affected: str
    window: str
    updated: str
    back: str
    feed: str
    subscribe: str
    subscribe_hint: str
    subscribe_kind: str
    subscribe_address: str
    subscribe_secret: str
    subscribe_button: str
    subscribe_sent: str
    confirmed: str
    unsubscribed: str
    other_language: str
    confirm_title: str
    confirm_email: str
    confirm_sms: str
    confirm_webhook: str
    indicator: dict[str, str]
    status: dict[str, str]
    component_status: dict[str, str]


class Strings(BaseModel):
    model_config = ConfigDict(frozen=True)

    by_language: dict[Language, Words]

    def of(self, lang: Language) -> Words:
        return self.by_language[lang]

    def status(self, lang: Language, status: str) -> str:
        return self.by_language[lang].status.get(status, status)


def _check(words: Words, lang: Language) -> None:
    needed = {
        "status": {s.value for s in IncidentStatus} | {s.value for s in MaintenanceStatus},
        "component_status": {s.value for s in ComponentStatus},
        "indicator": {"none", "minor", "major", "critical", "maintenance"},
    }
    for field, keys in needed.items():
        missing = keys - set(getattr(words, field))
        if missing:
            raise ConfigError(f"{STRINGS_PATH}: {lang.value}.{field} lacks {sorted(missing)}")


@cache
def load(path: Path = STRINGS_PATH) -> Strings:
    """The strings file, validated for every language and every status."""
    try:
        raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        strings = Strings(
            by_language={Language(k): Words.model_validate(v) for k, v in raw.items()}
        )
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ConfigError(f"status page strings in {path}: {exc}") from exc
    for lang in Language:
        if lang not in strings.by_language:
            raise ConfigError(f"{path}: no strings for {lang.value}")
        _check(strings.of(lang), lang)
    return strings
