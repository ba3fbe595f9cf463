"""Read a draft file with optional YAML front matter (context) and a `# ` title line."""

from datetime import datetime
from typing import Any

import yaml

from guards.models import Draft, GuardContext


def parse_draft(text: str) -> tuple[Draft, dict[str, Any]]:
    """Split front matter (possibly empty) from the draft; a leading '# ' line is the title."""
    meta: dict[str, Any] = {}
    if text.startswith("---\n"):
        head, _, text = text[4:].partition("\n---\n")
        loaded = yaml.safe_load(head)
        meta = loaded if isinstance(loaded, dict) else {}
    lines = text.lstrip("\n").split("\n")
    title = None
    if lines and lines[0].startswith("# "):
        title = lines[0][2:].strip()
        lines = lines[1:]
    return Draft(body="\n".join(lines).strip("\n"), title=title), meta


def context_from(meta: dict[str, Any], **overrides: Any) -> GuardContext:
    """A GuardContext from front matter, with CLI-style overrides where given."""
    data = {**meta, **{k: v for k, v in overrides.items() if v is not None}}
    if isinstance(data.get("now"), str):
        data["now"] = datetime.fromisoformat(data["now"])
    return GuardContext.model_validate(data)
