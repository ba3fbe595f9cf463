"""`herald eval`: evaluations on real data (the commands live in eval.cli)."""

from eval.cli import eval_app
from service.cli import app

app.add_typer(eval_app, name="eval")
