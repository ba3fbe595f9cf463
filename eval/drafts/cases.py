"""Draft cases: one incident and the steps (kind, time, facts known then) to draft it at."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from service.domain.enums import IncidentKind, Severity
from service.domain.facts import IncidentFacts, IncidentFactsPatch
from service.drafting.model import DraftContext, DraftKind, LocalizedText, ToneGuidance

CASES_DIR = Path(__file__).resolve().parents[1] / "cases"


class CaseContext(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    severity: Severity
    kind: IncidentKind = IncidentKind.incident
    scheduled_for: AwareDatetime | None = None
    scheduled_until: AwareDatetime | None = None
    support_contact: dict[str, str] | None = None
    localized: dict[str, LocalizedText] = Field(default_factory=dict)


class Step(BaseModel):
    """One update to draft: its kind, when, and the facts learnt since the previous step."""

    model_config = ConfigDict(extra="forbid")

    kind: DraftKind
    now: AwareDatetime
    facts: IncidentFactsPatch = Field(default_factory=IncidentFactsPatch)
    tone: ToneGuidance = Field(default_factory=ToneGuidance)


class Case(BaseModel):
    """A scenario: its context, the facts known at the start, and the steps."""

    model_config = ConfigDict(extra="forbid")

    id: str
    description: str = ""
    context: CaseContext
    facts: IncidentFacts = Field(default_factory=IncidentFacts)
    steps: list[Step] = Field(min_length=1)


@dataclass(frozen=True)
class DraftJob:
    """One (case, step) ready to draft."""

    case_id: str
    kind: DraftKind
    now: datetime
    context: DraftContext
    tone: ToneGuidance


def jobs(case: Case) -> Iterator[DraftJob]:
    """The case's steps with the facts accumulated up to each."""
    facts = case.facts
    ctx = case.context
    for step in case.steps:
        facts = facts.merged(step.facts)
        context = DraftContext(
            incident_id=case.id,
            name=ctx.name,
            severity=ctx.severity,
            kind=ctx.kind,
            status=step.kind.value,
            facts=facts,
            scheduled_for=ctx.scheduled_for,
            scheduled_until=ctx.scheduled_until,
            support_contact=ctx.support_contact,  # type: ignore[arg-type]
            localized=ctx.localized,  # type: ignore[arg-type]
        )
        yield DraftJob(case.id, step.kind, step.now, context, step.tone)


def load_case(path: Path) -> Case:
    """One case file."""
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Case.model_validate(data)


def seed_cases(directory: Path = CASES_DIR) -> list[Case]:
    """Every seed scenario under eval/cases."""
    return [load_case(p) for p in sorted(directory.glob("*.yaml"))]
