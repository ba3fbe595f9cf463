"""JSON answers for the hot routes."""

from collections.abc import Mapping

from fastapi import Response
from pydantic import BaseModel


def json_response(
    model: BaseModel, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """The model as JSON. A sync route that returns a model has FastAPI validate it again in
    one more worker-thread hop; the hot routes (alert intake, drafting) skip that by returning
    this, and declare `response_model` so the OpenAPI document still describes the body."""
    return Response(
        model.model_dump_json(),
        status_code=status_code,
        media_type="application/json",
        headers=dict(headers) if headers else None,
    )
