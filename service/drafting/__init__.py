"""Drafting: facts in, guard-checked renditions out, per channel and language."""

from service.drafting.model import (
    Channel,
    DraftContext,
    DraftKind,
    DraftRequest,
    DraftResult,
    Provenance,
    Rendition,
    ToneGuidance,
)
from service.drafting.port import Drafter

__all__ = [
    "Channel",
    "DraftContext",
    "DraftKind",
    "DraftRequest",
    "DraftResult",
    "Drafter",
    "Provenance",
    "Rendition",
    "ToneGuidance",
]
