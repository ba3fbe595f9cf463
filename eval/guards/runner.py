"""The guard over every real update of an incidents file: pass rate, hits per rule, coverage."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from eval.coverage import Coverage
from eval.guards.corpus import load_cases
from guards import Finding, check, load_packs


@dataclass
class CorpusResult:
    """What the guard found in human-written updates."""

    data: str
    updates: int = 0
    passed: int = 0
    per_rule: Counter[str] = field(default_factory=Counter)  # updates hit, not findings
    per_stage: Counter[str] = field(default_factory=Counter)
    levels: dict[str, str] = field(default_factory=dict)
    required: Coverage = field(default_factory=Coverage)
    findings: list[tuple[str, str, Finding]] = field(default_factory=list)

    @property
    def pass_rate(self) -> float:
        """Share of updates with no error-level finding."""
        return self.passed / self.updates if self.updates else 0.0

    def hit_rates(self) -> dict[str, float]:
        """Share of updates each rule fired on."""
        return {r: n / self.updates for r, n in self.per_rule.items()} if self.updates else {}


def evaluate(path: Path, progress: Callable[[], None] | None = None) -> CorpusResult:
    """Check every update of every incident in `path` in the context it was published in."""
    rules = load_packs()
    result = CorpusResult(data=str(path), levels={c.rule.id: c.rule.level for c in rules.rules})
    for case in load_cases(path):
        report = check(case.draft, case.context, rules)
        result.updates += 1
        result.passed += report.passed
        result.per_stage[str(case.context.stage)] += 1
        result.per_rule.update({f.rule_id for f in report.findings})
        result.required.add(report, case.context, rules)
        label = f"{case.incident_id}#{case.index} ({case.context.stage})"
        result.findings += [(label, case.draft.body, f) for f in report.findings]
        if progress is not None:
            progress()
    return result
