"""Rule behaviour: offsets, boundaries, timing, faithfulness, consistency, fixes, reask."""

from datetime import datetime

import pytest
from pydantic import ValidationError

from guards import Draft, GuardFacts, check, check_consistency
from guards.checks.metric import sms_segments
from guards.text import Text
from guards.timeparse import extract
from service.domain.facts import IncidentFacts
from tests.guards.conftest import ctx


def _ids(report_findings: list) -> set[str]:  # type: ignore[type-arg]
    return {f.rule_id for f in report_findings}


def test_spans_point_into_the_original_full_width_text() -> None:
    body = "华北地区访问缓慢，我们将在１６：００前提供更新，希望很快能好。"
    report = check(Draft(body=body), ctx(stage="investigating", severity="P1"))
    vague = next(f for f in report.findings if f.rule_id == "taboo.VagueTime")
    assert body[vague.span.start : vague.span.end] == "很快"
    assert (vague.span.line, vague.span.column) == (1, vague.span.start + 1)
    # The full-width clock time was understood after NFKC normalisation.
    assert "required.NextUpdateTime" not in _ids(report.findings)


def test_lines_and_columns_follow_the_original_lines() -> None:
    body = "登录服务不可用，影响所有用户。\n技术团队正在修复，稍后提供更新。"
    report = check(Draft(body=body), ctx(stage="investigating"))
    vague = next(f for f in report.findings if f.rule_id == "taboo.VagueTime")
    assert (vague.span.line, vague.span.column) == (2, 10)


def test_english_terms_next_to_cjk_are_found() -> None:
    report = check(Draft(body="服务因OOM重启，部分用户受影响。"), ctx(stage="resolved"))
    jargon = next(f for f in report.findings if f.rule_id == "taboo.Jargon")
    assert jargon.match == "OOM"
    # ...but not inside a longer Latin word.
    ids = _ids(check(Draft(body="ZOOM会议服务异常，部分用户受影响。"), ctx()).findings)
    assert "taboo.Jargon" not in ids


def test_compounds_are_not_the_taboo_word() -> None:
    body = "支付服务异常，我们已启用故障转移，不可能影响已完成订单，我们会尽可能缩短影响。"
    ids = _ids(check(Draft(body=body), ctx(stage="identified")).findings)
    assert "taboo.Hedge" not in ids
    assert "taboo.NegativeWording" not in ids
    assert "taboo.Hedge" in _ids(check(Draft(body="可能明天恢复。"), ctx()).findings)


def test_safe_glossary_fixes_are_applied_to_fixed_text() -> None:
    body = "支付服务系统崩溃，页面加载变慢。"
    report = check(Draft(body=body, title="系统崩溃"), ctx(stage="investigating"))
    assert report.fixed_text == "支付服务服务中断，页面加载性能下降。"
    assert report.fixed_title == "服务中断"


def test_relative_time_gets_the_computed_absolute_time() -> None:
    report = check(Draft(body="我们将在30分钟内提供最新进展。"), ctx(stage="investigating"))
    rel = next(f for f in report.findings if f.rule_id == "timing.RelativeTime")
    assert rel.level == "warning"
    assert rel.suggestion == "30分钟内（15:00前）"
    en = check(Draft(body="We will post an update in 45 minutes."), ctx("en", stage="identified"))
    rel_en = next(f for f in en.findings if f.rule_id == "timing.RelativeTime")
    assert rel_en.suggestion == "by 15:15 UTC"


def test_next_update_must_be_future_and_on_cadence() -> None:
    past = check(
        Draft(body="We will provide an update by 14:00 UTC."), ctx("en", stage="identified")
    )
    assert "timing.PastTime" in _ids(past.findings)
    p0 = ctx("en", stage="identified", severity="P0")
    late = check(Draft(body="We will provide an update by 15:30 UTC."), p0)
    assert "timing.Cadence" in _ids(late.findings)
    p2 = ctx("en", stage="identified", severity="P2")
    assert "timing.Cadence" not in _ids(check(Draft(body="Update by 15:30 UTC."), p2).findings)


def test_clock_times_need_a_label_for_a_foreign_audience() -> None:
    text = "We will provide an update by 15:00."
    assert "timing.TimezoneLabel" in _ids(check(Draft(body=text), ctx("en")).findings)
    zh = "我们将在15:00前提供更新。"
    assert "timing.TimezoneLabel" not in _ids(check(Draft(body=zh), ctx("zh")).findings)


def test_investigating_must_not_promise_a_recovery_time() -> None:
    body = "We are investigating errors on Pages and expect recovery by 16:00 UTC."
    inv = check(Draft(body=body), ctx("en", stage="investigating"))
    ident = check(Draft(body=body), ctx("en", stage="identified"))
    assert "timing.NoRecoveryTimeWhileInvestigating" in _ids(inv.findings)
    assert "timing.NoRecoveryTimeWhileInvestigating" not in _ids(ident.findings)


def test_maintenance_must_be_announced_a_day_ahead() -> None:
    body = "我们将于2023年10月16日凌晨2:00-4:00进行系统升级维护，期间所有服务将暂停访问。"
    late = check(Draft(body=body), ctx(kind="maintenance", severity="P3"))
    assert "timing.MaintenanceNotice" in _ids(late.findings)
    early = check(Draft(body=body.replace("16日", "20日")), ctx(kind="maintenance"))
    assert early.passed


def test_a_maintenance_date_without_its_year_may_be_next_year() -> None:
    # Announced on Dec 30 for Jan 5: six days ahead, not last January.
    body = "我们将于1月5日凌晨2:00-4:00进行系统升级维护，期间所有服务将暂停访问。"
    eve = ctx(kind="maintenance", now="2023-12-30T10:00:00+08:00")
    assert "timing.MaintenanceNotice" not in _ids(check(Draft(body=body), eve).findings)


def test_only_the_maintenance_notice_needs_the_day_ahead() -> None:
    body = "温馨提醒：我们将于2023年10月16日凌晨2:00-4:00进行系统升级维护，期间所有服务将暂停访问。"
    reminder = check(Draft(body=body), ctx(kind="maintenance", stage="reminder"))
    assert reminder.passed, _ids(reminder.findings)
    done = check(
        Draft(body="系统升级维护已完成，服务已恢复访问。"),
        ctx(kind="maintenance", stage="completed"),
    )
    assert "required.MaintenanceWindow" not in _ids(done.findings)
    # Without a window, a reminder still fails: it must say when.
    vague = check(
        Draft(body="温馨提醒：系统即将维护，期间所有服务将暂停访问。"),
        ctx(kind="maintenance", stage="reminder"),
    )
    assert "required.MaintenanceWindow" in _ids(vague.findings)


def test_a_stage_must_fit_the_kind() -> None:
    with pytest.raises(ValidationError, match="does not fit kind 'incident'"):
        ctx(stage="reminder")
    with pytest.raises(ValidationError, match="does not fit kind 'maintenance'"):
        ctx(kind="maintenance", stage="investigating")
    assert ctx(kind="maintenance").stage == "scheduled"


def test_invented_percentage_fails_faithfulness() -> None:
    facts = GuardFacts(affected_share_pct=25)
    body = "约40%的用户无法上传文件。"
    report = check(Draft(body=body), ctx(facts=facts))
    assert "faithfulness.Percentage" in _ids(report.findings)
    assert not report.passed


def test_eta_follows_the_documented_buffer() -> None:
    now = "2023-10-15T15:00:00+08:00"
    facts = GuardFacts(engineering_eta_minutes=45, eta_estimated_at=datetime.fromisoformat(now))
    # 45 min x 1.3..1.5 -> 58.5..67.5 -> rounded up to 5: 60..70 min -> 16:00..16:10.
    for clock, ok in (("16:00", True), ("16:10", True), ("15:20", False), ("16:30", False)):
        body = f"我们预计在{clock}前完成修复。"
        ids = _ids(check(Draft(body=body), ctx(now=now, stage="identified", facts=facts)).findings)
        assert ("faithfulness.ClockTime" not in ids) is ok, clock


def test_service_facts_validate_into_guard_facts() -> None:
    facts = IncidentFacts(
        affected_regions=["华北"],
        affected_share_pct=40,
        engineering_eta_minutes=45,
        timezone="Asia/Shanghai",
    )
    guard = GuardFacts.model_validate(facts.model_dump())
    assert guard.affected_share_pct == 40
    assert guard.timezone == "Asia/Shanghai"


def test_renditions_must_carry_the_same_times_and_numbers() -> None:
    zh = (Draft(body="约40%的用户受影响，我们将在15:30前提供更新。"), ctx(stage="identified"))
    en_same = (
        Draft(body="About 40% of users are affected. Next update by 07:30 UTC."),
        ctx("en", stage="identified", now="2023-10-15T06:30:00+00:00"),
    )
    email_off = (Draft(body="约45%的用户受影响，我们将在15:45前提供更新。"), ctx(channel="email"))
    sms = (Draft(body="40%用户受影响。"), ctx(channel="sms"))
    assert check_consistency([zh, en_same, sms]) == []
    findings = check_consistency([zh, email_off])
    assert {"consistency.Times", "consistency.Numbers"} <= _ids(findings)
    assert {f.rendition for f in findings} == {0, 1}


def test_sms_segments_count_gsm7_and_ucs2() -> None:
    assert sms_segments("a" * 160) == ("GSM-7", 1)
    assert sms_segments("a" * 161) == ("GSM-7", 2)
    assert sms_segments("中" * 70) == ("UCS-2", 1)
    assert sms_segments("中" * 71) == ("UCS-2", 2)


def test_time_phrases_of_the_playbook_and_seed_parse() -> None:
    cases = {
        "我们将在30分钟内（15:30）提供下一次更新": [("relative", 30), ("clock", 930)],
        "约1小时30分钟（14:30-16:00）": [("duration", 90), ("clock", 870), ("clock", 960)],
        "我们预计在两小时内（18:00前）完全恢复服务": [("relative", 120), ("clock", 1080)],
        "凌晨2:00-4:00": [("clock", 120), ("clock", 240)],
        "下午3点半": [("clock", 930)],
        "We will provide an update by 14:30 UTC": [("clock", 870)],
        "within the next hour": [("relative", 60)],
        # Shapes our arithmetic leaves to jionlp.
        "我们将在两个半小时内恢复": [("relative", 150)],
        "一刻钟内提供更新": [("relative", 15)],
    }
    for phrase, expected in cases.items():
        t = Text(phrase)
        assert [(e.kind, e.minutes) for e in extract(t.norm, t.lower)] == expected, phrase


def test_reask_payload_lists_errors_for_an_llm() -> None:
    report = check(Draft(body="系统出现了一些小问题，希望很快能好。"), ctx(stage="investigating"))
    assert report.reask is not None
    assert "taboo.Hedge" in report.reask.prompt
    assert all(item.instruction for item in report.reask.items)
    good = "用户登录服务当前不可用，影响所有用户。技术团队正在修复，我们将在15:00前提供更新。"
    ok = check(
        Draft(body=good),
        ctx(stage="investigating"),
    )
    assert ok.reask is None


def test_a_clock_time_takes_the_date_written_next_to_it() -> None:
    facts = GuardFacts(engineering_eta_minutes=1215)  # 20 h 15 min -> ETA window next day
    body = "We expect to restore service by 17:40 UTC on Oct 16."
    ids = _ids(check(Draft(body=body), ctx("en", stage="identified", facts=facts)).findings)
    assert "faithfulness.ClockTime" not in ids
    assert "timing.PastTime" not in ids
    past = "We will provide an update by 15:00 UTC on Oct 14."
    assert "timing.PastTime" in _ids(
        check(Draft(body=past), ctx("en", stage="identified")).findings
    )


def test_a_date_without_its_year_is_the_one_nearest_the_draft_time() -> None:
    # Written at 23:40 on Dec 31: "Jan 1" is the coming day, not last January.
    eve = {"now": "2026-12-31T23:40:00+00:00", "stage": "identified", "severity": "P2"}
    body = "We will post the next update by 00:40 UTC on Jan 1."
    ids = _ids(check(Draft(body=body), ctx("en", **eve)).findings)
    assert not ids & {"timing.PastTime", "faithfulness.ClockTime"}
    zh_eve = {"now": "2026-12-31T23:40:00+08:00", "stage": "identified", "severity": "P2"}
    zh = "我们将于北京时间1月1日00:40前更新进展。"
    assert "timing.PastTime" not in _ids(check(Draft(body=zh), ctx("zh", **zh_eve)).findings)
    # A date that really is behind the draft time stays in the past.
    stale = "We will post the next update by 00:40 UTC on Dec 30."
    assert "timing.PastTime" in _ids(check(Draft(body=stale), ctx("en", **eve)).findings)


def test_a_zone_label_after_the_date_belongs_to_the_clock_before_it() -> None:
    facts = GuardFacts(
        scheduled_for=datetime.fromisoformat("2026-11-30T14:39:00+00:00"),
        scheduled_until=datetime.fromisoformat("2026-11-30T16:39:00+00:00"),
    )
    now = "2026-11-28T10:00:00+00:00"
    body = "Login will be unavailable from 22:39 to 00:39 on Dec 1, 2026 UTC+8 while we upgrade it."
    report = check(Draft(body=body), ctx("en", now=now, kind="maintenance", facts=facts))
    assert "faithfulness.Number" not in _ids(report.findings)  # not the "8" of UTC+8
    # A named zone after the date sets the clock's zone: 23:00 PST on Nov 29 is 07:00 UTC on
    # Nov 30, still ahead at 01:00 UTC (23:00 UTC on Nov 29 would be past).
    pacific = "We will post the next update by 23:00 on Nov 29 PST."
    late = "2026-11-30T01:00:00+00:00"
    times = check(Draft(body=pacific), ctx("en", now=late, stage="identified", severity="P3"))
    assert not _ids(times.findings) & {"timing.PastTime", "timing.TimezoneLabel"}
    clock, date = extract(pacific)
    assert (clock.text, clock.tz, date.text) == ("23:00", "America/Los_Angeles", "Nov 29 PST")


def test_a_utc_offset_label_sets_the_clocks_zone() -> None:
    # At 14:30 UTC, "23:00 UTC+8" is 15:00 UTC: half an hour ahead, inside P1's hour.
    body = "We will post the next update by 23:00 UTC+8."
    [expr] = extract(body)
    assert expr.tz == "Etc/GMT-8"
    ids = _ids(check(Draft(body=body), ctx("en", stage="identified", severity="P1")).findings)
    assert not ids & {"timing.Cadence", "timing.PastTime"}


def _sensitive(body: str, lang: str = "en") -> list[str]:
    report = check(Draft(body=body), ctx(lang, stage="investigating"))
    return [
        body[f.span.start : f.span.end]
        for f in report.findings
        if f.rule_id.startswith("sensitive.")
    ]


def test_sensitive_spans_end_where_the_secret_or_path_ends() -> None:
    cases = {
        "Details: password=Sup3rS3cret!. Next update by 07:10 UTC.": "password=Sup3rS3cret!",
        "详情：password=Sup3rS3cret!。我们将在15:10前提供更新。": "password=Sup3rS3cret!",
        "See C:\\Windows\\System32\\drivers\\etc\\hosts. Next update by 07": (
            "C:\\Windows\\System32\\drivers\\etc\\hosts"
        ),
        "路径C:\\Program Files\\Herald\\app.ini。": "C:\\Program Files\\Herald\\app.ini",
        "Logs: /var/log/nginx/error.log, then.": "/var/log/nginx/error.log",
        "日志见/var/log/nginx/error.log我们已处理。": "/var/log/nginx/error.log",
    }
    for body, leak in cases.items():
        lang = "en" if body.isascii() else "zh"
        assert _sensitive(body, lang) == [leak], body


def test_a_connection_url_with_credentials_is_flagged_whole() -> None:
    for scheme in ("postgres", "redis", "mysql", "amqp", "http", "https"):
        url = f"{scheme}://admin:hunter2@db.example.com:5432/prod"
        assert _sensitive(f"The DSN {url}. Next update by 07:10 UTC.") == [url]
        assert _sensitive(f"连接串：{url}。", "zh") == [url]
    # Without a password the URL is a plain link.
    assert _sensitive("See https://status.example.com:443/incidents for details.") == []
    assert _sensitive("See https://admin@status.example.com/incidents.") == []


def test_ipv6_is_found_inside_chinese_text_and_with_brackets() -> None:
    assert _sensitive("详情：2001:db8:85a3::8a2e:370:7334。", "zh") == [
        "2001:db8:85a3::8a2e:370:7334"
    ]
    assert _sensitive("节点fe80::1ff:fe23:4567:890a不可达。", "zh") == ["fe80::1ff:fe23:4567:890a"]
    assert _sensitive("节点ID:fe80::1不可达。", "zh") == ["fe80::1"]
    assert _sensitive("Connections to [2001:db8::1]:443 failed.") == ["[2001:db8::1]:443"]
    # Clock times and the tail of a longer hex run are not addresses.
    assert _sensitive("影响时段：14:30:00-16:00:00。", "zh") == []
    assert _sensitive("Run ab:cd:ef:12:34:56:78:9a:bc failed.") == []


def test_an_eta_may_be_deferred_only_while_the_facts_have_no_estimate() -> None:
    deferring = {
        "zh": "技术团队正在修复，恢复时间确认后我们将立即通知。",
        "en": "We are deploying a fix. "
        "We will announce the expected recovery time as soon as it is confirmed.",
    }
    silent = {"zh": "技术团队正在修复。", "en": "We are deploying a fix."}
    no_estimate = GuardFacts(cause="配置错误")
    estimate = GuardFacts(engineering_eta_minutes=45)
    for lang in ("zh", "en"):
        for kind, stage, rule in (
            ("incident", "identified", "required.Eta"),
            ("partial_outage", None, "required.OutageEta"),
        ):
            for facts, owed in ((None, False), (no_estimate, False), (estimate, True)):
                c = ctx(lang, stage=stage, kind=kind, facts=facts)
                found = _ids(check(Draft(body=deferring[lang]), c).findings)
                assert (rule in found) is owed, (lang, rule, facts)
                # Saying nothing about the recovery time is never enough.
                assert rule in _ids(check(Draft(body=silent[lang]), c).findings)
