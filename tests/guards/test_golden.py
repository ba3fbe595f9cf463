"""Golden drafts: every case's findings must match its .expected file exactly."""

from pathlib import Path

import pytest

from tests.guards.golden import GOLDEN, render

CASES = sorted(GOLDEN.glob("*/*.md"))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.stem}" for c in CASES])
def test_golden(case: Path) -> None:
    expected = case.with_suffix(".expected")
    assert expected.exists(), f"missing {expected}; run python -m tests.guards.golden"
    assert render(case) == expected.read_text(encoding="utf-8")


def test_there_are_golden_cases_for_several_packs() -> None:
    assert len({c.parent.name for c in CASES}) >= 5
