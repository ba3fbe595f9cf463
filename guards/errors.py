"""The guard layer's exceptions: failures, not findings."""


class GuardError(Exception):
    """Base of guard-layer failures."""


class PackError(GuardError):
    """A rule pack that cannot be loaded, located by file and line."""

    def __init__(self, path: str, line: int, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem
