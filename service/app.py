"""The FastAPI application: built once per process from `Settings`."""

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text

from guards import load_packs
from service import console, promises
from service.api import (
    admin,
    alerts,
    components,
    drafts,
    feedback,
    guard,
    incidents,
    maintenance,
    problems,
    public,
    reports,
    subscribers,
    targets,
)
from service.api.deps import SessionDep
from service.api.limits import BodySizeLimit
from service.channels.transport import make_client
from service.config import Settings, get_settings
from service.delivery import build_worker
from service.drafting.llm import LangChainDrafter, LlmSettings
from service.drafting.port import Drafter
from service.drafting.template import TemplateDrafter
from service.feedback.policy import load_policy as load_feedback_policy
from service.feedback.scoring import build_scoring_worker
from service.intake.mapping import load_mapping
from service.maintenance import reminder_lead
from service.store.db import make_engine, make_session_factory


def build_drafters(settings: Settings) -> dict[str, Drafter]:
    """The template drafter always; the LLM drafter when an endpoint is configured."""
    template = TemplateDrafter(eta_buffer=settings.eta_buffer)
    drafters: dict[str, Drafter] = {template.name: template}
    if settings.llm_base_url:
        llm = LangChainDrafter(
            LlmSettings(
                base_url=settings.llm_base_url,
                model=settings.llm_model,
                api_key=settings.llm_api_key,
                timeout_s=settings.llm_timeout_s,
            ),
            fallback=template,
        )
        drafters[llm.name] = llm
    return drafters


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; adapters and the database engine are created once, in the lifespan."""
    settings = settings or get_settings()
    # Read configuration files before serving anything, so a broken file stops start-up loudly.
    alert_mapping = load_mapping(settings.alert_mapping_path)
    feedback_policy = load_feedback_policy(settings.feedback_policy_path)
    drafters = build_drafters(settings)
    load_packs()  # compile the guard rules now: the first draft must not pay for it

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        factory = make_session_factory(engine)
        app.state.engine = engine
        app.state.session_factory = factory
        stop = asyncio.Event()
        http = make_client(settings.channels.http)
        worker_task = None
        if settings.worker_in_process:
            worker = build_worker(settings, factory, http)
            worker_task = asyncio.create_task(worker.run_forever(stop))
        clock_task = None
        if settings.cadence_in_process:
            clock = promises.ClockConfig(
                drafter=drafters["template"],
                reminder_targets=settings.reminder_targets,
                support_contact=settings.support_contacts(),
                console_url=settings.public_url,
                maintenance_reminder_lead=reminder_lead(settings.maintenance_reminder_h),
            )
            clock_run = promises.run_clock(factory, clock, stop, settings.cadence_tick_s)
            clock_task = asyncio.create_task(clock_run)
        scoring_task = None
        if settings.feedback_scoring_in_process:
            scorer = build_scoring_worker(settings, factory, feedback_policy)
            scoring_task = asyncio.create_task(scorer.run_forever(stop))
        # What start-up built lives as long as the process: keep it out of the collector's
        # full passes, which otherwise scan it and show up as request-latency spikes.
        gc.collect()
        gc.freeze()
        yield
        stop.set()
        if scoring_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(scoring_task, timeout=30)
        if worker_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(worker_task, timeout=10)
        if clock_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(clock_task, timeout=30)
        await http.aclose()
        engine.dispose()

    app = FastAPI(
        title="Herald",
        version="0.1.0",
        summary="Incident communication: guarded drafts, human approval, every channel.",
        lifespan=lifespan,
        responses={
            status: {"model": problems.Problem, "description": "Problem details (RFC 9457)"}
            for status in problems.ERROR_STATUSES
        },
    )
    app.state.settings = settings
    app.state.alert_mapping = alert_mapping
    app.state.drafters = drafters
    app.state.feedback_policy = feedback_policy
    problems.install(app)
    problems.document(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    for module in (
        incidents,
        components,
        alerts,
        drafts,
        guard,
        targets,
        admin,
        feedback,
        console,
        reports,
        public,
        subscribers,
        maintenance,
    ):
        app.include_router(module.router)

    @app.get("/healthz", tags=["health"], summary="Liveness and database reachability")
    def healthz(session: SessionDep) -> dict[str, str]:
        session.execute(text("SELECT 1"))
        return {"status": "ok", "database": session.get_bind().dialect.name}

    return app
