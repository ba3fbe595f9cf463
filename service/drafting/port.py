"""The drafting port: every drafter (templates now, an LLM later) takes and returns our models."""

from typing import Protocol

from service.drafting.model import DraftContext, DraftRequest, DraftResult


class Drafter(Protocol):
    """Turns incident facts into guarded renditions of one update."""

    name: str

    def draft(self, context: DraftContext, request: DraftRequest) -> DraftResult:
        """Draft every channel × language rendition the request asks for."""
        ...
