"""What the console shows, derived from the API's models: highlighted text, findings, countdowns."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.domain.draft import DraftPublic, RenditionPublic
from service.drafting.sms import segments


@dataclass(frozen=True)
class FindingView:
    """One guard finding as the review page lists it; `key` is its anchor on the page."""

    key: str
    index: int
    rule_id: str
    level: str
    message: str
    match: str
    field: str
    start: int
    end: int
    fix: str | None
    suggestion: str | None


@dataclass(frozen=True)
class Piece:
    """A run of text, marked when a finding covers it."""

    text: str
    finding: FindingView | None = None


@dataclass(frozen=True)
class RenditionView:
    """A rendition with its findings split by field and its text cut into marked pieces."""

    index: int
    channel: str
    language: str
    title: str
    body: str
    sms_segments: int | None
    chars: int
    passed: bool
    findings: list[FindingView]
    title_pieces: list[Piece]
    body_pieces: list[Piece]


def findings_of(report: dict[str, Any], prefix: str) -> list[FindingView]:
    """The findings of one guard report (a stored GuardReport as JSON)."""
    return [
        FindingView(
            key=f"{prefix}-f{i}",
            index=i,
            rule_id=f["rule_id"],
            level=f["level"],
            message=f["message"],
            match=f.get("match", ""),
            field=f.get("field", "body"),
            start=int(f["span"]["start"]),
            end=int(f["span"]["end"]),
            fix=f.get("fix"),
            suggestion=f.get("suggestion"),
        )
        for i, f in enumerate(report.get("findings", []))
    ]


def pieces(text: str, findings: list[FindingView], field: str) -> list[Piece]:
    """Cut `text` at the findings of `field`; an overlapping later finding is listed, not marked."""
    marked = sorted(
        (f for f in findings if f.field == field and 0 <= f.start < f.end <= len(text)),
        key=lambda f: (f.start, -f.end),
    )
    out: list[Piece] = []
    at = 0
    for finding in marked:
        if finding.start < at:
            continue
        if finding.start > at:
            out.append(Piece(text[at : finding.start]))
        out.append(Piece(text[finding.start : finding.end], finding))
        at = finding.end
    if at < len(text) or not out:
        out.append(Piece(text[at:]))
    return out


def rendition_view(
    index: int,
    title: str,
    body: str,
    channel: str,
    language: str,
    report: dict[str, Any],
    prefix: str = "r",
) -> RenditionView:
    """A rendition (stored or being edited) ready to show; `prefix` keeps anchors unique."""
    found = findings_of(report, f"{prefix}{index}")
    return RenditionView(
        index=index,
        channel=channel,
        language=language,
        title=title,
        body=body,
        sms_segments=segments(body) if channel == "sms" else None,
        chars=len(body),
        passed=bool(report.get("passed", False)),
        findings=found,
        title_pieces=pieces(title, found, "title"),
        body_pieces=pieces(body, found, "body"),
    )


def renditions(draft: DraftPublic) -> list[RenditionView]:
    """Every rendition of the draft's current revision."""
    return [_view(i, r) for i, r in enumerate(draft.revision.renditions)]


def _view(index: int, r: RenditionPublic) -> RenditionView:
    return rendition_view(index, r.title, r.body, r.channel.value, r.language.value, r.guard)


def consistency(draft: DraftPublic) -> list[FindingView]:
    """Findings across renditions (times or numbers one channel states and another lacks)."""
    return findings_of({"findings": draft.revision.consistency}, "c")


@dataclass(frozen=True)
class ErrorToWaive:
    """An error-level finding the approver must fix or waive (waivers match rule id and text)."""

    where: str
    rule_id: str
    match: str
    message: str


def errors_to_waive(draft: DraftPublic) -> list[ErrorToWaive]:
    """The error findings of the current revision, in the order the approve form lists them."""
    out: list[ErrorToWaive] = []
    seen: set[tuple[str, str]] = set()
    for view in renditions(draft):
        for f in view.findings:
            if f.level == "error" and (f.rule_id, f.match) not in seen:
                seen.add((f.rule_id, f.match))
                out.append(
                    ErrorToWaive(f"{view.channel}.{view.language}", f.rule_id, f.match, f.message)
                )
    for f in consistency(draft):
        if f.level == "error" and (f.rule_id, f.match) not in seen:
            seen.add((f.rule_id, f.match))
            out.append(ErrorToWaive("consistency", f.rule_id, f.match, f.message))
    return out


def countdown(due: datetime | None, now: datetime) -> tuple[str, bool]:
    """`mm:ss` (or `h:mm:ss`) until `due`, and whether it is overdue; blank when none is due."""
    if due is None:
        return "", False
    seconds = int((due - now).total_seconds())
    overdue = seconds < 0
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
    return text, overdue
