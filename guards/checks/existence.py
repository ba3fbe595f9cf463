"""Existence (forbidden phrasing, sensitive data) and substitution (glossary) checks."""

import re
from functools import cache

from guards.compiled import Compiled, exception_spans, masked, regions, term_pattern
from guards.doc import Doc, Hit
from guards.schema import ExistenceRule, SubstitutionRule


def _span(m: re.Match[str]) -> tuple[int, int]:
    # A pattern may name the part to report `hit`, keeping the rest as context.
    if "hit" in m.re.groupindex and m.group("hit") is not None:
        return m.start("hit"), m.end("hit")
    return m.start(), m.end()


@cache
def _deny_pattern(terms: tuple[str, ...], lowered: bool) -> re.Pattern[str]:
    return re.compile("|".join(term_pattern(t) for t in terms), 0 if lowered else re.I)


def existence(c: Compiled, doc: Doc) -> list[Hit]:
    """Flag every match not inside an exception."""
    rule = c.rule
    assert isinstance(rule, ExistenceRule)
    pats = [p for p in (c.pats.get(doc.ctx.lang),) if p is not None]
    if rule.use_deny_terms and doc.ctx.deny_terms:
        deny = [t.lower() if c.use_lower else t for t in doc.ctx.deny_terms if t]
        pats.append(_deny_pattern(tuple(deny), c.use_lower))
    hits: list[Hit] = []
    for name, text, seg in regions(doc, rule.scope):
        if c.prefilter is not None and not c.prefilter.search(c.hay(text), seg.start, seg.end):
            continue
        masks: list[tuple[int, int]] | None = None
        for pat in pats:
            for m in pat.finditer(c.hay(text), seg.start, seg.end):
                start, end = _span(m)
                if masks is None:
                    masks = exception_spans(c, doc, text, seg)
                if not masked(masks, start, end):
                    hits.append(Hit(name, start, end))
    return hits


def _keep_case(source: str, replacement: str) -> str:
    if source[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def substitution(c: Compiled, doc: Doc) -> list[Hit]:
    """Flag glossary terms and offer the preferred term (a fix when the rule is safe)."""
    rule = c.rule
    assert isinstance(rule, SubstitutionRule)
    pat = c.pats.get(doc.ctx.lang)
    if pat is None:
        return []
    swaps = c.swaps[doc.ctx.lang]
    hits: list[Hit] = []
    for name, text, seg in regions(doc, rule.scope):
        masks: list[tuple[int, int]] | None = None
        for m in pat.finditer(c.hay(text), seg.start, seg.end):
            if masks is None:
                masks = exception_spans(c, doc, text, seg)
            if masked(masks, m.start(), m.end()):
                continue
            key = re.sub(r"\s+", " ", m.group().lower())
            replacement = _keep_case(text.norm[m.start() : m.end()], swaps.get(key, ""))
            hits.append(
                Hit(
                    name,
                    m.start(),
                    m.end(),
                    {"replacement": replacement},
                    fix=replacement if rule.safe else None,
                    suggestion=replacement,
                )
            )
    return hits
