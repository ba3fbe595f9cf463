"""The `line` fixture: a timeline driver with the wall clock frozen at the bank case's start."""

from collections.abc import Iterator

import pytest
import time_machine
from fastapi.testclient import TestClient

from tests.cadence.timelines import BANK_T0, Timeline
from tests.conftest import Tokens


@pytest.fixture
def line(client: TestClient, tokens: Tokens) -> Iterator[Timeline]:
    with time_machine.travel(BANK_T0, tick=False) as traveller:
        yield Timeline(client, tokens, traveller)
