"""Sections on the terminal as rich tables, and a progress bar for long runs."""

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from eval.report.model import Section


class Tick(Protocol):
    """Advance a progress bar by one item."""

    def __call__(self) -> None: ...


def print_sections(sections: Sequence[Section], console: Console | None = None) -> None:
    """Print every table of every section."""
    # Off a terminal rich would wrap at 80 columns; rule ids and file names need more.
    out = console or Console(width=None if sys.stdout.isatty() else 160)
    for section in sections:
        out.rule(f"[bold]{section.title}")
        for note in section.notes:
            out.print(note, style="dim")
        for table in section.tables:
            rich = RichTable(title=table.title, title_justify="left", caption=table.note or None)
            for i, column in enumerate(table.columns):
                numeric = any(isinstance(r[i], int | float) for r in table.rows)
                rich.add_column(column, justify="right" if numeric else "left")
            for r in range(len(table.rows)):
                rich.add_row(*(table.text(r, c) for c in range(len(table.columns))))
            out.print(rich)


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Tick]:
    """A progress bar on stderr (drawn only on a terminal; no total: a counter)."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with bar:
        task = bar.add_task(description, total=total)

        def tick() -> None:
            bar.advance(task)

        yield tick
