"""Strip hosts, addresses and URLs from an alert's summary so it can stand as a user-level line.

Alert summaries are often templated with ``{{ $labels.instance }}``; PLAYBOOK §5 forbids hosts and
IPs in public text. This is a best-effort first pass at intake; the guard rules check drafts again.
"""

import re
from collections.abc import Iterable

_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b")
_IPV6 = re.compile(
    r"\[?\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b\]?(?::\d{1,5})?"
    r"|\[?\b(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?\]?(?::\d{1,5})?",
    re.IGNORECASE,
)
# Three or more dotted labels ending in letters: pod.ns.svc.cluster.local, db1.eu.internal.
_HOSTNAME = re.compile(r"\b(?:[a-z0-9-]+\.){2,}[a-z]{2,}(?::\d{1,5})?\b", re.IGNORECASE)
_DANGLING = re.compile(
    r"(?:\s*(?:\b(?:on|at|for|from|in|of|to|via|host|instance|node|pod)\b|[:;,/@=|(\[-]))+\s*$",
    re.IGNORECASE,
)
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
_SPACES = re.compile(r"\s+")


def scrub(text: str, sensitive_values: Iterable[str] = ()) -> str:
    """Return the first line of text without URLs, IPs, hostnames or the given label values."""
    original = text.strip().splitlines()[0].strip() if text.strip() else ""
    line = original
    # Longest first, so "host:8080" goes before "host" leaves ":8080" behind.
    for value in sorted(_expand(sensitive_values), key=len, reverse=True):
        line = line.replace(value, " ")
    for pattern in (_URL, _IPV6, _IPV4, _HOSTNAME):
        line = pattern.sub(" ", line)
    line = _SPACES.sub(" ", line).strip()
    if line == _SPACES.sub(" ", original):
        return line  # nothing removed: leave a trailing "on node" that was meant as words
    line = _SPACES.sub(" ", _EMPTY_BRACKETS.sub(" ", line)).strip()
    return _DANGLING.sub("", line).strip()


def _expand(values: Iterable[str]) -> set[str]:
    expanded: set[str] = set()
    for value in values:
        value = value.strip()
        # Two characters or fewer would eat ordinary words ("db", "a1").
        if len(value) < 3:
            continue
        expanded.add(value)
        host = value.split("://", 1)[-1].split("/", 1)[0]
        expanded.add(host)
        if ":" in host and not host.startswith("["):
            expanded.add(host.rsplit(":", 1)[0])
    return {value for value in expanded if len(value) >= 3}
