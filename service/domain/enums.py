"""Enumerations. Statuspage's names where Statuspage has one, Herald's own otherwise."""

from enum import StrEnum


class IncidentStatus(StrEnum):
    """Statuspage incident statuses; the four communication stages of PLAYBOOK §4."""

    investigating = "investigating"
    identified = "identified"
    monitoring = "monitoring"
    resolved = "resolved"


class MaintenanceStatus(StrEnum):
    """Statuspage scheduled-maintenance statuses."""

    scheduled = "scheduled"
    in_progress = "in_progress"
    verifying = "verifying"
    completed = "completed"


class MaintenancePurpose(StrEnum):
    """What a maintenance draft is for."""

    notice = "notice"
    update = "update"  # a further scheduled-status text after the notice (e.g. a new window)
    reminder = "reminder"
    transition = "transition"


class Impact(StrEnum):
    """Statuspage impact levels."""

    none = "none"
    maintenance = "maintenance"
    minor = "minor"
    major = "major"
    critical = "critical"


class ComponentStatus(StrEnum):
    """Statuspage component statuses, in order of increasing severity."""

    operational = "operational"
    under_maintenance = "under_maintenance"
    degraded_performance = "degraded_performance"
    partial_outage = "partial_outage"
    major_outage = "major_outage"


class Severity(StrEnum):
    """PLAYBOOK §1 severity levels."""

    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"


class IncidentKind(StrEnum):
    """What sort of notice an incident calls for (PLAYBOOK §4 special notices)."""

    incident = "incident"
    full_outage = "full_outage"
    partial_outage = "partial_outage"
    maintenance = "maintenance"


class Language(StrEnum):
    zh = "zh"
    en = "en"


class Audience(StrEnum):
    """PLAYBOOK §3 audiences."""

    end_users = "end_users"
    partners = "partners"
    media = "media"
    regulators = "regulators"
    management = "management"
    support = "support"
    sales = "sales"
    engineering = "engineering"


class Role(StrEnum):
    """API roles. `admin` is admitted everywhere."""

    responder = "responder"
    approver = "approver"
    comms_lead = "comms_lead"
    admin = "admin"


class ProposalState(StrEnum):
    open = "open"
    accepted = "accepted"
    dismissed = "dismissed"


RESOLVED_STATUSES: frozenset[str] = frozenset(
    {IncidentStatus.resolved.value, MaintenanceStatus.completed.value}
)
