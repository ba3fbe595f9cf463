"""Report values (tables, charts) and their renderings: a rich console table and one HTML file."""

from eval.report.model import Cell, Pct, Section, Table

__all__ = ["Cell", "Pct", "Section", "Table"]
