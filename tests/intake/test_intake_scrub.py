import pytest

from service.intake.scrub import scrub


@pytest.mark.parametrize(
    ("text", "sensitive", "expected"),
    [
        ("Checkout failing on 10.12.4.31:8080", [], "Checkout failing"),
        ("Checkout failing on pod-7d9f:8080 now", ["pod-7d9f:8080"], "Checkout failing on now"),
        ("Probe failed: https://shop.example.com/health", [], "Probe failed"),
        ("Disk full on db-1.eu-west-1.internal", [], "Disk full"),
        ("DB fe80::1ff:fe23:4567:890a unreachable", [], "DB unreachable"),
        ("主机 10.0.0.5 CPU 过高", [], "主机 CPU 过高"),
        ("Queue backlog (10.0.0.5)", [], "Queue backlog"),
        ("Sign-in slow since 14:30:00", [], "Sign-in slow since 14:30:00"),
        ("Upgrade to v1.2.3 of node.js failed", [], "Upgrade to v1.2.3 of node.js failed"),
        ("Login slow\nsecond line with detail", [], "Login slow"),
        ("Search is slow for db users", ["db"], "Search is slow for db users"),
        ("", [], ""),
    ],
)
def test_scrub(text: str, sensitive: list[str], expected: str) -> None:
    assert scrub(text, sensitive) == expected


def test_trailing_words_stay_when_nothing_was_removed() -> None:
    assert scrub("Restart loop in pod") == "Restart loop in pod"
    assert scrub("Restart loop in pod 10.1.2.3") == "Restart loop"
