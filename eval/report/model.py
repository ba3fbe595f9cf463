"""What an evaluation shows: tables and charts, built once from its results for every output."""

from dataclasses import dataclass, field
from typing import Any


class Pct(float):
    """A share shown as a percentage."""


Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    """A titled table of plain cells."""

    title: str
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""
    # Confusion matrices are heat maps in HTML; the table form is for the terminal.
    html: bool = True

    def text(self, row: int, col: int) -> str:
        """A cell as shown."""
        return show(self.rows[row][col])


def show(value: Cell) -> str:
    """A cell as text."""
    if value is None:
        return "–"
    if isinstance(value, Pct):
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return value


@dataclass
class Section:
    """One command's results: tables for the console, SVG charts for HTML, data for JSON."""

    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
