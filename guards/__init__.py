"""Herald's guard layer: checks what a customer-facing update says, with rules as YAML data."""

from guards.engine import check, check_consistency
from guards.errors import GuardError, PackError
from guards.loader import RuleSet, load_packs
from guards.models import Draft, Finding, GuardContext, GuardFacts, GuardReport, Reask, Span

__all__ = [
    "Draft",
    "Finding",
    "GuardContext",
    "GuardError",
    "GuardFacts",
    "GuardReport",
    "PackError",
    "Reask",
    "RuleSet",
    "Span",
    "check",
    "check_consistency",
    "load_packs",
]
