"""Summary statistics shared by evaluations and benchmarks."""

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank q-quantile (0 < q ≤ 1) of the values; 0.0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered) - 1e-9))  # the epsilon absorbs float noise
    return ordered[min(rank, len(ordered)) - 1]


def summary(values: Sequence[float]) -> dict[str, float]:
    """Count, mean, p50, p95, p99 and max."""
    n = len(values)
    return {
        "n": n,
        "mean": sum(values) / n if n else 0.0,
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "max": max(values) if n else 0.0,
    }
