"""Server-rendered public pages (Jinja2, autoescaped, no JavaScript needed)."""

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

TEMPLATE_DIR = Path(__file__).with_name("templates")


def paragraphs(text: str) -> Markup:
    """Plain text as escaped paragraphs; single newlines become line breaks."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in b.split("\n")))
        for b in blocks
    )


def clock(at: datetime | None) -> str:
    """A time to the minute, in UTC, labelled."""
    return "" if at is None else at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso(at: datetime | None) -> str:
    return "" if at is None else at.astimezone(UTC).isoformat().replace("+00:00", "Z")


@cache
def environment(template_dir: Path = TEMPLATE_DIR) -> Environment:
    """The page templates, loaded once; every value is escaped unless marked safe here."""
    env = Environment(
        loader=FileSystemLoader(str(template_dir)),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["paragraphs"] = paragraphs
    env.filters["clock"] = clock
    env.filters["iso"] = iso
    return env


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)
