"""A draft prepared for checking: normalised fields, time expressions and their roles."""

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from guards.models import Draft, Field_, Finding, GuardContext
from guards.text import Segment, Text
from guards.timeparse import TimeExpr, extract, parse_date, resolve_clock, resolve_with_date

Role = Literal["next_update", "eta", "other"]

# Cue words that say what a time in the same clause is about. A time takes the role of the nearest
# cue before it in its clause, else of the nearest one after it.
_UPDATE_CUES = re.compile(
    r"更新|进展|通报|最新消息|更多信息|下次|下一次|"
    r"(?<![A-Za-z])(?:update[sd]?|updating|next update|more information|further information|"
    r"further details|more details|report back|check back)(?![A-Za-z])",
    # Matched against the lowercased text: no re.IGNORECASE, which is several times slower.
)
_ETA_CUES = re.compile(
    # Modal words (预计, expect, estimated) are not cues: "next update is expected within 30
    # minutes" is about the update, not about recovery.
    r"恢复|修复|解决|完成|上线|回滚完|"
    r"(?<![A-Za-z])(?:recover(?:y|ed)?|restor(?:e|ed|ation)|resolv(?:e|ed)|resolution|fix(?:ed)?|"
    r"mitigat(?:e|ed|ion)|back to normal|fully operational)"
    r"(?![A-Za-z])",
    # Matched against the lowercased text: no re.IGNORECASE, which is several times slower.
)


# A clause that reports the past ("recovered at 19:52 UTC") names no promise, unless it also
# speaks of the future.
_FUTURE = re.compile(
    r"将|会|预计|预期|计划|(?<![A-Za-z])(?:will|expect(?:ed|s)?|anticipate[sd]?|should|estimated?|"
    r"plan(?:ned)?|next|by then|going to|aim)(?![A-Za-z])",
    # Matched against the lowercased text: no re.IGNORECASE, which is several times slower.
)
_PAST = re.compile(
    r"已经|(?<![A-Za-z])(?:was|were|had|began|started|recovered|resolved|restored|mitigated|"
    r"completed|reached|occurred|ended|caught up|returned|saw|experienced)(?![A-Za-z])",
    # Matched against the lowercased text: no re.IGNORECASE, which is several times slower.
)


@dataclass(frozen=True, slots=True)
class RoleTime:
    """A time expression in the body with the role its clause gives it."""

    expr: TimeExpr
    role: Role
    clause: Segment


@lru_cache(maxsize=512)
def _times_of(norm: str, lower: str) -> tuple[TimeExpr, ...]:
    # The same rendition is parsed by its own check and again by the consistency check.
    return tuple(extract(norm, lower))


@dataclass
class Doc:
    """Everything the checks read, computed once per draft."""

    draft: Draft
    ctx: GuardContext
    memo: dict[str, object] = dataclasses.field(default_factory=dict)
    body: Text = dataclasses.field(init=False)
    title: Text | None = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.body = Text(self.draft.body)
        self.title = Text(self.draft.title) if self.draft.title else None

    @cached_property
    def zone(self) -> ZoneInfo:
        """The audience's zone."""
        return self.ctx.zone()

    @cached_property
    def local_now(self) -> datetime:
        """The draft time in the audience's zone."""
        return self.ctx.now.astimezone(self.zone)

    @cached_property
    def moments(self) -> dict[int, datetime]:
        """The datetime each clock expression of the body names, by start offset."""
        now, zone = self.ctx.now, self.zone
        out: dict[int, datetime] = {}
        times = self.times
        text = self.body.norm
        for i, e in enumerate(times):
            if e.kind != "clock":
                continue
            at: datetime | None = None
            # A date right after ("17:40 UTC on Apr 17") or right before ("2023年10月20日 02:00").
            for j in (i + 1, i - 1):
                if 0 <= j < len(times) and times[j].kind == "date":
                    d = times[j]
                    gap = text[e.end : d.start] if j > i else text[d.end : e.start]
                    if len(gap) <= 4 and gap.strip().lower() in ("", "on", ","):
                        date = parse_date(d.text)
                        if date is not None:
                            at = resolve_with_date(e, date, now, zone)
                        break
            out[e.start] = at or resolve_clock(e, now, zone)
        return out

    def fields(self) -> list[tuple[Field_, Text]]:
        """Title (when there is one) and body."""
        out: list[tuple[Field_, Text]] = []
        if self.title is not None:
            out.append(("title", self.title))
        out.append(("body", self.body))
        return out

    @cached_property
    def times(self) -> list[TimeExpr]:
        """Time expressions of the body."""
        return list(_times_of(self.body.norm, self.body.lower))

    @cached_property
    def role_times(self) -> list[RoleTime]:
        """Body time expressions with the role their clause gives them."""
        out: list[RoleTime] = []
        if not self.times:
            return out
        sentences = self.body.sentences()
        for expr in self.times:
            sent = self.body.segment_of(expr.start, sentences)
            if sent is None:
                continue
            clause = self.body.segment_of(expr.start, self.body.clauses(sent)) or sent
            role = self._role(clause, expr)
            if role == "other" and not self._has_cue(clause):
                # "We will provide an update in 30 minutes, by 14:00": a cue-less clause
                # continues the update promise made earlier in its sentence.
                before = Segment(sent.start, expr.start)
                if _UPDATE_CUES.search(self.body.lower, before.start, before.end):
                    role = self._role(before, expr)
            out.append(RoleTime(expr, role, clause))
        return out

    def _has_cue(self, seg: Segment) -> bool:
        text = self.body.lower
        return bool(
            _UPDATE_CUES.search(text, seg.start, seg.end)
            or _ETA_CUES.search(text, seg.start, seg.end)
        )

    def _role(self, clause: Segment, expr: TimeExpr) -> Role:
        text = self.body.lower
        best: tuple[int, Role] | None = None
        for role, cues in (("next_update", _UPDATE_CUES), ("eta", _ETA_CUES)):
            for m in cues.finditer(text, clause.start, clause.end):
                if expr.start <= m.start() < expr.end:
                    continue
                # Distance: cues before the time win over cues after it.
                dist = (
                    expr.start - m.end() if m.end() <= expr.start else 10_000 + m.start() - expr.end
                )
                if best is None or dist < best[0]:
                    best = (dist, role)  # type: ignore[assignment]
        if best is None:
            return "other"
        if not _FUTURE.search(text, clause.start, clause.end) and (
            self.ctx.stage == "resolved" or _PAST.search(text, clause.start, clause.end)
        ):
            return "other"
        return best[1]

    def with_role(self, *roles: Role) -> list[RoleTime]:
        """Body times with one of the given roles."""
        return [rt for rt in self.role_times if rt.role in roles]


class _Defaults(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, **values: str) -> str:
    """Fill {name} placeholders, leaving unknown ones as they are."""
    return template.format_map(_Defaults(values))


@dataclass(frozen=True, slots=True)
class Hit:
    """A raw match a check produced, before it becomes a Finding."""

    field: Field_
    start: int
    end: int
    values: dict[str, str] = dataclasses.field(default_factory=dict)
    fix: str | None = None
    suggestion: str | None = None


def to_finding(
    doc: Doc,
    rule_id: str,
    level: str,
    message: str,
    reask: str,
    playbook: str,
    hit: Hit,
    suggestion_template: str | None,
) -> Finding:
    """Turn a hit into a Finding with its span mapped back to the original text."""
    text = doc.title if hit.field == "title" and doc.title is not None else doc.body
    start = min(hit.start, len(text.norm))
    end = min(max(hit.end, start), len(text.norm))
    span = text.span(start, end)
    match = text.original[span.start : span.end]
    values = {"match": match, **hit.values}
    suggestion = hit.suggestion
    if suggestion is None and suggestion_template:
        suggestion = render(suggestion_template, **values)
    return Finding(
        rule_id=rule_id,
        level=level,  # type: ignore[arg-type]
        message=render(message, **values),
        span=span,
        match=match,
        fix=hit.fix,
        suggestion=suggestion,
        reask=render(reask, **values),
        field=hit.field,
        playbook=playbook,
    )
