"""Consistency: renditions of one update carry the same times and numbers (PLAYBOOK §7)."""

import re
from datetime import UTC

from guards.compiled import Compiled
from guards.doc import Doc, Hit, to_finding
from guards.models import Finding
from guards.schema import ConsistencyRule

_NUM = re.compile(
    r"\d+(?:\.\d+)?\s*%|(?<![\d:.,])\d{1,3}(?:,\d{3})+(?![\d,])|(?<![\d:.])\d+(?:\.\d+)?(?![\d:])"
)


def _values(doc: Doc, check: str) -> list[tuple[str, int, int]]:
    """(normalised value, start, end) of every time or number in the body."""
    out: list[tuple[str, int, int]] = []
    if check == "times":
        for e in doc.times:
            if e.kind == "clock":
                at = doc.moments[e.start].astimezone(UTC)
                out.append((at.strftime("%H:%M UTC"), e.start, e.end))
        return out
    taken = [(e.start, e.end) for e in doc.times if e.kind in ("clock", "date")]
    for m in _NUM.finditer(doc.body.norm):
        if any(s <= m.start() < e for s, e in taken):
            continue
        value = re.sub(r"\s+", "", m.group()).replace(",", "")
        out.append((value, m.start(), m.end()))
    return out


def consistency(c: Compiled, docs: list[Doc]) -> list[Finding]:
    """A finding on every value one rendition states that another (non-SMS) one lacks."""
    rule = c.rule
    assert isinstance(rule, ConsistencyRule)
    values = [_values(d, rule.check) for d in docs]
    sets = [{v for v, _, _ in vs} for vs in values]
    findings: list[Finding] = []
    for i, doc in enumerate(docs):
        if doc.ctx.lang not in rule.langs:
            continue
        for value, start, end in values[i]:
            for j, other in enumerate(docs):
                # SMS is allowed to leave details out; it may not contradict.
                if j == i or other.ctx.channel == "sms" or value in sets[j]:
                    continue
                where = f"{other.ctx.channel}/{other.ctx.lang} #{j}"
                hit = Hit("body", start, end, {"value": value, "other": where})
                f = to_finding(
                    doc,
                    rule.id,
                    rule.level,
                    rule.message[doc.ctx.lang],
                    rule.reask,
                    rule.playbook,
                    hit,
                    None,
                )
                findings.append(f.model_copy(update={"rendition": i}))
                break
    return findings
