"""RFC 9457 problem details for every error, with field-level messages."""

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import FieldProblem, ServiceError

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://herald.dev/problems/"


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


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug, title = _HTTP_PROBLEMS.get(exc.status_code, ("http", "HTTP error"))
    return problem_response(
        exc.status_code,
        title,
        str(exc.detail),
        type_slug=slug,
        instance=request.url.path,
        headers=exc.headers,
    )


def install(app: FastAPI) -> None:
    """Route every error through one problem-details mapping."""
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
