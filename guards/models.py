"""Value types of the guard layer: drafts, their context, findings and reports."""

from datetime import datetime
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    computed_field,
    field_validator,
    model_validator,
)

Lang = Literal["zh", "en"]
Level = Literal["error", "warning", "suggestion"]
IncidentStage = Literal["investigating", "identified", "monitoring", "resolved"]
# A maintenance text's place in its sequence: the notice (or a new window), the reminder before the
# window, then Statuspage's maintenance statuses.
MaintenanceStage = Literal["scheduled", "reminder", "in_progress", "verifying", "completed"]
Stage = Literal[IncidentStage, MaintenanceStage]
NoticeKind = Literal["incident", "full_outage", "partial_outage", "maintenance", "postmortem"]
Channel = Literal["statuspage", "email", "sms", "wecom", "dingtalk", "feishu", "slack"]
Severity = Literal["P0", "P1", "P2", "P3"]
Field_ = Literal["title", "body"]

LEVELS: tuple[Level, ...] = ("error", "warning", "suggestion")


class GuardFacts(BaseModel):
    """The incident facts a draft may state; field names mirror the service's IncidentFacts."""

    # Extra fields are ignored so that the service's richer fact models validate into this one.
    model_config = ConfigDict(extra="ignore", frozen=True)

    symptoms: list[str] = Field(default_factory=list)
    affected_components: list[str] = Field(default_factory=list)
    affected_regions: list[str] = Field(default_factory=list)
    affected_share_pct: float | None = Field(default=None, ge=0, le=100)
    cause: str | None = None
    actions: list[str] = Field(default_factory=list)
    fix_applied: str | None = None
    recovery_pct: float | None = Field(default=None, ge=0, le=100)
    engineering_eta_minutes: int | None = Field(default=None, ge=1)
    eta_estimated_at: AwareDatetime | None = None
    workaround: str | None = None
    follow_ups: list[str] = Field(default_factory=list)
    detected_at: AwareDatetime | None = None
    recovered_at: AwareDatetime | None = None
    timezone: str = "UTC"
    scheduled_for: AwareDatetime | None = None
    scheduled_until: AwareDatetime | None = None

    def strings(self) -> list[str]:
        """Every free-text fact, for checking that a draft's words come from somewhere."""
        out = [*self.symptoms, *self.affected_components, *self.affected_regions, *self.actions]
        out += [*self.follow_ups]
        out += [s for s in (self.cause, self.fix_applied, self.workaround) if s]
        return out


class Draft(BaseModel):
    """One rendition of an update: a body and an optional title."""

    model_config = ConfigDict(frozen=True)

    body: str
    title: str | None = None


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {value!r}") from exc
    return value


class GuardContext(BaseModel):
    """What the guard needs to know about a draft besides its text."""

    model_config = ConfigDict(frozen=True)

    lang: Lang
    stage: Stage | None = None
    kind: NoticeKind = "incident"
    channel: Channel = "statuspage"
    now: AwareDatetime
    timezone: str = "UTC"
    severity: Severity = "P2"
    facts: GuardFacts | None = None
    deny_terms: list[str] = Field(
        default_factory=list, description="Extra names that must never appear (customers, staff)."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return _check_zone(value)

    @model_validator(mode="before")
    @classmethod
    def _maintenance_stage(cls, data: Any) -> Any:
        """Maintenance texts have maintenance stages (default: the notice); incidents do not."""
        if not isinstance(data, dict):
            return data
        maintenance = data.get("kind") == "maintenance"
        stage = data.get("stage")
        if maintenance and stage is None:
            return {**data, "stage": "scheduled"}
        if stage is not None and (stage in get_args(MaintenanceStage)) != maintenance:
            raise ValueError(
                f"stage {stage!r} does not fit kind {data.get('kind', 'incident')!r}: maintenance "
                f"takes {', '.join(get_args(MaintenanceStage))}; the others take "
                f"{', '.join(get_args(IncidentStage))}"
            )
        return data

    def zone(self) -> ZoneInfo:
        """The audience's time zone."""
        return ZoneInfo(self.timezone)

    def local_now(self) -> datetime:
        """The draft time in the audience's zone."""
        return self.now.astimezone(self.zone())


class Span(BaseModel):
    """Where a finding is: code-point offsets into the original field text, plus line/column."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    line: int
    column: int


class Finding(BaseModel):
    """One problem a rule found."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    level: Level
    message: str
    span: Span
    match: str
    fix: str | None = Field(default=None, description="Replacement that is safe to apply as is.")
    suggestion: str | None = None
    reask: str
    field: Field_ = "body"
    playbook: str = ""
    rendition: int | None = Field(default=None, description="Index, for consistency findings.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def start(self) -> int:
        """Start offset, flat for JSON consumers."""
        return self.span.start

    @computed_field  # type: ignore[prop-decorator]
    @property
    def end(self) -> int:
        """End offset, flat for JSON consumers."""
        return self.span.end


class ReaskItem(BaseModel):
    """One instruction to an LLM about one finding."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    level: Level
    match: str
    instruction: str


class Reask(BaseModel):
    """What to tell an LLM when asking it to revise the draft."""

    model_config = ConfigDict(frozen=True)

    prompt: str
    items: list[ReaskItem]


class GuardReport(BaseModel):
    """The result of checking one draft."""

    model_config = ConfigDict(frozen=True)

    passed: bool
    counts: dict[Level, int]
    findings: list[Finding]
    fixed_text: str
    fixed_title: str | None = None
    reask: Reask | None
    rules_version: str
