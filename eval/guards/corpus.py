"""Turn real status-page incidents into (draft, context) pairs the guard can check."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from guards import Draft, GuardContext
from guards.models import Severity, Stage

STAGES: frozenset[str] = frozenset({"investigating", "identified", "monitoring", "resolved"})
SEVERITY: dict[str, Severity] = {"critical": "P0", "major": "P1", "minor": "P2", "none": "P3"}


@dataclass(frozen=True, slots=True)
class Case:
    """One real update with the context it was published in."""

    incident_id: str
    index: int
    draft: Draft
    context: GuardContext


def load_cases(path: Path) -> Iterator[Case]:
    """Every update of every incident; an 'update' status inherits the last named stage."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            incident = json.loads(line)
            stage: Stage | None = None
            severity = SEVERITY.get(incident.get("impact") or "none", "P2")
            for i, update in enumerate(incident["updates"]):
                status = update["status"]
                if status in STAGES:
                    stage = status
                body = (update.get("body") or "").strip()
                if not body:
                    continue
                now = datetime.fromisoformat(update["created_at"].replace("Z", "+00:00"))
                ctx = GuardContext(
                    lang="en", stage=stage, now=now, timezone="UTC", severity=severity
                )
                yield Case(incident["incident_id"], i, Draft(body=body), ctx)
