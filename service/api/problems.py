"""RFC 9457 problem details for every error, with field-level messages."""

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from service.errors import FieldProblem, ServiceError

PROBLEM_MEDIA_TYPE = "application/problem+json"
ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 422, 429)
TYPE_BASE = "https://herald.dev/problems/"


class FieldError(BaseModel):
    field: str
    problem: str


class Problem(BaseModel):
    """RFC 9457 problem details, with Herald's field-level `errors`."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] | None = None


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    type_slug: str,
    instance: str,
    errors: list[FieldProblem] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + type_slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors:
        body["errors"] = [{"field": e.field, "problem": e.problem} for e in errors]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _field_path(loc: tuple[int | str, ...]) -> str:
    # Drop FastAPI's "body" prefix; keep "query"/"path" so those stay unambiguous.
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return "/".join(parts) or "body"


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return problem_response(
        exc.status,
        exc.title,
        exc.detail,
        type_slug=exc.type_slug,
        instance=request.url.path,
        errors=exc.errors,
        headers=headers,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [FieldProblem(_field_path(tuple(e["loc"])), str(e["msg"])) for e in exc.errors()]
    detail = "; ".join(f"{e.field}: {e.problem}" for e in errors[:5])
    return problem_response(
        422,
        "Validation failed",
        detail,
        type_slug="validation",
        instance=request.url.path,
        errors=errors,
    )


_HTTP_PROBLEMS = {
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("payload-too-large", "Payload too large"),
}


def _matching_routes(routes: list[Any], path: str) -> list[APIRoute | Route]:
    found: list[APIRoute | Route] = []
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            found += _matching_routes(original.routes, path)
        elif isinstance(route, APIRoute | Route) and route.path_regex.match(path):
            found.append(route)
    return found


def _allowed_methods(routes: list[Any], path: str) -> set[str]:
    """Methods served at `path` (Starlette names only the first matching route's). A literal path
    such as /v1/incidents/unresolved also matches /v1/incidents/{id}; the literal one wins."""
    matching = _matching_routes(routes, path)
    literal = [r for r in matching if r.path == path]
    methods: set[str] = set()
    for route in literal or matching:
        methods |= route.methods or set()
    return methods


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug, title = _HTTP_PROBLEMS.get(exc.status_code, ("http", "HTTP error"))
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        methods = _allowed_methods(request.app.routes, request.url.path)
        headers["Allow"] = ", ".join(sorted(methods | ({"HEAD"} if "GET" in methods else set())))
    return problem_response(
        exc.status_code,
        title,
        str(exc.detail),
        type_slug=slug,
        instance=request.url.path,
        headers=headers,
    )


def document(app: FastAPI) -> None:
    """Declare the problem responses in OpenAPI under their real media type."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build()
        problem = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        page = {"text/html": {"schema": {"type": "string"}}}
        for path in spec.get("paths", {}).values():
            for operation in path.values():
                responses = operation.get("responses", {})
                # Pages (status page, console, forms) answer errors as pages too.
                is_page = any("text/html" in r.get("content", {}) for r in responses.values())
                for status, response in responses.items():
                    if status.isdigit() and int(status) in ERROR_STATUSES:
                        response["content"] = page if is_page else problem
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override hook


def install(app: FastAPI) -> None:
    """Route every error through one problem-details mapping."""
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
