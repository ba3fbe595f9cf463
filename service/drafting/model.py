"""Drafting value types: what a drafter is asked for and what it returns."""

from datetime import datetime
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from guards import Finding, GuardReport
from service.domain.enums import IncidentKind, Language, Severity
from service.domain.facts import IncidentFacts


class DraftKind(StrEnum):
    """The four stages (PLAYBOOK §4), the three special notices, and the post-incident summary."""

    investigating = "investigating"
    identified = "identified"
    monitoring = "monitoring"
    resolved = "resolved"
    full_outage = "full_outage"
    partial_outage = "partial_outage"
    maintenance = "maintenance"
    postmortem = "postmortem"


STAGES: frozenset[DraftKind] = frozenset(
    {DraftKind.investigating, DraftKind.identified, DraftKind.monitoring, DraftKind.resolved}
)


class MaintenanceStage(StrEnum):
    """Which maintenance text: the notice (or a new window), the reminder, or a status change."""

    scheduled = "scheduled"
    reminder = "reminder"
    in_progress = "in_progress"
    verifying = "verifying"
    completed = "completed"


class Channel(StrEnum):
    """Where a rendition is published (PLAYBOOK §7)."""

    statuspage = "statuspage"
    email = "email"
    sms = "sms"
    wecom = "wecom"
    dingtalk = "dingtalk"
    feishu = "feishu"
    slack = "slack"


class ToneGuidance(BaseModel):
    """How to adjust wording, e.g. from the sentiment feed (a negative spike, a top concern)."""

    model_config = ConfigDict(extra="forbid")

    apologise: bool = False
    reassure_data_safety: bool = False
    shorten_cadence: bool = False
    reasons: list[str] = Field(default_factory=list, description="Why, for the provenance log.")


class LocalizedText(BaseModel):
    """The same facts worded for readers of one language: free text only, no new numbers."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    symptoms: list[str] | None = None
    affected_components: list[str] | None = None
    affected_regions: list[str] | None = None
    cause: str | None = None
    actions: list[str] | None = None
    fix_applied: str | None = None
    workaround: str | None = None
    follow_ups: list[str] | None = None


class DraftContext(BaseModel):
    """What the drafter knows about the incident."""

    model_config = ConfigDict(extra="forbid")

    incident_id: str | None = None
    name: str = Field(min_length=1, description="Short problem statement (the incident title).")
    severity: Severity
    kind: IncidentKind = IncidentKind.incident
    status: str = "investigating"
    facts: IncidentFacts = Field(default_factory=IncidentFacts)
    scheduled_for: AwareDatetime | None = None
    scheduled_until: AwareDatetime | None = None
    support_contact: dict[Language, str] | None = None
    localized: dict[Language, LocalizedText] = Field(
        default_factory=dict,
        description="Per-language wording of the free-text facts; numbers and times stay in facts.",
    )

    def text_for(self, lang: Language) -> tuple[str, IncidentFacts]:
        """The incident name and facts with free text in `lang` where a translation is given."""
        loc = self.localized.get(lang)
        if loc is None:
            return self.name, self.facts
        base = self.facts.model_dump()
        # A translation only words a fact the facts hold; it never adds one.
        patch = {
            k: v
            for k, v in loc.model_dump(exclude_none=True, exclude={"name"}).items()
            if base.get(k)
        }
        return loc.name or self.name, self.facts.model_copy(update=patch)


class DraftRequest(BaseModel):
    """Which update to draft, in which languages and for which channels."""

    model_config = ConfigDict(extra="forbid")

    kind: DraftKind
    languages: list[Language] = Field(min_length=1)
    channels: list[Channel] = Field(min_length=1)
    tone: ToneGuidance = Field(default_factory=ToneGuidance)
    now: AwareDatetime
    maintenance_stage: MaintenanceStage | None = Field(
        default=None, description="For maintenance only; defaults to the notice (scheduled)."
    )

    @model_validator(mode="after")
    def _stage_for_maintenance(self) -> Self:
        if self.kind is DraftKind.maintenance:
            if self.maintenance_stage is None:
                self.maintenance_stage = MaintenanceStage.scheduled
        elif self.maintenance_stage is not None:
            raise ValueError("maintenance_stage is only for maintenance drafts")
        return self

    def stage_key(self) -> str:
        """What this update is, as templates and prompts name it: its kind, or for maintenance
        after the notice, `maintenance_<stage>`."""
        stage = self.maintenance_stage
        if stage is None or stage is MaintenanceStage.scheduled:
            return self.kind.value
        return f"maintenance_{stage.value}"


class Rendition(BaseModel):
    """One channel × language rendering of the update, with its guard report."""

    channel: Channel
    language: Language
    title: str
    body: str
    guard: GuardReport
    sms_segments: int | None = None


class Provenance(BaseModel):
    """Who drafted it and how; travels with every draft (STYLE: the prompt version travels)."""

    drafter: str
    model: str | None = None
    prompt_version: str
    attempts: int = Field(ge=1)
    fallback_reason: str | None = None


class DraftResult(BaseModel):
    """A draft revision: every rendition, where it came from, and the times it promises."""

    kind: DraftKind
    renditions: list[Rendition]
    provenance: Provenance
    next_update_at: datetime | None
    eta_at: datetime | None
    consistency: list[Finding] = Field(
        default_factory=list,
        description="Cross-rendition findings (times, numbers) of check_consistency.",
    )

    @property
    def passed(self) -> bool:
        """Whether no rendition has an error-level finding."""
        return all(r.guard.passed for r in self.renditions)
