"""The `herald` command line. Each sub-module adds its commands to `app`."""

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Herald incident communication.")

# Sub-modules register their commands on import.
from service.cli import bench, core, draft, eval, feed, lint, maintenance, report, sentiment  # noqa: E402, F401
