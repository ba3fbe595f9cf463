"""Every seed scenario, every step, channel and language: 0 error-level guard findings."""

import pytest

from eval.drafts.cases import DraftJob, jobs, seed_cases
from service.domain.enums import Language
from service.drafting.model import Channel, DraftRequest
from service.drafting.template import TemplateDrafter

JOBS = [job for case in seed_cases() for job in jobs(case)]


def test_seed_covers_every_kind() -> None:
    assert {job.kind.value for job in JOBS} == {
        "investigating",
        "identified",
        "monitoring",
        "resolved",
        "full_outage",
        "partial_outage",
        "maintenance",
        "postmortem",
    }


@pytest.mark.parametrize("job", JOBS, ids=[f"{j.case_id}-{j.kind.value}" for j in JOBS])
def test_seed_step_is_guard_clean(drafter: TemplateDrafter, job: DraftJob) -> None:
    request = DraftRequest(
        kind=job.kind, languages=list(Language), channels=list(Channel), now=job.now, tone=job.tone
    )
    result = drafter.draft(job.context, request)
    assert len(result.renditions) == len(Language) * len(Channel)
    errors = [
        (r.channel.value, r.language.value, f.rule_id, f.match)
        for r in result.renditions
        for f in r.guard.findings
        if f.level == "error"
    ]
    assert errors == []
    assert [f.rule_id for f in result.consistency if f.level == "error"] == []
    assert result.provenance.drafter == "template"
    assert result.provenance.prompt_version.startswith("drafts@")
