"""`herald bench`: benchmarks that print their figures and write JSON (commands in eval.cli)."""

from eval.cli import bench_app
from service.cli import app

app.add_typer(bench_app, name="bench")
