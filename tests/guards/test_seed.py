"""The issue's acceptance cases: the seed's bad, good and stage examples (PLAYBOOK §4-§5)."""

from pathlib import Path

import pytest

from guards import Draft, check
from guards.fixture import context_from, parse_draft
from tests.guards.conftest import ctx

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
BAD = "系统出现了一些小问题，我们正在努力解决，希望很快能好。"
GOOD = (
    "用户登录系统当前不可用（14:30起），影响所有用户。"
    "技术团队正在修复数据库连接问题，我们将在15:00前提供更新。"
)


def test_bad_example_fails_with_the_four_findings() -> None:
    report = check(Draft(body=BAD), ctx(stage="investigating", severity="P1"))
    assert not report.passed
    ids = {f.rule_id for f in report.findings if f.level == "error"}
    assert {"taboo.Hedge", "taboo.VagueTime", "required.ImpactScope"} <= ids
    assert "required.NextUpdateTime" in ids
    hedge = next(f for f in report.findings if f.rule_id == "taboo.Hedge")
    assert BAD[hedge.span.start : hedge.span.end] == "希望"


def test_good_example_passes_without_findings() -> None:
    report = check(Draft(body=GOOD), ctx(stage="investigating", severity="P1"))
    assert report.passed, report.findings
    assert report.counts["error"] == 0


@pytest.mark.parametrize(
    "case",
    [
        "seed_investigating",
        "seed_identified",
        "seed_monitoring",
        "seed_resolved",
        "full_outage",
        "partial_outage",
        "maintenance",
    ],
)
def test_seed_examples_pass_their_stage_rules(case: str) -> None:
    draft, meta = parse_draft((GOLDEN / "required" / f"{case}.md").read_text(encoding="utf-8"))
    context = context_from(meta)
    report = check(draft, context)
    assert report.passed, [f.rule_id for f in report.findings if f.level == "error"]
    # The stage's own rules were in force (not silently skipped).
    from guards import load_packs
    from guards.engine import applies

    in_force = [c.rule.id for c in load_packs().rules if applies(c, context)]
    if context.stage == "resolved":
        assert {"required.ImpactDuration", "required.Thanks"} <= set(in_force)
    if context.kind == "maintenance":
        assert {"required.MaintenanceWindow", "timing.MaintenanceNotice"} <= set(in_force)


def test_stage_example_fails_when_an_element_is_removed() -> None:
    path = GOLDEN / "required" / "seed_resolved.md"
    draft, meta = parse_draft(path.read_text(encoding="utf-8"))
    without_thanks = draft.body.replace("感谢您在此期间的耐心和理解。", "")
    report = check(Draft(body=without_thanks, title=draft.title), context_from(meta))
    assert "required.Thanks" in {f.rule_id for f in report.findings}


def test_investigating_hedge_exception_is_stage_bound() -> None:
    text = "目前初步判断可能与最近部署的存储节点升级有关，华北地区的部分用户访问缓慢。"
    inv = check(Draft(body=text), ctx(stage="investigating"))
    res = check(Draft(body=text), ctx(stage="resolved"))
    assert "taboo.Hedge" not in {f.rule_id for f in inv.findings}
    assert "taboo.Hedge" in {f.rule_id for f in res.findings}
