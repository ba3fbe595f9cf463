"""The public read model: what publishing wrote, in the reader's language, and nothing else.

Every value here comes from published rows: `incident_updates` (written only by publishing), the
title published with each update, component statuses and the maintenance window. Incident facts,
drafts and internal statuses never reach this module's output. One publication writes one update
row per language at the same instant; those rows are grouped back into one public update.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.domain.enums import (
    RESOLVED_STATUSES,
    ComponentStatus,
    Impact,
    IncidentKind,
    IncidentStatus,
    Language,
    MaintenanceStatus,
)
from service.incidents import impact_of
from service.statuspage.lang import other
from service.store.tables import (
    ComponentRow,
    IncidentRow,
    IncidentUpdateRow,
    PublishedTitleRow,
)

RECENT_LIMIT = 100


@dataclass(frozen=True)
class PublicComponent:
    id: str
    name: str
    description: str | None
    status: ComponentStatus
    position: int
    showcase: bool
    only_show_if_degraded: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PublicUpdate:
    """One publication of one incident, in the reader's language (or the other one)."""

    id: str
    incident_id: str
    status: str
    title: str
    body: str
    language: Language
    affected_components: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime
    display_at: datetime


@dataclass(frozen=True)
class PublicIncident:
    id: str
    name: str
    status: str
    impact: Impact
    maintenance: bool
    created_at: datetime
    updated_at: datetime
    started_at: datetime
    monitoring_at: datetime | None
    resolved_at: datetime | None
    scheduled_for: datetime | None
    scheduled_until: datetime | None
    components: list[PublicComponent]
    updates: list[PublicUpdate]  # newest first

    @property
    def resolved(self) -> bool:
        return self.status in RESOLVED_STATUSES


def component(row: ComponentRow) -> PublicComponent:
    return PublicComponent(
        id=row.id,
        name=row.name,
        description=row.description,
        status=ComponentStatus(row.status),
        position=row.position,
        showcase=row.showcase,
        only_show_if_degraded=row.only_show_if_degraded,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def components(session: Session) -> list[PublicComponent]:
    """Every component in page order."""
    rows = session.scalars(select(ComponentRow).order_by(ComponentRow.position, ComponentRow.name))
    return [component(r) for r in rows]


def visible(items: list[PublicComponent]) -> list[PublicComponent]:
    """What the page lists: showcased components, the degraded-only ones when degraded."""
    return [
        c
        for c in items
        if c.showcase and not (c.only_show_if_degraded and c.status is ComponentStatus.operational)
    ]


def _titles(session: Session, update_ids: list[str]) -> dict[str, str]:
    if not update_ids:
        return {}
    rows = session.scalars(
        select(PublishedTitleRow).where(PublishedTitleRow.update_id.in_(update_ids))
    )
    return {r.update_id: r.title for r in rows}


def _publications(rows: list[IncidentUpdateRow]) -> list[list[IncidentUpdateRow]]:
    """Update rows grouped by publication (same display time), newest first."""
    groups: dict[datetime, list[IncidentUpdateRow]] = defaultdict(list)
    for row in rows:
        groups[row.display_at].append(row)
    return [groups[at] for at in sorted(groups, reverse=True)]


def _affected(row: IncidentUpdateRow) -> list[dict[str, Any]]:
    # The column is typed for ids, but publishing stores Statuspage's {code, name, old_status,
    # new_status} objects there, which is what the public JSON shows.
    raw: list[Any] = list(row.affected_components or [])
    return [a for a in raw if isinstance(a, dict)]


def _pick(group: list[IncidentUpdateRow], lang: Language) -> IncidentUpdateRow:
    for wanted in (lang, other(lang)):
        for row in group:
            if row.language == wanted.value:
                return row
    return group[0]


def incident(row: IncidentRow, lang: Language, titles: dict[str, str]) -> PublicIncident | None:
    """The public view of one incident; None when nothing about it was published."""
    groups = _publications(list(row.updates))
    if not groups:
        return None
    updates = [
        PublicUpdate(
            id=chosen.id,
            incident_id=row.id,
            status=chosen.status,
            title=titles.get(chosen.id, row.name),
            body=chosen.body,
            language=Language(chosen.language),
            affected_components=_affected(chosen),
            created_at=chosen.created_at,
            updated_at=chosen.updated_at,
            display_at=chosen.display_at,
        )
        for chosen in (_pick(group, lang) for group in groups)
    ]
    latest, first = updates[0], updates[-1]
    status = latest.status
    monitoring = [u.display_at for u in updates if u.status == IncidentStatus.monitoring.value]
    return PublicIncident(
        id=row.id,
        name=latest.title,
        status=status,
        impact=impact_of(row),
        maintenance=row.kind == IncidentKind.maintenance.value,
        created_at=first.created_at,
        updated_at=latest.updated_at,
        started_at=row.started_at,
        monitoring_at=min(monitoring) if monitoring else None,
        resolved_at=latest.display_at if status in RESOLVED_STATUSES else None,
        scheduled_for=row.scheduled_for,
        scheduled_until=row.scheduled_until,
        components=[component(c) for c in row.components],
        updates=updates,
    )


def incidents(
    session: Session, lang: Language, *, limit: int = RECENT_LIMIT
) -> list[PublicIncident]:
    """Published incidents and maintenances, most recently updated first.

    The `limit` most recently updated ones, plus any still open internally (so a long-running
    incident never drops off the page)."""
    latest = (
        select(IncidentUpdateRow.incident_id, func.max(IncidentUpdateRow.display_at).label("at"))
        .group_by(IncidentUpdateRow.incident_id)
        .subquery()
    )
    query = (
        select(IncidentRow)
        .join(latest, latest.c.incident_id == IncidentRow.id)
        .order_by(latest.c.at.desc(), IncidentRow.id)
    )
    recent = list(session.scalars(query.limit(limit)))
    seen = {r.id for r in recent}
    still_open = session.scalars(query.where(IncidentRow.status.not_in(RESOLVED_STATUSES)))
    rows = recent + [r for r in still_open if r.id not in seen]
    titles = _titles(session, [u.id for r in rows for u in r.updates])
    found = [incident(r, lang, titles) for r in rows]
    result = [i for i in found if i is not None]
    return sorted(result, key=lambda i: i.updated_at, reverse=True)


def one(session: Session, incident_id: str, lang: Language) -> PublicIncident | None:
    """One published incident, or None (unknown or never published: the same answer)."""
    row = session.get(IncidentRow, incident_id)
    if row is None:
        return None
    return incident(row, lang, _titles(session, [u.id for u in row.updates]))


def unresolved(items: list[PublicIncident]) -> list[PublicIncident]:
    return [i for i in items if not i.maintenance and not i.resolved]


def upcoming_or_active_maintenance(
    items: list[PublicIncident], now: datetime
) -> list[PublicIncident]:
    """Scheduled windows that have not ended, and windows in progress; soonest first."""
    open_statuses = {
        MaintenanceStatus.scheduled.value,
        MaintenanceStatus.in_progress.value,
        MaintenanceStatus.verifying.value,
    }
    chosen = [
        i
        for i in items
        if i.maintenance
        and i.status in open_statuses
        and (
            i.status != MaintenanceStatus.scheduled.value
            or i.scheduled_until is None
            or i.scheduled_until > now
        )
    ]
    return sorted(chosen, key=lambda i: (i.scheduled_for or i.created_at, i.id))


def maintenances(items: list[PublicIncident]) -> list[PublicIncident]:
    return [i for i in items if i.maintenance]


def history(items: list[PublicIncident]) -> list[PublicIncident]:
    """Closed incidents and maintenances, newest first."""
    return [i for i in items if i.resolved]


# Statuspage's overall indicator. Component statuses and open incidents' impacts both count.
_RANK = {"none": 0, "minor": 1, "major": 2, "critical": 3}
_FROM_COMPONENT = {
    ComponentStatus.operational: "none",
    ComponentStatus.under_maintenance: "none",
    ComponentStatus.degraded_performance: "minor",
    ComponentStatus.partial_outage: "major",
    ComponentStatus.major_outage: "critical",
}
_FROM_IMPACT = {
    Impact.none: "none",
    Impact.maintenance: "none",
    Impact.minor: "minor",
    Impact.major: "major",
    Impact.critical: "critical",
}


@dataclass(frozen=True)
class Indicator:
    indicator: str  # none | minor | major | critical
    under_maintenance: bool


def indicator(
    items: list[PublicComponent], open_incidents: list[PublicIncident], active_maintenance: bool
) -> Indicator:
    """The worst of the component statuses and the open incidents' impacts."""
    levels = [_FROM_COMPONENT[c.status] for c in items] + [
        _FROM_IMPACT[i.impact] for i in open_incidents
    ]
    worst = max(levels, key=_RANK.__getitem__, default="none")
    maintenance = active_maintenance or any(
        c.status is ComponentStatus.under_maintenance for c in items
    )
    return Indicator(indicator=worst, under_maintenance=maintenance)


def page_updated_at(
    items: list[PublicComponent], published: list[PublicIncident]
) -> datetime | None:
    """When anything on the page last changed."""
    times = [c.updated_at for c in items] + [i.updated_at for i in published]
    return max(times, default=None)
