"""The entry points: check one draft, or the renditions of one update against each other."""

from guards.checks import CHECKS
from guards.checks.consistency import consistency
from guards.compiled import Compiled, deferred
from guards.doc import Doc, Hit, to_finding
from guards.loader import RuleSet, load_packs
from guards.models import LEVELS, Draft, Finding, GuardContext, GuardReport, Level, Reask, ReaskItem

_LEVEL_ORDER = {level: i for i, level in enumerate(LEVELS)}


def applies(c: Compiled, ctx: GuardContext) -> bool:
    """Whether a rule is in force for this language, stage, notice kind, channel and facts."""
    rule = c.rule
    if ctx.lang not in rule.langs:
        return False
    if rule.stages is not None and ctx.stage not in rule.stages:
        return False
    if rule.kinds is not None and ctx.kind not in rule.kinds:
        return False
    if rule.channels is not None and ctx.channel not in rule.channels:
        return False
    if rule.when_fact is not None:
        value = getattr(ctx.facts, rule.when_fact, None) if ctx.facts is not None else None
        if value in (None, "", []):
            return False
    return True


def run_rule(c: Compiled, doc: Doc) -> list[Finding]:
    """Findings of one rule on one prepared draft."""
    rule = c.rule
    lang = doc.ctx.lang
    template = rule.suggestion.get(lang) if rule.suggestion else None
    if c.deferrals and deferred(c, doc):
        return []
    hits: list[Hit] = CHECKS[rule.kind](c, doc)
    return [
        to_finding(
            doc, rule.id, rule.level, rule.message[lang], rule.reask, rule.playbook, hit, template
        )
        for hit in hits
    ]


def _apply_fixes(original: str, findings: list[Finding]) -> str:
    out = original
    last_start = len(original) + 1
    for f in sorted(findings, key=lambda f: f.span.start, reverse=True):
        if f.fix is None or f.span.end > last_start:
            continue
        out = out[: f.span.start] + f.fix + out[f.span.end :]
        last_start = f.span.start
    return out


def _reask(findings: list[Finding]) -> Reask | None:
    items = [
        ReaskItem(rule_id=f.rule_id, level=f.level, match=f.match, instruction=f.reask)
        for f in findings
        if f.level != "suggestion"
    ]
    if not items:
        return None
    lines = ["Revise the draft. Keep every fact as given; change only what these points require:"]
    for i, item in enumerate(items, 1):
        where = f' (at "{item.match}")' if item.match else ""
        lines.append(f"{i}. [{item.level}] {item.rule_id}{where}: {item.instruction}")
    return Reask(prompt="\n".join(lines), items=items)


def _in_force(ruleset: RuleSet, ctx: GuardContext) -> list[Compiled]:
    facts = ctx.facts
    present = frozenset(
        name for name in ruleset.when_facts if facts is not None and getattr(facts, name, None)
    )
    key = (id(ruleset), ctx.lang, ctx.stage, ctx.kind, ctx.channel, present)
    cached = _IN_FORCE.get(key)
    if cached is None:
        cached = [c for c in ruleset.rules if c.rule.kind != "consistency" and applies(c, ctx)]
        if len(_IN_FORCE) > 4096:
            _IN_FORCE.clear()
        _IN_FORCE[key] = cached
    return cached


_IN_FORCE: dict[tuple[object, ...], list[Compiled]] = {}


def check(draft: Draft, context: GuardContext, rules: RuleSet | None = None) -> GuardReport:
    """Check one draft against every rule in force for its context."""
    ruleset = rules if rules is not None else load_packs()
    doc = Doc(draft, context)
    findings: list[Finding] = []
    for c in _in_force(ruleset, context):
        findings += run_rule(c, doc)
    findings.sort(key=lambda f: (f.field != "title", f.span.start, _LEVEL_ORDER[f.level]))
    counts: dict[Level, int] = dict.fromkeys(LEVELS, 0)
    for f in findings:
        counts[f.level] += 1
    body_fixes = [f for f in findings if f.field == "body"]
    title_fixes = [f for f in findings if f.field == "title"]
    return GuardReport(
        passed=counts["error"] == 0,
        counts=counts,
        findings=findings,
        fixed_text=_apply_fixes(draft.body, body_fixes),
        fixed_title=_apply_fixes(draft.title, title_fixes) if draft.title is not None else None,
        reask=_reask(findings),
        rules_version=ruleset.version,
    )


def check_consistency(
    renditions: list[tuple[Draft, GuardContext]], rules: RuleSet | None = None
) -> list[Finding]:
    """Compare renditions of one update (channels, languages): same times and numbers."""
    ruleset = rules if rules is not None else load_packs()
    docs = [Doc(d, ctx) for d, ctx in renditions]
    findings: list[Finding] = []
    for c in ruleset.rules:
        if c.rule.kind == "consistency":
            findings += consistency(c, docs)
    return findings
