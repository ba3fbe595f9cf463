"""Rendition behaviour: SMS segments, honest gaps, tone, chat markup, strict templates."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from service.domain.enums import Language, Severity
from service.domain.facts import IncidentFacts
from service.drafting import sms, timefmt
from service.drafting.model import Channel, DraftContext, DraftKind, DraftRequest, ToneGuidance
from service.drafting.template import TEMPLATE_DIR, TemplateDrafter
from service.errors import ConfigError

NOW = datetime(2024, 3, 5, 9, 20, tzinfo=ZoneInfo("UTC"))


def _context(**facts: object) -> DraftContext:
    base: dict[str, object] = {
        "affected_components": ["Sign-in"],
        "detected_at": datetime(2024, 3, 5, 9, 12, tzinfo=ZoneInfo("UTC")),
    }
    return DraftContext(
        name="Sign-in unavailable",
        severity=Severity.P1,
        facts=IncidentFacts.model_validate(base | facts),
    )


def _one(
    drafter: TemplateDrafter,
    ctx: DraftContext,
    kind: DraftKind,
    channel: Channel,
    lang: Language = Language.en,
    tone: ToneGuidance | None = None,
) -> str:
    req = DraftRequest(
        kind=kind, languages=[lang], channels=[channel], now=NOW, tone=tone or ToneGuidance()
    )
    return drafter.draft(ctx, req).renditions[0].body


def test_sms_counts_segments_by_encoding() -> None:
    assert sms.segments("a" * 160) == 1
    assert sms.segments("a" * 161) == 2
    assert sms.segments("中" * 70) == 1
    assert sms.segments("中" * 71) == 2
    assert sms.segments("[" * 80) == 1  # extension: 2 septets
    assert sms.segments("[" * 81) == 2


@pytest.mark.parametrize("lang", list(Language))
def test_sms_fits_one_segment_for_a_short_service_name(
    drafter: TemplateDrafter, lang: Language
) -> None:
    req = DraftRequest(
        kind=DraftKind.investigating, languages=[lang], channels=[Channel.sms], now=NOW
    )
    rendition = drafter.draft(_context(), req).renditions[0]
    assert rendition.sms_segments == 1 == sms.segments(rendition.body)
    assert rendition.title == ""
    assert rendition.guard.passed


def test_missing_facts_are_stated_not_invented(drafter: TemplateDrafter) -> None:
    body = _one(drafter, _context(), DraftKind.identified, Channel.statuspage)
    assert "still confirming the cause" in body
    assert "still assessing how many users" in body
    assert "%" not in body  # no share was given, so none is printed
    assert "as soon as it is confirmed" in body  # no ETA either


def test_identified_without_an_estimate_defers_the_eta(drafter: TemplateDrafter) -> None:
    # PLAYBOOK §4/§9: with no engineering estimate the draft says the recovery time follows once
    # confirmed, which satisfies the ETA element; it never invents a time.
    req = DraftRequest(
        kind=DraftKind.identified, languages=list(Language), channels=[Channel.statuspage], now=NOW
    )
    for r in drafter.draft(_context(cause="a configuration change"), req).renditions:
        assert r.guard.passed, [f.rule_id for f in r.guard.findings if f.level == "error"]
        assert "required.Eta" not in {f.rule_id for f in r.guard.findings}


def test_identified_with_an_estimate_states_the_buffered_eta(drafter: TemplateDrafter) -> None:
    ctx = _context(
        cause="a configuration change",
        engineering_eta_minutes=50,
        eta_estimated_at=datetime(2024, 3, 5, 9, 20, tzinfo=ZoneInfo("UTC")),
    )
    req = DraftRequest(
        kind=DraftKind.identified, languages=[Language.en], channels=[Channel.statuspage], now=NOW
    )
    result = drafter.draft(ctx, req)
    # 50 min + 40 % buffer = 70 min from 09:20, rounded up to 5 min: 10:30.
    assert result.eta_at == datetime(2024, 3, 5, 10, 30, tzinfo=ZoneInfo("UTC"))
    rendition = result.renditions[0]
    assert "10:30" in rendition.body
    assert rendition.guard.passed


def test_tone_guidance_changes_the_text(drafter: TemplateDrafter) -> None:
    ctx = _context()
    plain = _one(drafter, ctx, DraftKind.investigating, Channel.statuspage)
    toned = _one(
        drafter,
        ctx,
        DraftKind.investigating,
        Channel.statuspage,
        tone=ToneGuidance(
            apologise=True,
            reassure_data_safety=True,
            shorten_cadence=True,
            reasons=["data_security"],
        ),
    )
    assert "apologise" not in plain
    assert "apologise" in toned
    assert "data" not in plain.lower()
    assert "customer data" in toned
    assert "by 10:20 UTC" in plain  # P1 60 min → 30 min
    assert "by 09:50 UTC" in toned
    zh = _one(
        drafter,
        ctx,
        DraftKind.investigating,
        Channel.statuspage,
        Language.zh,
        ToneGuidance(apologise=True),
    )
    assert "深表歉意" in zh


def test_chat_markup_per_platform(drafter: TemplateDrafter) -> None:
    ctx = _context()
    assert "**Sign-in**" in _one(drafter, ctx, DraftKind.investigating, Channel.feishu)
    slack = _one(drafter, ctx, DraftKind.investigating, Channel.slack)
    assert "*Sign-in*" in slack
    assert "**" not in slack
    assert "*" not in _one(drafter, ctx, DraftKind.investigating, Channel.statuspage)


def test_investigating_never_promises_a_recovery_time(drafter: TemplateDrafter) -> None:
    ctx = _context(engineering_eta_minutes=30)
    req = DraftRequest(
        kind=DraftKind.investigating,
        languages=[Language.en],
        channels=[Channel.statuspage],
        now=NOW,
    )
    result = drafter.draft(ctx, req)
    assert result.eta_at is None
    assert "restore" not in result.renditions[0].body


def test_zh_times_carry_beijing_label_and_en_an_offset() -> None:
    at = datetime(2023, 10, 15, 7, 0, tzinfo=ZoneInfo("UTC"))
    assert timefmt.clock(at, "Asia/Shanghai", Language.zh, at) == "北京时间15:00"
    assert timefmt.clock(at, "Asia/Shanghai", Language.en, at) == "15:00 UTC+8"
    assert timefmt.clock(at, "America/Los_Angeles", Language.en, at) == "00:00 PDT"
    assert timefmt.duration(90, Language.en) == "90 minutes"
    assert timefmt.duration(120, Language.zh) == "2小时"


@pytest.mark.parametrize(
    ("zone", "start_utc", "en_window"),
    [
        (
            "Asia/Shanghai",
            datetime(2024, 3, 7, 14, 30, tzinfo=ZoneInfo("UTC")),
            "Mar 7, 2024, from 22:30 to 00:30 UTC+8 on Mar 8, 2024",
        ),
        (
            "America/Los_Angeles",
            datetime(2024, 3, 8, 7, 0, tzinfo=ZoneInfo("UTC")),
            "Mar 7, 2024, from 23:00 to 01:00 PST on Mar 8, 2024",
        ),
        (
            "Asia/Shanghai",
            datetime(2024, 3, 7, 2, 0, tzinfo=ZoneInfo("UTC")),
            "Mar 7, 2024, from 10:00 to 12:00 UTC+8",
        ),
    ],
    ids=["past-midnight-beijing", "past-midnight-pacific", "same-day"],
)
def test_a_maintenance_window_past_midnight_passes_the_guards(
    drafter: TemplateDrafter, zone: str, start_utc: datetime, en_window: str
) -> None:
    # Each zone label sits beside a clock time: a label after the end date was read as a stray
    # number ("8" of UTC+8) by the faithfulness and consistency rules.
    ctx = DraftContext(
        name="Database upgrade",
        severity=Severity.P3,
        facts=IncidentFacts(affected_components=["Sign-in"], timezone=zone),
        scheduled_for=start_utc,
        scheduled_until=start_utc + timedelta(hours=2),
    )
    request = DraftRequest(
        kind=DraftKind.maintenance,
        languages=list(Language),
        channels=[Channel.statuspage, Channel.email, Channel.sms],
        now=NOW,
    )
    result = drafter.draft(ctx, request)
    findings = [f for r in result.renditions for f in r.guard.findings] + result.consistency
    assert [f for f in findings if f.level == "error"] == []
    en = [r.body for r in result.renditions if r.language is Language.en]
    assert all(en_window in body for body in en), en


def test_strict_undefined_catches_template_mistakes(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(TEMPLATE_DIR, tmp_path / "t")
    target = tmp_path / "t" / "investigating" / "en.j2"
    target.write_text(target.read_text().replace("{{ v.service }}", "{{ v.servise }}"))
    broken = TemplateDrafter(tmp_path / "t")
    req = DraftRequest(
        kind=DraftKind.investigating, languages=[Language.en], channels=[Channel.sms], now=NOW
    )
    with pytest.raises(Exception, match="servise"):
        broken.draft(_context(), req)


def test_metadata_must_declare_the_view(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(TEMPLATE_DIR, tmp_path / "t")
    meta = tmp_path / "t" / "meta.yaml"
    meta.write_text(meta.read_text().replace("  - chat\n", ""))
    with pytest.raises(ConfigError, match="chat"):
        TemplateDrafter(tmp_path / "t")


def test_eta_buffer_is_configurable_within_policy() -> None:
    with pytest.raises(ConfigError):
        TemplateDrafter(eta_buffer=0.6)
    assert TemplateDrafter(eta_buffer=0.3).eta_buffer == pytest.approx(0.3)
