"""Sample webhook bodies under payloads/, shaped after each vendor's documented examples."""

import json
from pathlib import Path

PAYLOADS = Path(__file__).with_name("payloads")


def load(name: str) -> object:
    """The decoded JSON body of payloads/<name>.json."""
    result: object = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
    return result
