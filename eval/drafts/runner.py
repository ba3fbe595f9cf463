"""Draft every job of a suite in every language and channel; tally guard findings and latency."""

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from eval.coverage import FAITHFULNESS_PREFIX, Coverage
from eval.drafts.cases import Case, jobs
from guards import load_packs
from service.domain.enums import Language
from service.drafting.guarding import guard_context
from service.drafting.model import Channel, DraftRequest
from service.drafting.port import Drafter


@dataclass
class Tally:
    """What a suite run found."""

    renditions: int = 0
    passed: int = 0
    drafts: int = 0
    cases: int = 0
    errors_by_rule: Counter[str] = field(default_factory=Counter)
    warnings_by_rule: Counter[str] = field(default_factory=Counter)
    consistency_by_rule: Counter[str] = field(default_factory=Counter)
    hits_by_rule: Counter[str] = field(default_factory=Counter)  # renditions hit, any level
    per_rendition_ms: list[float] = field(default_factory=list)
    per_draft_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    required: Coverage = field(default_factory=Coverage)
    # Renditions with at least one faithfulness finding: a number or time not in the facts.
    unfaithful: int = 0
    chars_by_channel: dict[str, list[int]] = field(default_factory=dict)
    sms_segments: Counter[int] = field(default_factory=Counter)

    @property
    def pass_rate(self) -> float:
        """Share of renditions with no error-level finding."""
        return self.passed / self.renditions if self.renditions else 0.0


def run(
    drafter: Drafter,
    cases: list[Case],
    languages: list[Language],
    progress: Callable[[], None] | None = None,
) -> Tally:
    """Draft all steps of all cases; one request per step covers every channel and language."""
    tally = Tally()
    channels = list(Channel)
    rules = load_packs()
    for case in cases:
        tally.cases += 1
        for job in jobs(case):
            request = DraftRequest(
                kind=job.kind, languages=languages, channels=channels, now=job.now, tone=job.tone
            )
            t0 = time.perf_counter()
            result = drafter.draft(job.context, request)
            elapsed = (time.perf_counter() - t0) * 1000
            tally.drafts += 1
            tally.per_draft_ms.append(elapsed)
            tally.per_rendition_ms.append(elapsed / len(result.renditions))
            for r in result.renditions:
                tally.renditions += 1
                errors = [f for f in r.guard.findings if f.level == "error"]
                tally.passed += not errors
                tally.hits_by_rule.update({f.rule_id for f in r.guard.findings})
                tally.errors_by_rule.update(f.rule_id for f in errors)
                tally.warnings_by_rule.update(
                    f.rule_id for f in r.guard.findings if f.level == "warning"
                )
                for f in errors:
                    where = f"{case.id} {job.kind.value} {r.channel.value}/{r.language.value}"
                    tally.failures.append(f"{where}: {f.rule_id} {f.match[:60]!r}")
                ctx = guard_context(job.context, job.kind, r.language, r.channel, job.now)
                tally.required.add(r.guard, ctx, rules)
                tally.unfaithful += any(
                    f.rule_id.startswith(FAITHFULNESS_PREFIX) for f in r.guard.findings
                )
                tally.chars_by_channel.setdefault(r.channel.value, []).append(len(r.body))
                if r.sms_segments is not None:
                    tally.sms_segments[r.sms_segments] += 1
            tally.consistency_by_rule.update(
                f.rule_id for f in result.consistency if f.level == "error"
            )
        if progress is not None:
            progress()
    return tally
