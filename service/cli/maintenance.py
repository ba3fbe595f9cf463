"""`herald maintenance tick`: draft due maintenance reminders (for cron or a systemd timer)."""

from datetime import datetime
from typing import Annotated

import typer

from service.cli import app
from service.config import get_settings
from service.store.db import make_engine, make_session_factory, session_scope

maintenance_app = typer.Typer(no_args_is_help=True, help="Scheduled maintenance.")
app.add_typer(maintenance_app, name="maintenance")


@maintenance_app.command("tick")
def tick(
    now: Annotated[
        str | None, typer.Option("--now", help="ISO time with offset (default: the clock).")
    ] = None,
) -> None:
    """Draft a reminder for each announced window that starts soon; reminders go to review."""
    from service import maintenance
    from service.app import build_drafters
    from service.store.types import utcnow

    settings = get_settings()
    at = datetime.fromisoformat(now) if now else utcnow()
    if at.tzinfo is None:
        typer.echo("error: --now needs a UTC offset", err=True)
        raise typer.Exit(2)
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            created = maintenance.due_reminders(
                session,
                at,
                lead=maintenance.reminder_lead(settings.maintenance_reminder_h),
                drafters=build_drafters(settings),
                support_contact=settings.support_contacts(),
            )
            for item in created:
                typer.echo(f"reminder draft {item.draft.id} for incident {item.draft.incident_id}")
    finally:
        engine.dispose()
    typer.echo(f"{len(created)} reminder draft(s) created")
