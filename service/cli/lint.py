"""`herald lint`: the guard layer on the command line (the logic lives in guards.cli)."""

import typer

from guards.cli import lint_main
from service.cli import app


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def lint(ctx: typer.Context) -> None:
    """Check a draft: herald lint [FILE|-] --lang zh|en --stage S --kind K --channel C [--json]."""
    raise typer.Exit(lint_main(list(ctx.args)))
