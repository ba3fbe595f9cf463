"""Rules with their patterns compiled, and the shared helpers checks use to scan text."""

import re
from dataclasses import dataclass, field

from guards.doc import Doc
from guards.models import Field_, Lang, Stage
from guards.schema import ExistenceRule, RequiredRule, Rule, SubstitutionRule
from guards.text import Segment, Text

_WORD = re.compile(r"\w", re.ASCII)


def term_pattern(term: str) -> str:
    """A literal term as a regex with CJK-aware boundaries.

    `\\b` treats CJK characters as word characters, so "服务crash了" would never match
    `\\bcrash\\b`; ASCII-word edges get ASCII-only lookarounds instead.
    """
    if not term:
        raise ValueError("empty term")
    body = re.escape(term[1:]).replace(r"\ ", r"\s+")
    first = re.escape(term[0])
    if _WORD.match(term[0]):
        # The boundary check comes after the first character so that the compiled pattern starts
        # with a literal, which lets the regex engine skip ahead quickly.
        first += r"(?<![A-Za-z0-9_].)"
    body = first + body
    if _WORD.match(term[-1:] or " "):
        body += r"(?![A-Za-z0-9_])"
    return body


def alternation(tokens: list[str], patterns: list[str], flags: int) -> re.Pattern[str] | None:
    """One compiled alternation of literal tokens (longest first) and raw patterns."""
    parts = [term_pattern(t) for t in sorted(tokens, key=len, reverse=True)]
    parts += [f"(?:{p})" for p in patterns]
    if not parts:
        return None
    return re.compile("|".join(parts), flags)


_UPPER_LITERAL = re.compile(r"(?<!\\)[A-Z]")


def lowercase_ok(rule: Rule) -> bool:
    """Whether a case-insensitive rule can match lowercased text with flag-free patterns.

    Case-insensitive regexes are many times slower in CPython; lowercasing the text once and
    matching lowercase patterns is equivalent when no pattern spells an uppercase literal.
    """
    if not getattr(rule, "ignorecase", True):
        return False
    texts: list[str] = [getattr(rule, "prefilter", None) or ""]
    for name in ("patterns", "exceptions"):
        for pats in getattr(rule, name, {}).values():
            texts += pats
    deferral = getattr(rule, "deferral", None)
    if deferral is not None:
        for pats in deferral.patterns.values():
            texts += pats
    for per_lang in getattr(rule, "exceptions_by_stage", {}).values():
        for pats in per_lang.values():
            texts += pats
    return not any(_UPPER_LITERAL.search(t) for t in texts)


@dataclass(slots=True)
class Compiled:
    """A rule, where it was defined, and its compiled patterns per language."""

    rule: Rule
    source: str
    line: int
    pats: dict[Lang, re.Pattern[str]] = field(default_factory=dict)
    excs: dict[Lang, re.Pattern[str]] = field(default_factory=dict)
    stage_excs: dict[tuple[Stage, Lang], re.Pattern[str]] = field(default_factory=dict)
    swaps: dict[Lang, dict[str, str]] = field(default_factory=dict)
    deferrals: dict[Lang, re.Pattern[str]] = field(default_factory=dict)
    use_lower: bool = False
    prefilter: re.Pattern[str] | None = None

    def hay(self, text: Text) -> str:
        """The form of a text this rule's patterns match against."""
        return text.lower if self.use_lower else text.norm


def compile_rule(rule: Rule, source: str, line: int) -> Compiled:
    """Compile a rule's patterns; re.error propagates for the loader to locate."""
    c = Compiled(rule, source, line, use_lower=lowercase_ok(rule))
    flags = re.IGNORECASE if getattr(rule, "ignorecase", True) and not c.use_lower else 0

    def toks(values: list[str]) -> list[str]:
        return [v.lower() for v in values] if c.use_lower else values

    if isinstance(rule, ExistenceRule):
        if rule.prefilter:
            c.prefilter = re.compile(rule.prefilter, flags)
        for lang in rule.langs:
            pat = alternation(toks(rule.tokens.get(lang, [])), rule.patterns.get(lang, []), flags)
            if pat is not None:
                c.pats[lang] = pat
            exc = alternation([], rule.exceptions.get(lang, []), flags)
            if exc is not None:
                c.excs[lang] = exc
        for stage, per_lang in rule.exceptions_by_stage.items():
            for lang, pats in per_lang.items():
                exc = alternation([], pats, flags)
                if exc is not None:
                    c.stage_excs[(stage, lang)] = exc
    elif isinstance(rule, SubstitutionRule):
        for lang, swap in rule.swap.items():
            pat = alternation(toks(list(swap)), [], flags)
            if pat is not None:
                c.pats[lang] = pat
            c.swaps[lang] = {k.lower(): v for k, v in swap.items()}
            exc = alternation([], rule.exceptions.get(lang, []), flags)
            if exc is not None:
                c.excs[lang] = exc
    elif isinstance(rule, RequiredRule):
        for lang in rule.langs:
            pat = alternation([], rule.patterns.get(lang, []), flags)
            if pat is not None:
                c.pats[lang] = pat
    deferral = getattr(rule, "deferral", None)
    if deferral is not None:
        for lang, pats in deferral.patterns.items():
            pat = alternation([], pats, flags)
            if pat is not None:
                c.deferrals[lang] = pat
    return c


def regions(doc: Doc, scope: str) -> list[tuple[Field_, Text, Segment]]:
    """The parts of the draft a rule's scope covers."""
    out: list[tuple[Field_, Text, Segment]] = []
    if scope == "title":
        if doc.title is not None:
            out.append(("title", doc.title, Segment(0, len(doc.title.norm))))
        return out
    if scope == "first_sentence":
        sents = doc.body.sentences()
        if sents:
            out.append(("body", doc.body, sents[0]))
        return out
    for name, text in doc.fields():
        out.append((name, text, Segment(0, len(text.norm))))
    return out


def deferred(c: Compiled, doc: Doc) -> bool:
    """Whether the draft defers the rule's element in words while the facts lack it."""
    deferral = getattr(c.rule, "deferral", None)
    pat = c.deferrals.get(doc.ctx.lang)
    if deferral is None or pat is None:
        return False
    facts = doc.ctx.facts
    known = getattr(facts, deferral.while_missing, None) if facts is not None else None
    if known not in (None, "", []):
        return False
    return any(
        pat.search(c.hay(text), seg.start, seg.end) for _, text, seg in regions(doc, c.rule.scope)
    )


def masked(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) lies inside an exception match."""
    return any(s <= start and end <= e for s, e in spans)


def exception_spans(c: Compiled, doc: Doc, text: Text, seg: Segment) -> list[tuple[int, int]]:
    """Spans of exception matches (language-wide and for the draft's stage)."""
    lang = doc.ctx.lang
    out: list[tuple[int, int]] = []
    pats = [c.excs.get(lang)]
    if doc.ctx.stage is not None:
        pats.append(c.stage_excs.get((doc.ctx.stage, lang)))
    for pat in pats:
        if pat is not None:
            out += [(m.start(), m.end()) for m in pat.finditer(c.hay(text), seg.start, seg.end)]
    return out
