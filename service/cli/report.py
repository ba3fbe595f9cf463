"""`herald report` (communication metrics) and `herald promises` (the cadence clock, once)."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from service.cli import app
from service.config import get_settings
from service.metrics import CommsReport
from service.store.types import utcnow

promises_app = typer.Typer(no_args_is_help=True, help="The promise ledger and cadence clock.")
app.add_typer(promises_app, name="promises")


def _when(value: str | None, default: datetime) -> datetime:
    if value is None:
        return default
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO date or time: {value!r}") from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _fmt(value: float | None, suffix: str = "") -> str:
    return "—" if value is None else f"{value:g}{suffix}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def render(report: CommsReport, console: Console) -> None:
    """Print the report as two rich tables: per incident, then the aggregate by severity."""
    table = Table(title=f"Communication {report.start:%Y-%m-%d} – {report.end:%Y-%m-%d}")
    for column in (
        "incident",
        "sev",
        "first notice",
        "approval (median)",
        "cadence kept",
        "ETAs held",
        "drafts/update",
        "findings/draft",
        "overdue",
    ):
        table.add_column(column)
    for m in report.incidents:
        table.add_row(
            m.name[:40],
            m.severity.value,
            _fmt(m.time_to_first_notice_min, " min"),
            _fmt(m.approval_latency_median_min, " min"),
            f"{m.promises_kept}/{m.promises_kept + m.promises_missed}",
            f"{m.eta_kept}/{m.eta_kept + m.eta_missed}",
            _fmt(m.drafts_per_published_update),
            _fmt(m.guard_findings_per_draft),
            str(m.overdue_promises),
        )
    console.print(table)
    summary = Table(title="Aggregate")
    for column in ("scope", "incidents", "first notice (median)", "on time", "cadence", "ETAs"):
        summary.add_column(column)
    scopes = [("all", report.aggregate)] + [(s.value, a) for s, a in report.by_severity.items()]
    for scope, a in scopes:
        summary.add_row(
            scope,
            str(a.incidents),
            _fmt(a.time_to_first_notice_median_min, " min"),
            _pct(a.first_notice_on_time),
            _pct(a.cadence_adherence),
            _pct(a.eta_accuracy),
        )
    console.print(summary)


@app.command()
def report(
    start: Annotated[
        str | None, typer.Option("--from", help="ISO date/time (default: 30 days ago).")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="ISO date/time (default: now).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Communication metrics for incidents started in [--from, --to)."""
    from service.metrics import comms_report
    from service.store.db import make_engine, make_session_factory

    now = utcnow()
    until = _when(end, now)
    since = _when(start, until - timedelta(days=30))
    if until <= since:
        raise typer.BadParameter("--to must be after --from")
    factory = make_session_factory(make_engine(get_settings().database_url))
    with factory() as session:
        result = comms_report(session, since, until, now)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        render(result, Console())


@promises_app.command("tick")
def tick() -> None:
    """Run the cadence clock once: settle deadlines, remind, draft 'still working' updates and
    due maintenance reminders."""
    from service.app import build_drafters
    from service.maintenance import reminder_lead
    from service.promises import ClockConfig, tick_once
    from service.store.db import make_engine, make_session_factory

    settings = get_settings()
    factory = make_session_factory(make_engine(settings.database_url))
    config = ClockConfig(
        drafter=build_drafters(settings)["template"],
        reminder_targets=settings.reminder_targets,
        support_contact=settings.support_contacts(),
        console_url=settings.public_url,
        maintenance_reminder_lead=reminder_lead(settings.maintenance_reminder_h),
    )
    result = tick_once(factory, config)
    typer.echo(
        f"made {len(result.made)}, kept {len(result.kept)}, missed {len(result.missed)}, "
        f"reminded {len(result.reminded)}, drafts {len(result.drafts)}, "
        f"reminders queued {result.reminders_queued}, "
        f"maintenance reminders {len(result.maintenance_reminders)}"
    )
    for error in result.errors:
        typer.echo(f"error: {error}", err=True)


@promises_app.command("overdue")
def overdue() -> None:
    """List promises past their deadline that are still owed."""
    from service.promises import list_promises
    from service.store.db import make_engine, make_session_factory

    factory = make_session_factory(make_engine(get_settings().database_url))
    with factory() as session:
        rows = list_promises(session, utcnow(), overdue_only=True)
    for p in rows:
        typer.echo(
            f"{p.incident_id}  {p.severity.value}  {p.kind.value:<18} "
            f"due {p.due_at:%Y-%m-%d %H:%M}Z  {p.state.value}"
        )
    if not rows:
        typer.echo("no overdue promises")
