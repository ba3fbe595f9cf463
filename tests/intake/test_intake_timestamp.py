from datetime import UTC, datetime, timedelta, timezone

import pytest

from service.intake.timestamp import parse_timestamp


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "2018-08-03T09:52:26.739266876+02:00",
            datetime(2018, 8, 3, 9, 52, 26, 739266, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2023-02-06T13:08:45.828Z", datetime(2023, 2, 6, 13, 8, 45, 828000, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_timestamp(value: object, expected: datetime | None) -> None:
    assert parse_timestamp(value) == expected


@pytest.mark.parametrize("value", ["2026-03-02", "2026-03-02T10:00:00", "now", 0, ["x"]])
def test_rejects_naive_or_non_timestamps(value: object) -> None:
    with pytest.raises(ValueError, match="timestamp"):
        parse_timestamp(value)
