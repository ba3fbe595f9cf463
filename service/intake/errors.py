"""Intake failures: a payload that is not its vendor's shape, or a broken mapping file."""

from pathlib import Path


class IntakeError(Exception):
    """A webhook payload that cannot be read as its source's documented shape."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        """JSON-pointer-like path to the offending value, e.g. ``alerts/0/startsAt``."""
        self.problem = problem


class MappingError(Exception):
    """An alert-mapping YAML file that does not parse or does not fit the schema."""

    def __init__(self, path: Path, problem: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem
