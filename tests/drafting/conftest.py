"""One drafter for the whole drafting test session (templates load once)."""

import pytest

from service.drafting.template import TemplateDrafter


@pytest.fixture(scope="session")
def drafter() -> TemplateDrafter:
    return TemplateDrafter()
