"""Component statuses set by publishing, from the rule in `component_status.yaml`."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.enums import (
    RESOLVED_STATUSES,
    ComponentStatus,
    IncidentKind,
    MaintenanceStatus,
    Severity,
)
from service.errors import ConfigError
from service.store.tables import (
    ComponentRow,
    IncidentComponentRow,
    IncidentRow,
    IncidentUpdateRow,
)

RULE_PATH = Path(__file__).with_name("component_status.yaml")
_ORDER = list(ComponentStatus)  # the enum is declared in order of increasing severity


class ComponentRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    incident: dict[str, ComponentStatus | dict[Severity, ComponentStatus]]
    maintenance: dict[MaintenanceStatus, ComponentStatus]

    def contribution(self, row: IncidentRow, status: str) -> ComponentStatus | None:
        """What an incident in `status` does to its components (None: nothing)."""
        if status in RESOLVED_STATUSES:
            return None
        if row.kind == IncidentKind.maintenance.value:
            return self.maintenance.get(MaintenanceStatus(status))
        rule = self.incident.get(row.kind)
        if isinstance(rule, dict):
            return rule.get(Severity(row.severity))
        return rule


@cache
def load_rule(path: Path = RULE_PATH) -> ComponentRule:
    """The rule file, validated; every non-maintenance kind must have an entry."""
    try:
        rule = ComponentRule.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ConfigError(f"component status rule in {path}: {exc}") from exc
    missing = (
        {k.value for k in IncidentKind} - {IncidentKind.maintenance.value} - set(rule.incident)
    )
    if missing:
        raise ConfigError(f"{path}: no rule for kinds {sorted(missing)}")
    return rule


def worst(statuses: list[ComponentStatus]) -> ComponentStatus:
    return max(statuses, key=_ORDER.index, default=ComponentStatus.operational)


@dataclass(frozen=True)
class Change:
    component: ComponentRow
    old: ComponentStatus
    new: ComponentStatus

    def as_affected(self) -> dict[str, str]:
        """Statuspage's `affected_components` entry."""
        return {
            "code": self.component.id,
            "name": self.component.name,
            "old_status": self.old.value,
            "new_status": self.new.value,
        }


def apply(session: Session, incident: IncidentRow, status: str, now: datetime) -> list[Change]:
    """Recompute the statuses of `incident`'s components as of this publication."""
    rule = load_rule()
    own = rule.contribution(incident, status)
    changes: list[Change] = []
    for component in incident.components:
        others = session.scalars(
            select(IncidentRow)
            .join(IncidentComponentRow, IncidentComponentRow.incident_id == IncidentRow.id)
            .where(
                IncidentComponentRow.component_id == component.id,
                IncidentRow.id != incident.id,
                IncidentRow.status.not_in(RESOLVED_STATUSES),
                select(IncidentUpdateRow.id)
                .where(IncidentUpdateRow.incident_id == IncidentRow.id)
                .exists(),
            )
        )
        held = [rule.contribution(o, o.status) for o in others]
        new = worst([s for s in [own, *held] if s is not None])
        old = ComponentStatus(component.status)
        if new is not old:
            component.status = new.value
            component.updated_at = now
            changes.append(Change(component, old, new))
    return changes
