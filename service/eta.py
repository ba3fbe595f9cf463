"""ETA estimation (PLAYBOOK §9): engineering's estimate plus buffer, else the repair history.

The history is the time from start to resolution of past incidents, grouped by component and a
cause category (keywords in `eta.yaml`). A suggestion is the median and the p80 of the closest
group with enough samples, with the sample size, so a responder sees how much it rests on. A
suggestion is never published by itself: engineering confirms an estimate, the drafter buffers it.
"""

import re
import statistics
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.enums import IncidentKind, Language
from service.domain.facts import IncidentFacts
from service.drafting import cadence
from service.store.tables import IncidentRow

POLICY_PATH = Path(__file__).with_name("eta.yaml")


class CauseCategory(StrEnum):
    database = "database"
    network = "network"
    deployment = "deployment"
    dependency = "dependency"
    capacity = "capacity"
    other = "other"


class EtaPolicy(BaseModel):
    """The keyword file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    min_samples: int = Field(ge=1)
    quantile: float = Field(gt=0.5, lt=1)
    categories: dict[CauseCategory, dict[Language, list[str]]]


@cache
def load_policy(path: Path = POLICY_PATH) -> EtaPolicy:
    """The cause keywords, validated, loaded once per path."""
    return EtaPolicy.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def _patterns(path: Path) -> list[tuple[CauseCategory, re.Pattern[str]]]:
    out = []
    for category, words in load_policy(path).categories.items():
        # English words match at a word start ("deploy" finds "deployment"); Chinese anywhere.
        en = [rf"\b{re.escape(w.lower())}" for w in words.get(Language.en, [])]
        zh = [re.escape(w.lower()) for w in words.get(Language.zh, [])]
        out.append((category, re.compile("|".join(en + zh))))
    return out


def categorize(cause: str | None, *, path: Path = POLICY_PATH) -> CauseCategory:
    """The cause category of a user-level cause statement (`other` when nothing matches)."""
    if not cause:
        return CauseCategory.other
    text = cause.lower()
    for category, pattern in _patterns(path):
        if pattern.search(text):
            return category
    return CauseCategory.other


class Repair(BaseModel):
    """One past repair: which components, what kind of cause, how long it took."""

    model_config = ConfigDict(frozen=True)

    components: frozenset[str]
    category: CauseCategory
    minutes: float = Field(gt=0)


class EtaSuggestion(BaseModel):
    """What history says a repair like this takes."""

    basis: str = Field(description="component+cause, component, cause or all: the group used.")
    median_minutes: float
    p80_minutes: float
    n: int = Field(description="How many past repairs the figures rest on.")


class EtaEstimate(BaseModel):
    """What to tell the public, or what to suggest to engineering when it has given nothing."""

    source: str = Field(description="engineering (buffered estimate) or history (a suggestion)")
    engineering_minutes: int | None
    buffer: float
    public_eta_at: datetime | None = Field(description="Only from engineering's own estimate.")
    category: CauseCategory
    components: list[str]
    suggestion: EtaSuggestion | None


def quantile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated quantile (numpy's default), defined for a single value too."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _summary(basis: str, minutes: list[float], q: float) -> EtaSuggestion:
    return EtaSuggestion(
        basis=basis,
        median_minutes=round(statistics.median(minutes), 1),
        p80_minutes=round(quantile(minutes, q), 1),
        n=len(minutes),
    )


def suggest(
    history: Iterable[Repair],
    components: Iterable[str],
    category: CauseCategory,
    *,
    policy: EtaPolicy | None = None,
) -> EtaSuggestion | None:
    """Median and p80 from the narrowest group with `min_samples` repairs; None without history."""
    pol = policy or load_policy()
    wanted = {c.lower() for c in components}
    repairs = list(history)
    groups = [
        (
            "component+cause",
            [r for r in repairs if wanted & r.components and r.category is category],
        ),
        ("component", [r for r in repairs if wanted & r.components]),
        ("cause", [r for r in repairs if r.category is category]),
        ("all", repairs),
    ]
    for basis, group in groups:
        if len(group) >= pol.min_samples:
            return _summary(basis, [r.minutes for r in group], pol.quantile)
    return _summary("all", [r.minutes for r in repairs], pol.quantile) if repairs else None


def _components(row: IncidentRow) -> frozenset[str]:
    facts = IncidentFacts.model_validate(row.facts)
    names = [c.name for c in row.components] + facts.affected_components
    return frozenset(n.lower() for n in names if n.strip())


def repair_history(
    session: Session, *, before: datetime | None = None, exclude: str | None = None
) -> list[Repair]:
    """Every resolved incident (not maintenance) as a repair: `started_at` to `resolved_at`."""
    query = select(IncidentRow).where(
        IncidentRow.resolved_at.is_not(None),
        IncidentRow.kind != IncidentKind.maintenance.value,
    )
    if before is not None:
        query = query.where(IncidentRow.resolved_at <= before)
    out = []
    for row in session.scalars(query):
        assert row.resolved_at is not None
        minutes = (row.resolved_at - row.started_at).total_seconds() / 60
        if row.id == exclude or minutes <= 0:
            continue
        cause = IncidentFacts.model_validate(row.facts).cause
        out.append(Repair(components=_components(row), category=categorize(cause), minutes=minutes))
    return out


def estimate(
    session: Session,
    incident: IncidentRow,
    *,
    now: datetime,
    buffer: float | None = None,
    policy: cadence.CadencePolicy | None = None,
) -> EtaEstimate:
    """Engineering's estimate plus buffer when there is one; the history's suggestion always."""
    facts = IncidentFacts.model_validate(incident.facts)
    pol = policy or cadence.load_policy()
    b = pol.eta.buffer_default if buffer is None else buffer
    category = categorize(facts.cause)
    components = _components(incident)
    history = repair_history(session, before=now, exclude=incident.id)
    public = cadence.public_eta(facts, buffer=b, now=now, policy=pol)
    return EtaEstimate(
        source="engineering" if public is not None else "history",
        engineering_minutes=facts.engineering_eta_minutes,
        buffer=b,
        public_eta_at=public,
        category=category,
        components=sorted(components),
        suggestion=suggest(history, components, category),
    )
