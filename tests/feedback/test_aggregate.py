"""Aggregates, spikes, markers and tone on synthetic timelines with an injected clock."""

from datetime import UTC, datetime, timedelta

from service.feedback.aggregate import Point, Publication, compute
from service.feedback.policy import default_policy
from service.feedback.tone import tone_for
from service.sentiment.model import Concern, SentimentLabel

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
POLICY = default_policy()
NEG, POS, NEU = SentimentLabel.negative, SentimentLabel.positive, SentimentLabel.neutral


def points(
    count: int,
    start_min: float,
    end_min: float,
    label: SentimentLabel = NEG,
    concern: Concern = Concern.other,
) -> list[Point]:
    """`count` posts spread evenly between `start_min` and `end_min` minutes before NOW."""
    step = (start_min - end_min) / count
    score = {NEG: -0.8, POS: 0.6, NEU: 0.0}[label]
    return [
        Point(NOW - timedelta(minutes=start_min - i * step), label, score, concern)
        for i in range(count)
    ]


def test_rolling_windows_count_share_mean_and_concerns() -> None:
    timeline = points(6, 0.9, 0.1, NEG, Concern.recovery_time) + points(4, 4.5, 1.5, POS)
    timeline += points(5, 14, 6, NEU, Concern.cause) + points(3, 40, 20, NEG)  # last: too old
    agg = compute("i1", timeline, [], NOW, POLICY)
    one, five, fifteen = agg.windows
    assert (one.minutes, one.volume, one.negative, one.negative_share) == (1, 6, 6, 1.0)
    assert (five.volume, five.negative) == (10, 6)
    assert five.negative_share == 0.6
    assert five.mean_score is not None
    assert abs(five.mean_score - (6 * -0.8 + 4 * 0.6) / 10) < 1e-3
    assert fifteen.volume == 15
    assert fifteen.concerns == {Concern.recovery_time: 6, Concern.cause: 5, Concern.other: 4}
    assert agg.top_concern is Concern.recovery_time


def test_empty_windows_have_no_shares() -> None:
    agg = compute("i1", [], [], NOW, POLICY)
    assert all(w.volume == 0 and w.negative_share is None for w in agg.windows)
    assert agg.top_concern is None
    assert not agg.negative_spike.spiking


def test_negative_spike_against_a_trailing_baseline() -> None:
    rule = POLICY.spike
    span = rule.window_minutes * (rule.baseline_buckets + 1)
    calm = points(2 * rule.baseline_buckets, span - 0.1, rule.window_minutes + 0.1)
    burst = points(rule.min_count + 5, rule.window_minutes - 0.1, 0.1)
    agg = compute("i1", calm + burst, [], NOW, POLICY)
    assert agg.negative_spike.current == rule.min_count + 5
    assert agg.negative_spike.baseline_mean == 2.0
    assert agg.negative_spike.spiking
    assert agg.volume_spike.spiking


def test_steady_high_volume_is_not_a_spike() -> None:
    rule = POLICY.spike
    span = rule.window_minutes * (rule.baseline_buckets + 1)
    steady = points(20 * (rule.baseline_buckets + 1), span - 0.05, 0.05)
    agg = compute("i1", steady, [], NOW, POLICY)
    assert agg.negative_spike.current >= rule.min_count
    assert not agg.negative_spike.spiking


def test_a_few_posts_never_spike_below_the_minimum() -> None:
    few = points(POLICY.spike.min_count - 1, 4, 0.1)
    assert not compute("i1", few, [], NOW, POLICY).negative_spike.spiking


def test_marker_compares_before_and_after_a_published_update() -> None:
    published = NOW - timedelta(minutes=20)
    before = [
        Point(published - timedelta(minutes=m), NEG if m % 4 else POS, 0.0, Concern.other)
        for m in range(1, 13)
    ]  # 12 posts, 9 negative
    after = [
        Point(published + timedelta(minutes=m), NEG if m % 4 == 0 else POS, 0.0, Concern.other)
        for m in range(1, 13)
    ]  # 12 posts, 3 negative
    outside = [Point(published - timedelta(minutes=30), NEG, -1.0, Concern.other)]
    agg = compute("i1", before + after + outside, [Publication(published, "d1")], NOW, POLICY)
    (mark,) = agg.markers
    assert (mark.before_volume, mark.after_volume) == (12, 12)
    assert mark.before_negative_share == 0.75
    assert mark.after_negative_share == 0.25
    assert mark.negative_share_change == -0.5
    assert mark.complete
    running = compute("i1", before, [Publication(NOW - timedelta(minutes=5), None)], NOW, POLICY)
    assert not running.markers[0].complete


def test_tone_apologises_on_a_negative_spike_and_shortens_cadence_on_volume() -> None:
    rule = POLICY.spike
    burst = points(rule.min_count + 10, rule.window_minutes - 0.1, 0.1)
    tone = tone_for(compute("i1", burst, [], NOW, POLICY))
    assert tone.apologise
    assert tone.shorten_cadence
    assert not tone.reassure_data_safety
    assert len(tone.reasons) == 2


def test_tone_reassures_when_data_security_leads_the_concerns() -> None:
    worried = points(POLICY.tone.top_concern_min_posts, 10, 2, NEU, Concern.data_security)
    noise = points(10, 10, 2, NEU, Concern.other)  # `other` never leads
    tone = tone_for(compute("i1", worried + noise, [], NOW, POLICY))
    assert tone.reassure_data_safety
    assert not tone.apologise
    assert "data security" in tone.reasons[0]


def test_tone_stays_neutral_on_a_calm_feed() -> None:
    calm = points(3, 10, 2, POS, Concern.recovery_time)
    tone = tone_for(compute("i1", calm, [], NOW, POLICY))
    assert (tone.apologise, tone.reassure_data_safety, tone.shorten_cadence) == (False,) * 3
    assert tone.reasons == []
