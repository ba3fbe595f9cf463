"""`herald feed`: replay a file of posts into a server; run scoring workers as processes."""

from pathlib import Path
from typing import Annotated

import typer

from service.cli import app
from service.config import get_settings

feed_app = typer.Typer(no_args_is_help=True, help="Customer feedback: replay and scoring.")
app.add_typer(feed_app, name="feed")


@feed_app.command("replay")
def replay(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL with `text`.")],
    token: Annotated[str, typer.Option(envvar="HERALD_TOKEN", help="Bearer token.")],
    url: Annotated[str, typer.Option(help="Herald base URL.")] = "http://127.0.0.1:8000",
    rate: Annotated[float, typer.Option(min=0.1, help="Posts per second.")] = 100.0,
    batch: Annotated[int, typer.Option(min=1, max=1000, help="Posts per request.")] = 200,
    concurrency: Annotated[int, typer.Option(min=1, max=64)] = 4,
    seconds: Annotated[float | None, typer.Option(help="Stop after this long.")] = None,
    loop: Annotated[bool, typer.Option(help="Cycle the file (new ids each round).")] = False,
    source: Annotated[str | None, typer.Option(help="Source name (default from file).")] = None,
) -> None:
    """Stream FILE.jsonl into a running server at --rate posts/s; print what was acknowledged."""
    from service.feedback.replay import Replayer, posts

    if loop and seconds is None:
        raise typer.BadParameter("--loop needs --seconds", param_hint="--seconds")
    replayer = Replayer(url, token, rate=rate, batch=batch, concurrency=concurrency)
    stats = replayer.run(posts(file, loop=loop, source=source), seconds=seconds).summary()
    typer.echo(
        f"sent {stats['sent']} accepted {stats['accepted']} duplicates {stats['duplicates']} "
        f"errors {stats['errors']} in {stats['seconds']} s ({stats['posts_per_s']} posts/s, "
        f"p50 {stats['latency_ms_p50']} ms, p99 {stats['latency_ms_p99']} ms)"
    )
    if stats["errors"]:
        raise typer.Exit(1)


@feed_app.command("score-worker")
def score_worker(
    once: Annotated[bool, typer.Option(help="Score what is waiting, then exit.")] = False,
    nice: Annotated[
        int,
        typer.Option(
            min=0,
            max=19,
            help="Lower this process's CPU priority by this much: scoring is background work "
            "and yields to the API's interactive requests (a backlog is answered by 429s).",
        ),
    ] = 10,
) -> None:
    """Score posts as a separate process (run several against PostgreSQL)."""
    import asyncio
    import os
    import signal

    if nice:
        os.nice(nice)

    from service.feedback.scoring import build_scoring_worker
    from service.store.db import make_engine, make_session_factory

    settings = get_settings()
    factory = make_session_factory(make_engine(settings.database_url))
    worker = build_scoring_worker(settings, factory)
    if once:
        typer.echo(f"scored {worker.drain()} posts")
        return

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await worker.run_forever(stop, idle_s=0.2)

    asyncio.run(main())
