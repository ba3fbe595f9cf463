"""Required-element checks: the scope must contain one of the patterns or a fact value."""

from guards.compiled import Compiled, regions
from guards.doc import Doc, Hit
from guards.schema import RequiredRule


def _fact_values(doc: Doc, names: list[str]) -> list[str]:
    facts = doc.ctx.facts
    if facts is None:
        return []
    out: list[str] = []
    for name in names:
        value = getattr(facts, name, None)
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list):
            out += [v for v in value if isinstance(v, str)]
    return [v.lower() for v in out if len(v) >= 2]


def required(c: Compiled, doc: Doc) -> list[Hit]:
    """One hit at the start of the body when the element is missing."""
    rule = c.rule
    assert isinstance(rule, RequiredRule)
    pat = c.pats.get(doc.ctx.lang)
    terms = _fact_values(doc, rule.fact_terms)
    for _name, text, seg in regions(doc, rule.scope):
        if pat is not None and pat.search(c.hay(text), seg.start, seg.end):
            return []
        chunk = text.lower[seg.start : seg.end]
        if any(t in chunk for t in terms):
            return []
    return [Hit("body", 0, 0)]
