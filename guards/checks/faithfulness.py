"""Faithfulness: every number, time and name in a draft comes from the facts or a computation."""

import re
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from guards.checks.timing import cadence_minutes, eta_window, moment
from guards.compiled import Compiled
from guards.doc import Doc, Hit
from guards.models import GuardFacts
from guards.schema import FaithfulnessRule

_PCT = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*%|百分之(?P<cn>[零一二两三四五六七八九十百]+|\d+)")
_FACT_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
# Candidates only; whether one is a standalone number is decided by `_standalone` (fast: no
# look-behind at the start of the pattern).
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?![\d,])|\d+(?:\.\d+)?")
_NOT_BEFORE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-/#")
_NOT_AFTER = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_%.:")


def _standalone(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return before not in _NOT_BEFORE and after not in _NOT_AFTER


def _fact_numbers(facts: GuardFacts, doc: Doc | None = None) -> set[float]:
    if doc is not None:
        cached = doc.memo.get("fact_numbers")
        if isinstance(cached, set):
            return cached
    out: set[float] = set()
    for s in facts.strings():
        for m in _FACT_NUMBER.finditer(s):
            try:
                out.add(float(m.group().replace(",", "")))
            except ValueError:
                continue
    for v in (facts.affected_share_pct, facts.recovery_pct, facts.engineering_eta_minutes):
        if v is not None:
            out.add(float(v))
    if doc is not None:
        doc.memo["fact_numbers"] = out
    return out


def faithfulness(c: Compiled, doc: Doc) -> list[Hit]:
    """Dispatch on the rule's `check`; silent when the context has no facts."""
    rule = c.rule
    assert isinstance(rule, FaithfulnessRule)
    facts = doc.ctx.facts
    if facts is None:
        return []
    return _CHECKS[rule.check](rule, doc, facts)


def _percentages(rule: FaithfulnessRule, doc: Doc, facts: GuardFacts) -> list[Hit]:
    allowed = set(_fact_numbers(facts, doc))
    for v in (facts.affected_share_pct, facts.recovery_pct):
        if v is not None:
            # Documented: the share still affected is 100 minus the recovered share.
            allowed |= {float(v), 100.0 - float(v)}
    hits: list[Hit] = []
    for m in _PCT.finditer(doc.body.norm):
        if m.group("n") is not None:
            value = float(m.group("n"))
        else:
            continue  # 百分之… is rare in updates; the numeric form is what templates use
        if not any(abs(value - a) <= 0.5 for a in allowed):
            hits.append(Hit("body", m.start(), m.end(), {"value": m.group()}))
    return hits


def _fact_moments(doc: Doc, facts: GuardFacts, params: dict[str, Any]) -> list[datetime]:
    moments = [doc.ctx.now]
    for v in (
        facts.detected_at,
        facts.recovered_at,
        facts.eta_estimated_at,
        facts.scheduled_for,
        facts.scheduled_until,
    ):
        if v is not None:
            moments.append(v)
    window = eta_window(doc, params)
    if window is not None:
        moments += list(window)
    return moments


def rule_params_default() -> dict[str, Any]:
    """Buffer parameters of PLAYBOOK §9 when a rule does not override them."""
    return {"eta_buffer": [0.30, 0.50], "round_to_minutes": 5}


def _minutes_of(moments: list[datetime], zone: ZoneInfo) -> set[int]:
    out = set()
    for target in moments:
        local = target.astimezone(zone)
        out.add(local.hour * 60 + local.minute)
    return out


def _clock_times(rule: FaithfulnessRule, doc: Doc, facts: GuardFacts) -> list[Hit]:
    hits: list[Hit] = []
    roles = {rt.expr.start: rt for rt in doc.role_times}
    moments = _fact_moments(doc, facts, rule.params or rule_params_default())
    window = eta_window(doc, rule.params or rule_params_default())
    by_zone: dict[str | None, set[int]] = {}
    for expr in doc.times:
        if expr.kind != "clock":
            continue
        if expr.tz not in by_zone:
            by_zone[expr.tz] = _minutes_of(moments, ZoneInfo(expr.tz) if expr.tz else doc.zone)
        if expr.minutes in by_zone[expr.tz]:
            continue
        rt = roles.get(expr.start)
        at = moment(doc, rt) if rt is not None else None
        if rt is not None and at is not None:
            # The cadence rule owns the window; any future next-update time is computable.
            if rt.role == "next_update" and at > doc.ctx.now:
                continue
            if rt.role == "eta" and window is not None and window[0] <= at <= window[1]:
                continue
        hits.append(Hit("body", expr.start, expr.end, {"value": expr.text}))
    return hits


def _durations(rule: FaithfulnessRule, doc: Doc, facts: GuardFacts) -> list[Hit]:
    hits: list[Hit] = []
    roles = {rt.expr.start: rt for rt in doc.role_times}
    window = eta_window(doc, rule.params or rule_params_default())
    limit = cadence_minutes(rule.params, doc.ctx.severity)
    allowed: list[float] = [float(n) for n in _fact_numbers(facts, doc)]
    if facts.detected_at is not None and facts.recovered_at is not None:
        allowed.append((facts.recovered_at - facts.detected_at).total_seconds() / 60)
    if facts.engineering_eta_minutes is not None:
        allowed.append(float(facts.engineering_eta_minutes))
    if window is not None:
        base = facts.eta_estimated_at or doc.ctx.now
        allowed += [(w - base).total_seconds() / 60 for w in window]
    for expr in doc.times:
        if expr.kind not in ("relative", "duration") or expr.minutes is None:
            continue
        d = expr.minutes
        rt = roles.get(expr.start)
        if rt is not None and rt.role == "next_update" and (limit is None or d <= limit):
            continue
        if rt is not None and rt.role == "eta" and window is not None:
            at = doc.ctx.now + timedelta(minutes=d)
            # An hour-granular phrase ("1小时内") may round the buffered ETA to the hour.
            slack = timedelta(minutes=30 if d % 60 == 0 else 5)
            if window[0] - slack <= at <= window[1] + slack:
                continue
        if any(abs(d - a) <= max(5.0, 0.05 * a) for a in allowed):
            continue
        hits.append(Hit("body", expr.start, expr.end, {"value": expr.text}))
    return hits


def _numbers(rule: FaithfulnessRule, doc: Doc, facts: GuardFacts) -> list[Hit]:
    text = doc.body.norm
    taken = bytearray(len(text) + 1)
    for e in doc.times:
        taken[e.start : e.end] = b"\x01" * (e.end - e.start)
    for pm in _PCT.finditer(text):
        taken[pm.start() : pm.end()] = b"\x01" * (pm.end() - pm.start())
    allowed = _fact_numbers(facts, doc)
    ignore = {float(x) for x in rule.params.get("ignore", [0, 1])}
    hits: list[Hit] = []
    for m in _NUMBER.finditer(text):
        if taken[m.start()] or not _standalone(text, m.start(), m.end()):
            continue
        value = float(m.group().replace(",", ""))
        if value in ignore or value in allowed:
            continue
        hits.append(Hit("body", m.start(), m.end(), {"value": m.group()}))
    return hits


@cache
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(n.lower()) for n in sorted(names, key=len, reverse=True)))


def _names(rule: FaithfulnessRule, doc: Doc, facts: GuardFacts) -> list[Hit]:
    names: list[str] = rule.params.get("names", {}).get(doc.ctx.lang, [])
    if not names:
        return []
    known = " ".join(facts.strings()).lower()
    hits: list[Hit] = []
    for m in _names_pattern(tuple(names)).finditer(doc.body.lower):
        if m.group() not in known:
            hits.append(Hit("body", m.start(), m.end(), {"value": m.group()}))
    return hits


_CHECKS = {
    "percentages": _percentages,
    "clock_times": _clock_times,
    "durations": _durations,
    "numbers": _numbers,
    "names": _names,
}
