"""Draft every job of a suite in every language and channel; tally guard findings and latency."""

import time
from collections import Counter
from dataclasses import dataclass, field

from eval.drafts.cases import Case, jobs
from service.domain.enums import Language
from service.drafting.model import Channel, DraftRequest
from service.drafting.port import Drafter


@dataclass
class Tally:
    """What a suite run found."""

    renditions: int = 0
    passed: int = 0
    drafts: int = 0
    errors_by_rule: Counter[str] = field(default_factory=Counter)
    warnings_by_rule: Counter[str] = field(default_factory=Counter)
    consistency_by_rule: Counter[str] = field(default_factory=Counter)
    per_rendition_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def pass_rate(self) -> float:
        """Share of renditions with no error-level finding."""
        return self.passed / self.renditions if self.renditions else 0.0


def run(drafter: Drafter, cases: list[Case], languages: list[Language]) -> Tally:
    """Draft all steps of all cases; one request per step covers every channel and language."""
    tally = Tally()
    channels = list(Channel)
    for case in cases:
        for job in jobs(case):
            request = DraftRequest(
                kind=job.kind, languages=languages, channels=channels, now=job.now, tone=job.tone
            )
            t0 = time.perf_counter()
            result = drafter.draft(job.context, request)
            elapsed = (time.perf_counter() - t0) * 1000
            tally.drafts += 1
            tally.per_rendition_ms.append(elapsed / len(result.renditions))
            for r in result.renditions:
                tally.renditions += 1
                errors = [f for f in r.guard.findings if f.level == "error"]
                tally.passed += not errors
                tally.errors_by_rule.update(f.rule_id for f in errors)
                tally.warnings_by_rule.update(
                    f.rule_id for f in r.guard.findings if f.level == "warning"
                )
                for f in errors:
                    where = f"{case.id} {job.kind.value} {r.channel.value}/{r.language.value}"
                    tally.failures.append(f"{where}: {f.rule_id} {f.match[:60]!r}")
            tally.consistency_by_rule.update(
                f.rule_id for f in result.consistency if f.level == "error"
            )
    return tally
