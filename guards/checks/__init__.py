"""Check functions, one module per rule kind; `CHECKS` maps a kind to its function."""

from collections.abc import Callable

from guards.checks.existence import existence, substitution
from guards.checks.faithfulness import faithfulness
from guards.checks.metric import metric
from guards.checks.required import required
from guards.checks.timing import timing
from guards.compiled import Compiled
from guards.doc import Doc, Hit

Check = Callable[[Compiled, Doc], list[Hit]]

CHECKS: dict[str, Check] = {
    "existence": existence,
    "substitution": substitution,
    "required": required,
    "timing": timing,
    "metric": metric,
    "faithfulness": faithfulness,
}
