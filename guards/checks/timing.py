"""Time-precision checks: next-update times and ETAs are absolute, future and on cadence."""

import math
import re
from datetime import datetime, timedelta
from typing import Any

from guards.compiled import Compiled
from guards.doc import Doc, Hit, RoleTime
from guards.schema import TimingRule
from guards.timeparse import fmt_clock, parse_date, resolve_clock, resolve_with_date

_DATE = re.compile(
    r"(?:(?P<y>\d{4})\s*年\s*)?(?P<mo>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
)


def cadence_minutes(params: dict[str, Any], severity: str) -> int | None:
    """The severity's update interval from a rule's params (None: as planned)."""
    table: dict[str, int] = params.get("cadence_minutes", {})
    return table.get(severity)


def eta_window(doc: Doc, params: dict[str, Any]) -> tuple[datetime, datetime] | None:
    """Earliest and latest public ETA the documented buffer allows (PLAYBOOK §9)."""
    facts = doc.ctx.facts
    if facts is None or facts.engineering_eta_minutes is None:
        return None
    base = facts.eta_estimated_at or doc.ctx.now
    low_b, high_b = params.get("eta_buffer", [0.30, 0.50])
    step = int(params.get("round_to_minutes", 5))
    m = facts.engineering_eta_minutes

    def buffered(b: float) -> int:
        return math.ceil(m * (1 + b) / step - 1e-9) * step

    return base + timedelta(minutes=buffered(low_b)), base + timedelta(minutes=buffered(high_b))


def moment(doc: Doc, rt: RoleTime) -> datetime | None:
    """The datetime a next-update or ETA phrase names."""
    e = rt.expr
    if e.kind == "clock":
        return doc.moments.get(e.start) or resolve_clock(e, doc.ctx.now, doc.zone)
    if e.kind == "relative" and e.minutes is not None:
        return doc.local_now + timedelta(minutes=e.minutes)
    return None


def _clock_in_clause(doc: Doc, rt: RoleTime) -> bool:
    return any(
        o.expr.kind == "clock" and o.clause == rt.clause and o.role == rt.role
        for o in doc.role_times
    )


def _label(doc: Doc) -> str | None:
    return "UTC" if doc.ctx.timezone in ("UTC", "Etc/UTC") else doc.local_now.tzname()


def timing(c: Compiled, doc: Doc) -> list[Hit]:
    """Dispatch on the rule's `check`."""
    rule = c.rule
    assert isinstance(rule, TimingRule)
    return _CHECKS[rule.check](rule, doc)


def _next_update_present(rule: TimingRule, doc: Doc) -> list[Hit]:
    ok = any(rt.expr.kind in ("clock", "relative") for rt in doc.with_role("next_update"))
    return [] if ok else [Hit("body", 0, 0)]


def _eta_present(rule: TimingRule, doc: Doc) -> list[Hit]:
    ok = any(rt.expr.kind in ("clock", "relative") for rt in doc.with_role("eta"))
    return [] if ok else [Hit("body", 0, 0)]


def _relative(rule: TimingRule, doc: Doc) -> list[Hit]:
    hits: list[Hit] = []
    for rt in doc.with_role("next_update", "eta"):
        if rt.expr.kind != "relative" or _clock_in_clause(doc, rt):
            continue
        at = moment(doc, rt)
        if at is None:
            continue
        # Round up to the minute: a promise must not land earlier than the phrase allowed.
        if at.second or at.microsecond:
            at = at.replace(second=0, microsecond=0) + timedelta(minutes=1)
        if doc.ctx.lang == "zh":
            clock = fmt_clock(at, "zh", None)
            suggestion = f"{rt.expr.text}（{clock}前）"
        else:
            clock = fmt_clock(at, "en", _label(doc))
            suggestion = f"by {clock}"
        hits.append(
            Hit("body", rt.expr.start, rt.expr.end, {"clock": clock}, suggestion=suggestion)
        )
    return hits


def _future(rule: TimingRule, doc: Doc) -> list[Hit]:
    hits: list[Hit] = []
    now = doc.ctx.now
    for rt in doc.with_role("next_update", "eta"):
        if rt.expr.kind != "clock":
            continue
        at = moment(doc, rt)
        if at is not None and at <= now:
            hits.append(Hit("body", rt.expr.start, rt.expr.end, {"now": _now_text(doc)}))
    return hits


def _now_text(doc: Doc) -> str:
    return doc.local_now.strftime("%H:%M")


def _cadence(rule: TimingRule, doc: Doc) -> list[Hit]:
    limit = cadence_minutes(rule.params, doc.ctx.severity)
    if limit is None:
        return []
    hits: list[Hit] = []
    latest = doc.ctx.now + timedelta(minutes=limit)
    for rt in doc.with_role("next_update"):
        at = moment(doc, rt)
        if at is not None and at > latest:
            values = {"limit": str(limit), "severity": doc.ctx.severity}
            values["latest"] = latest.astimezone(doc.zone).strftime("%H:%M")
            hits.append(Hit("body", rt.expr.start, rt.expr.end, values))
    return hits


def _tz_label(rule: TimingRule, doc: Doc) -> list[Hit]:
    home: dict[str, list[str]] = rule.params.get("home_zones", {})
    if doc.ctx.timezone in home.get(doc.ctx.lang, []):
        return []
    hits: list[Hit] = []
    label = _label(doc) or doc.ctx.timezone
    for rt in doc.with_role("next_update", "eta"):
        if rt.expr.kind == "clock" and not rt.expr.has_label:
            hits.append(
                Hit(
                    "body",
                    rt.expr.start,
                    rt.expr.end,
                    {"label": label},
                    suggestion=f"{rt.expr.text} {label}",
                )
            )
    return hits


def _no_recovery_time(rule: TimingRule, doc: Doc) -> list[Hit]:
    return [
        Hit("body", rt.expr.start, rt.expr.end)
        for rt in doc.with_role("eta")
        if rt.expr.kind in ("clock", "relative", "fuzzy")
    ]


def window_start(doc: Doc) -> datetime | None:
    """When a maintenance window starts: from the facts, else the body's first date and time."""
    facts = doc.ctx.facts
    if facts is not None and facts.scheduled_for is not None:
        return facts.scheduled_for
    m = _DATE.search(doc.body.norm)
    clocks = [e for e in doc.times if e.kind == "clock"]
    date = parse_date(m.group()) if m is not None else None
    if date is None or not clocks:
        return None
    return resolve_with_date(clocks[0], date, doc.ctx.now, doc.zone)


def _maintenance_lead(rule: TimingRule, doc: Doc) -> list[Hit]:
    start = window_start(doc)
    if start is None:
        return []
    need = timedelta(hours=float(rule.params.get("min_hours", 24)))
    lead = start - doc.ctx.now
    if lead >= need:
        return []
    hours = max(lead.total_seconds() / 3600, 0)
    return [
        Hit(
            "body",
            0,
            0,
            {"hours": f"{hours:.1f}", "min_hours": str(need.seconds // 3600 + need.days * 24)},
        )
    ]


_CHECKS = {
    "next_update_present": _next_update_present,
    "eta_present": _eta_present,
    "relative": _relative,
    "future": _future,
    "cadence": _cadence,
    "tz_label": _tz_label,
    "no_recovery_time": _no_recovery_time,
    "maintenance_lead": _maintenance_lead,
}
