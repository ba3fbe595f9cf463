"""`python -m eval …`: the same commands as `herald eval …`, with `bench …` beside them."""

import typer

from eval.cli import bench_app, eval_app

root = typer.Typer(no_args_is_help=True, add_completion=False, help=eval_app.info.help)
root.add_typer(eval_app)
root.add_typer(bench_app, name="bench")

if __name__ == "__main__":
    root(prog_name="python -m eval")
