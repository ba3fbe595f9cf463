"""Recorded LLM exchanges (vcrpy through pytest-recording).

Replaying never touches the network (record mode "none" is pytest-recording's default). To record
again against a real OpenAI-compatible server — the packaged SmolLM2 on llama.cpp, or any provider —
run `make record-llm` (see the Makefile); a prompt change alters request bodies, so matching on the
body makes the stale cassettes fail visibly until they are re-recorded. The scripted cassettes (from
`stub.py`, hand-written answers) re-record with `pytest tests/llm -k "not recorded"
--record-mode=rewrite`; put their "HAND-WRITTEN" first line back afterwards.
"""

import os
from typing import Any

import pytest

RECORD_URL = os.environ.get("HERALD_LLM_RECORD_URL", "http://127.0.0.1:8089/v1")
RECORD_MODEL = os.environ.get("HERALD_LLM_RECORD_MODEL", "smollm2")
# A small model on a busy CPU is slow; replays are instant whatever this says.
RECORD_TIMEOUT_S = float(os.environ.get("HERALD_LLM_RECORD_TIMEOUT_S", "180"))


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": ["authorization", "api-key", "x-api-key", "openai-organization"],
        "match_on": ["method", "path", "body"],
        "decode_compressed_response": True,
    }
