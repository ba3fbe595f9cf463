"""Required-element coverage: the `required.*` rules in force for a text, and those it met."""

from collections import Counter
from dataclasses import dataclass, field

from guards import GuardContext, GuardReport, RuleSet
from guards.engine import applies

REQUIRED_PREFIX = "required."
FAITHFULNESS_PREFIX = "faithfulness."


def _key(ctx: GuardContext, rules: RuleSet) -> tuple[object, ...]:
    facts = ctx.facts
    # Same presence test as guards.engine.applies (a 0 % recovery is a fact, an empty list is not).
    present = frozenset(
        n for n in rules.when_facts if getattr(facts, n, None) not in (None, "", [])
    )
    return (id(rules), ctx.lang, ctx.stage, ctx.kind, ctx.channel, present)


_IN_FORCE: dict[tuple[object, ...], tuple[str, ...]] = {}


def required_in_force(ctx: GuardContext, rules: RuleSet) -> tuple[str, ...]:
    """Ids of the required-element rules the guard applies in this context."""
    key = _key(ctx, rules)
    cached = _IN_FORCE.get(key)
    if cached is None:
        cached = tuple(
            c.rule.id
            for c in rules.rules
            if c.rule.id.startswith(REQUIRED_PREFIX) and applies(c, ctx)
        )
        _IN_FORCE[key] = cached
    return cached


@dataclass
class Coverage:
    """Per required rule: texts it was in force for, and texts that lacked the element."""

    in_force: Counter[str] = field(default_factory=Counter)
    missing: Counter[str] = field(default_factory=Counter)

    def add(self, report: GuardReport, ctx: GuardContext, rules: RuleSet) -> None:
        """Count one checked text."""
        rule_ids = required_in_force(ctx, rules)
        self.in_force.update(rule_ids)
        fired = {f.rule_id for f in report.findings}
        self.missing.update(r for r in rule_ids if r in fired)

    @property
    def rate(self) -> float:
        """Share of (text, required element) pairs where the element was present."""
        total = sum(self.in_force.values())
        return 1 - sum(self.missing.values()) / total if total else 1.0

    def per_rule(self) -> dict[str, float]:
        """Coverage of each required element over the texts it was required in."""
        return {r: 1 - self.missing[r] / n for r, n in sorted(self.in_force.items()) if n}
