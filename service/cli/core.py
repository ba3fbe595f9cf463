"""Core commands: serve, migrate, users."""

from typing import Annotated

import typer

from service.cli import app
from service.config import get_settings
from service.domain.enums import Role
from service.store.db import make_engine, make_session_factory, session_scope

users_app = typer.Typer(no_args_is_help=True, help="API users and tokens.")
app.add_typer(users_app, name="users")


@app.command()
def migrate() -> None:
    """Bring the database (DATABASE_URL, default ./herald.db) up to the latest schema."""
    from service.store.migrate import upgrade

    upgrade(get_settings().database_url)
    typer.echo("database is at the latest schema")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (HERALD_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (HERALD_PORT).")] = None,
    workers: Annotated[
        int, typer.Option(min=0, help="Server processes (HERALD_WORKERS); each runs the app.")
    ] = 0,
) -> None:
    """Serve the API, console and status page."""
    import uvicorn

    settings = get_settings()
    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = settings.model_copy(update=overrides)
    processes = workers or settings.workers
    if processes > 1:
        # Each process builds its own app from the environment (uvicorn's factory mode).
        uvicorn.run(
            "service.app:create_app",
            factory=True,
            workers=processes,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
        )
        return
    from service.app import create_app

    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level
    )


@users_app.command("create")
def users_create(
    name: str,
    role: Annotated[Role, typer.Option(help="responder, approver, comms_lead or admin.")],
) -> None:
    """Create a user; its token is printed once, as the last line."""
    from service import users
    from service.errors import ServiceError

    factory = make_session_factory(make_engine(get_settings().database_url))
    try:
        with session_scope(factory) as session:
            issued = users.create_user(session, name, role, actor="cli")
    except ServiceError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"created user {issued.user.name} ({issued.user.role.value}), id {issued.user.id}")
    typer.echo("the token is shown only now; store it safely:")
    typer.echo(issued.token)


@users_app.command("revoke")
def users_revoke(name: str) -> None:
    """Revoke a user's token (by name or id)."""
    from service import users
    from service.errors import ServiceError

    factory = make_session_factory(make_engine(get_settings().database_url))
    try:
        with session_scope(factory) as session:
            revoked = users.revoke_user(session, name, actor="cli")
    except ServiceError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"revoked {revoked.name}")


@users_app.command("list")
def users_list() -> None:
    """List users and their roles."""
    from service import users

    factory = make_session_factory(make_engine(get_settings().database_url))
    with session_scope(factory) as session:
        for user in users.list_users(session):
            state = "revoked" if user.revoked_at else "active"
            typer.echo(f"{user.name}\t{user.role.value}\t{state}\t{user.id}")


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="Deliver what is due, then exit.")] = False,
) -> None:
    """Run the delivery worker as its own process (several may run against PostgreSQL)."""
    import asyncio
    import signal

    from service.channels.transport import make_client
    from service.delivery import build_worker

    settings = get_settings()
    factory = make_session_factory(make_engine(settings.database_url))

    async def main() -> None:
        async with make_client(settings.channels.http) as http:
            delivery_worker = build_worker(settings, factory, http)
            if once:
                while await delivery_worker.run_once():
                    pass
                return
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            await delivery_worker.run_forever(stop, idle_s=0.2)

    asyncio.run(main())
