"""Turn a vendor webhook body into normalized alerts: the one entry point for alert intake."""

from collections.abc import Callable

from service.intake import alertmanager, generic, grafana, pagerduty
from service.intake.errors import IntakeError
from service.intake.model import NormalizedAlert

_PARSERS: dict[str, Callable[[object], list[NormalizedAlert]]] = {
    "alertmanager": alertmanager.parse,
    "grafana": grafana.parse,
    "pagerduty": pagerduty.parse,
    "generic": generic.parse,
}

SOURCES: tuple[str, ...] = tuple(_PARSERS)


def parse_alerts(source: str, payload: object) -> list[NormalizedAlert]:
    """Parse a decoded JSON body from source; raise IntakeError if it is not that source's shape."""
    parser = _PARSERS.get(source)
    if parser is None:
        raise IntakeError("source", f"unknown alert source {source!r}; known: {', '.join(SOURCES)}")
    return parser(payload)
