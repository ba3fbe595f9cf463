"""The FastAPI application: built once per process from `Settings`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text

from service.api import admin, alerts, components, incidents, problems
from service.api.deps import SessionDep
from service.api.limits import BodySizeLimit
from service.config import Settings, get_settings
from service.intake.mapping import load_mapping
from service.store.db import make_engine, make_session_factory


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; adapters and the database engine are created once, in the lifespan."""
    settings = settings or get_settings()
    # Read configuration files before serving anything, so a broken file stops start-up loudly.
    alert_mapping = load_mapping(settings.alert_mapping_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        app.state.engine = engine
        app.state.session_factory = make_session_factory(engine)
        yield
        engine.dispose()

    app = FastAPI(
        title="Herald",
        version="0.1.0",
        summary="Incident communication: guarded drafts, human approval, every channel.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.alert_mapping = alert_mapping
    problems.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    for module in (incidents, components, alerts, admin):
        app.include_router(module.router)

    @app.get("/healthz", tags=["health"], summary="Liveness and database reachability")
    def healthz(session: SessionDep) -> dict[str, str]:
        session.execute(text("SELECT 1"))
        return {"status": "ok", "database": session.get_bind().dialect.name}

    return app
