"""Drafts as the API shows them: a requested update, its revisions, renditions and guard reports."""

from datetime import datetime
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from service.domain.enums import IncidentStatus, Language
from service.drafting.model import Channel, DraftKind, ToneGuidance


class DraftState(StrEnum):
    """The approval workflow's states (issue 5 moves drafts between them)."""

    draft = "draft"
    in_review = "in_review"
    changes_requested = "changes_requested"
    approved = "approved"
    published = "published"
    rejected = "rejected"
    superseded = "superseded"


class DrafterChoice(StrEnum):
    auto = "auto"
    template = "template"
    llm = "llm"


class DraftCreate(BaseModel):
    """Ask for a draft. Omit `kind`/`stage` to draft for the incident's current stage."""

    model_config = ConfigDict(extra="forbid")

    kind: DraftKind | None = None
    stage: IncidentStatus | None = Field(default=None, description="Shorthand for a stage kind.")
    languages: list[Language] | None = Field(
        default=None, min_length=1, description="Defaults to the incident's languages."
    )
    channels: list[Channel] = Field(default_factory=lambda: [Channel.statuspage], min_length=1)
    drafter: DrafterChoice = DrafterChoice.auto
    tone: ToneGuidance = Field(default_factory=ToneGuidance)
    now: datetime | None = Field(default=None, description="Draft time; defaults to now.")

    @field_validator("now")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must include a UTC offset")
        return value

    @field_validator("languages", "channels")
    @classmethod
    def _unique(cls, value: list[Any] | None) -> list[Any] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("must not repeat an entry")
        return value

    @model_validator(mode="after")
    def _one_of_kind_or_stage(self) -> Self:
        if self.kind is not None and self.stage is not None and self.kind.value != self.stage.value:
            raise ValueError("give kind or stage, not two different ones")
        return self

    def requested_kind(self) -> DraftKind | None:
        if self.kind is not None:
            return self.kind
        return DraftKind(self.stage.value) if self.stage is not None else None


class RenditionPublic(BaseModel):
    channel: Channel
    language: Language
    title: str
    body: str
    sms_segments: int | None = None
    guard: dict[str, Any] = Field(description="The guard report for exactly this title and body.")


class RevisionPublic(BaseModel):
    number: int
    author: str
    created_at: datetime
    renditions: list[RenditionPublic]
    provenance: dict[str, Any]
    next_update_at: datetime | None
    eta_at: datetime | None
    consistency: list[dict[str, Any]] = Field(
        description="Findings across renditions: the same times and numbers in every channel."
    )
    passed: bool = Field(
        description="No error-level guard finding in any rendition or across them."
    )
    rules_version: str
    digest: str = Field(description="SHA-256 of the renditions' text; approval binds to it.")


class RevisionWithDiff(RevisionPublic):
    diff: str | None = Field(description="Unified diff against the previous revision.")


class DraftPublic(BaseModel):
    id: str
    incident_id: str
    kind: DraftKind
    state: DraftState
    created_by: str
    created_at: datetime
    updated_at: datetime
    revision: RevisionPublic = Field(description="The current revision.")
    revision_count: int
