"""Alert intake: vendor webhook payloads → NormalizedAlert → MappedAlert (severity, components).

Parsing and mapping only; persistence, deduplication and incident creation belong to the caller.
"""

from service.intake.errors import IntakeError, MappingError
from service.intake.mapping import AlertMapping, MappedAlert, load_mapping
from service.intake.model import AlertStatus, NormalizedAlert
from service.intake.parse import SOURCES, parse_alerts

__all__ = [
    "SOURCES",
    "AlertMapping",
    "AlertStatus",
    "IntakeError",
    "MappedAlert",
    "MappingError",
    "NormalizedAlert",
    "load_mapping",
    "parse_alerts",
]
