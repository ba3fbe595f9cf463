"""`herald sentiment train`: retrain the offline sentiment networks (seeded, reproducible)."""

import typer

from service.cli import app

sentiment_app = typer.Typer(no_args_is_help=True, help="Offline sentiment models.")
app.add_typer(sentiment_app, name="sentiment")


@sentiment_app.command(
    "train",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def train(ctx: typer.Context) -> None:
    """Train models/sentiment-{zh,en}.npz; options as `python -m service.sentiment.train --help`."""
    from service.sentiment.train import train_main

    raise typer.Exit(train_main(list(ctx.args)))
