"""Tone guidance for the next update, derived from an incident's feedback aggregate."""

from service.drafting.model import ToneGuidance
from service.feedback.model import Aggregate
from service.feedback.policy import TonePolicy, default_policy
from service.sentiment.model import Concern


def tone_for(aggregate: Aggregate, policy: TonePolicy | None = None) -> ToneGuidance:
    """Apologise on a negative spike, reassure on data worries, shorten cadence on volume."""
    policy = policy or default_policy().tone
    reasons: list[str] = []
    neg, vol = aggregate.negative_spike, aggregate.volume_spike
    if neg.spiking:
        reasons.append(
            f"negative posts spiking: {neg.current} in the last window "
            f"against a baseline of {neg.baseline_mean:g}"
        )
    data_worry = (
        aggregate.top_concern is Concern.data_security
        and aggregate.top_concern_posts >= policy.top_concern_min_posts
    )
    if data_worry:
        reasons.append(f"data security is the top concern ({aggregate.top_concern_posts} posts)")
    if vol.spiking:
        reasons.append(
            f"post volume spiking: {vol.current} in the last window "
            f"against a baseline of {vol.baseline_mean:g}"
        )
    return ToneGuidance(
        apologise=neg.spiking,
        reassure_data_safety=data_worry,
        shorten_cadence=vol.spiking,
        reasons=reasons,
    )
