"""Link a post to the incident it is about: explicit wins, else time window plus keywords.

Confidence is the sum of the policy's weights for the evidence found (capped at 1.0): the post
falls in the incident's window, names an affected component, shares a word with the incident's
name, uses an outage word, and whether it is the only incident whose window fits.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from service.feedback.policy import LinkingPolicy, keyword_pattern
from service.store.tables import IncidentRow

_WORDS = re.compile(r"[a-z0-9][a-z0-9\-]{3,}|[\u4e00-\u9fff]{2,}", re.IGNORECASE)
# Words in incident names that say nothing about which product is affected.
_NAME_STOPWORDS = frozenset(
    {"with", "from", "some", "users", "degraded", "performance", "errors", "issues", "incident"}
)


@dataclass(frozen=True)
class Candidate:
    """An incident a post may be about, with its window and its compiled keywords."""

    incident_id: str
    starts: datetime
    ends: datetime | None
    components: re.Pattern[str] | None
    name: re.Pattern[str] | None

    def contains(self, at: datetime) -> bool:
        """Whether `at` falls inside the window (margin already applied)."""
        return self.starts <= at and (self.ends is None or at <= self.ends)


@dataclass(frozen=True)
class Link:
    """Which incident a post belongs to, how sure we are, and why."""

    incident_id: str
    confidence: float
    evidence: tuple[str, ...] = field(default=())


def _name_words(name: str) -> list[str]:
    return [w for w in _WORDS.findall(name.lower()) if w not in _NAME_STOPWORDS]


def candidate_for(row: IncidentRow, policy: LinkingPolicy) -> Candidate:
    """Compile an incident's window and keywords once per scoring batch."""
    margin = timedelta(minutes=policy.margin_minutes)
    names = [c.name for c in row.components] + list(row.facts.get("affected_components") or [])
    keywords: list[str] = []
    for component in names:
        keywords.append(component)
        keywords.extend(policy.component_aliases.get(component.strip().lower(), []))
    return Candidate(
        incident_id=row.id,
        starts=row.started_at - margin,
        ends=None if row.resolved_at is None else row.resolved_at + margin,
        components=keyword_pattern(keywords),
        name=keyword_pattern(_name_words(row.name)),
    )


def candidates(session: Session, since: datetime, policy: LinkingPolicy) -> list[Candidate]:
    """Incidents still open, or resolved recently enough that a post from `since` may fit."""
    margin = timedelta(minutes=policy.margin_minutes)
    rows = session.scalars(
        select(IncidentRow).where(
            or_(IncidentRow.resolved_at.is_(None), IncidentRow.resolved_at >= since - margin)
        )
    )
    return [candidate_for(row, policy) for row in rows]


class Linker:
    """Scores posts against candidate incidents under one linking policy."""

    def __init__(self, policy: LinkingPolicy) -> None:
        self.policy = policy
        self.generic = keyword_pattern(
            [k for words in policy.generic_keywords.values() for k in words]
        )

    def link(self, text: str, at: datetime, pool: Sequence[Candidate]) -> Link | None:
        """The best-supported incident for a post, or None below the threshold."""
        fitting = [c for c in pool if c.contains(at)]
        best: Link | None = None
        weights = self.policy.weights
        generic = bool(self.generic and self.generic.search(text))
        # Later-starting incidents first, so a tie goes to the most recent one.
        for cand in sorted(fitting, key=lambda c: c.starts, reverse=True):
            evidence = ["window"]
            if cand.components and cand.components.search(text):
                evidence.append("component")
            if cand.name and cand.name.search(text):
                evidence.append("name")
            if generic:
                evidence.append("generic")
            if len(fitting) == 1:
                evidence.append("sole_candidate")
            confidence = min(1.0, sum(getattr(weights, e) for e in evidence))
            if best is None or confidence > best.confidence:
                best = Link(cand.incident_id, round(confidence, 3), tuple(evidence))
        if best is None or best.confidence < self.policy.threshold:
            return None
        return best


def link_all(
    linker: Linker, posts: Iterable[tuple[str, datetime]], pool: Sequence[Candidate]
) -> list[Link | None]:
    """Link each (text, created_at) in order."""
    return [linker.link(text, at, pool) for text, at in posts]
