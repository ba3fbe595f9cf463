"""Schemathesis against the OpenAPI spec: every operation, authenticated as admin, a bounded number
of examples each. No response may be a server error or break the documented schema."""

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from service import users
from service.app import create_app
from service.config import Settings
from service.domain.enums import Role
from service.store.db import make_engine, make_session_factory, session_scope
from service.store.migrate import upgrade

MAX_EXAMPLES = 10

# One database for the whole module: schemathesis builds its tests at import time.
_DB = Path(tempfile.mkdtemp(prefix="herald-fuzz-")) / "fuzz.db"
_URL = f"sqlite:///{_DB}"
upgrade(_URL)
_FACTORY = make_session_factory(make_engine(_URL))
with session_scope(_FACTORY) as _session:
    _TOKEN = users.create_user(_session, "fuzz-admin", Role.admin, actor="test").token
_APP = create_app(Settings(database_url=_URL, worker_in_process=False))
# The ASGI transport does not run the lifespan; give the app what the lifespan would.
_APP.state.session_factory = _FACTORY

schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)
AUTH = {"Authorization": f"Bearer {_TOKEN}"}
# Input handling follows pydantic's lax JSON coercions ("5" for 5, 0 for an epoch timestamp), and
# some valid-looking bodies are refused by cross-field rules the schema cannot state (a window
# ending before it starts). Responses, status codes, headers and server errors are all checked.
LENIENT_INPUT_CHECKS = [
    schemathesis.checks.negative_data_rejection,
    schemathesis.checks.positive_data_acceptance,
]


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=AUTH, excluded_checks=LENIENT_INPUT_CHECKS)
