"""Linking: time window with margins, keyword evidence, confidence from the policy's weights."""

from datetime import UTC, datetime, timedelta

from service.feedback.linking import Candidate, Linker
from service.feedback.policy import default_policy, keyword_pattern

T0 = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
POLICY = default_policy().linking
W = POLICY.weights


def cand(incident_id: str, components: list[str], name: str = "", **times: datetime) -> Candidate:
    return Candidate(
        incident_id=incident_id,
        starts=times.get("starts", T0 - timedelta(minutes=POLICY.margin_minutes)),
        ends=times.get("ends"),
        components=keyword_pattern(components),
        name=keyword_pattern([name] if name else []),
    )


def test_component_word_in_window_links_with_summed_confidence() -> None:
    link = Linker(POLICY).link("Checkout keeps failing", T0, [cand("i1", ["checkout"])])
    assert link is not None
    assert link.incident_id == "i1"
    expected = W.window + W.component + W.generic + W.sole_candidate
    assert link.confidence == round(min(1.0, expected), 3)
    assert set(link.evidence) == {"window", "component", "generic", "sole_candidate"}


def test_window_alone_stays_below_threshold() -> None:
    assert Linker(POLICY).link("lovely weather today", T0, [cand("i1", ["checkout"])]) is None


def test_outside_the_window_never_links() -> None:
    ended = cand("i1", ["checkout"], ends=T0)
    later = T0 + timedelta(minutes=1)
    assert Linker(POLICY).link("checkout is down", later, [ended]) is None
    assert Linker(POLICY).link("checkout is down", T0, [ended]) is not None


def test_latin_keywords_match_whole_words_only() -> None:
    pool = [cand("i1", ["app"])]
    assert Linker(POLICY).link("so happy with this", T0, pool) is None
    assert Linker(POLICY).link("the app broke", T0, pool) is not None


def test_chinese_keywords_match_inside_text() -> None:
    link = Linker(POLICY).link("支付一直失败", T0, [cand("i1", ["支付"])])
    assert link is not None
    assert "component" in link.evidence


def test_the_incident_with_more_evidence_wins() -> None:
    pool = [cand("pay", ["checkout"]), cand("login", ["login"])]
    link = Linker(POLICY).link("cannot login since noon", T0, pool)
    assert link is not None
    assert link.incident_id == "login"
    # Two incidents fit the window, so there is no sole-candidate bonus.
    assert "sole_candidate" not in link.evidence
