"""`herald draft`: draft one update from a facts file with the deterministic drafter."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from service.cli import app
from service.domain.enums import Language, Severity
from service.domain.facts import IncidentFacts
from service.drafting.model import Channel, DraftContext, DraftKind, DraftRequest, DraftResult


def _context(data: dict[str, Any]) -> DraftContext:
    """A facts file is either a DraftContext or bare IncidentFacts (then a P2 'Service issue')."""
    if "facts" in data or "name" in data:
        return DraftContext.model_validate(data)
    return DraftContext(name="Service issue", severity=Severity.P2, facts=IncidentFacts(**data))


def _text(result: DraftResult) -> str:
    parts = []
    for r in result.renditions:
        head = f"--- {r.channel.value}/{r.language.value} ({'pass' if r.guard.passed else 'FAIL'})"
        lines = [head] + ([r.title] if r.title else []) + [r.body]
        lines += [f"  [{f.level}] {f.rule_id}: {f.message}" for f in r.guard.findings]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


@app.command()
def draft(
    facts: Annotated[Path, typer.Option("--facts", help="JSON: a DraftContext or IncidentFacts.")],
    stage: Annotated[DraftKind, typer.Option("--stage", help="Stage or notice kind.")],
    lang: Annotated[list[Language], typer.Option("--lang", help="zh or en; repeatable.")],
    channel: Annotated[list[Channel], typer.Option("--channel", help="Repeatable.")],
    now: Annotated[str | None, typer.Option("--now", help="ISO time with offset.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the DraftResult as JSON.")] = False,
) -> None:
    """Draft an update; exit 1 when any rendition has an error-level guard finding."""
    from service.drafting.template import TemplateDrafter
    from service.errors import ServiceError

    try:
        context = _context(json.loads(facts.read_text(encoding="utf-8")))
        moment = datetime.fromisoformat(now) if now else datetime.now(UTC)
        request = DraftRequest(kind=stage, languages=lang, channels=channel, now=moment)
        result = TemplateDrafter().draft(context, request)
    except (OSError, ValueError, ValidationError, ServiceError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(result.model_dump_json(indent=2) if as_json else _text(result))
    if not result.passed:
        raise typer.Exit(1)
