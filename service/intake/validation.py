"""Run a pydantic model over a raw payload and report the first problem as an IntakeError."""

from datetime import datetime
from typing import Annotated, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from service.intake.errors import IntakeError
from service.intake.timestamp import parse_timestamp

ROOT = "(root)"

Timestamp = Annotated[datetime | None, BeforeValidator(parse_timestamp)]
"""A vendor timestamp field; validates to an aware datetime or None."""


class VendorShape(BaseModel):
    """Base for vendor payload shapes: strict types, unknown fields ignored (vendors add fields)."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


ShapeT = TypeVar("ShapeT", bound=BaseModel)


def validate_shape(shape: type[ShapeT], payload: object, prefix: str = "") -> ShapeT:
    """Validate payload against shape, raising IntakeError naming the first bad field."""
    try:
        return shape.model_validate(payload)
    except ValidationError as exc:
        raise _first_problem(exc, prefix) from exc


def join_path(*parts: object) -> str:
    """Join path parts into a JSON-pointer-like field path ("alerts/0/startsAt")."""
    text = "/".join(str(part) for part in parts if str(part) != "")
    return text or ROOT


def _first_problem(exc: ValidationError, prefix: str) -> IntakeError:
    error = exc.errors(include_url=False)[0]
    field = join_path(prefix, *error["loc"])
    kind = error["type"]
    if kind == "value_error" and "error" in error.get("ctx", {}):
        # Our own validators' messages are already plain; drop pydantic's "Value error, " prefix.
        problem = str(error["ctx"]["error"])
    elif kind in _EXPECTED:
        # Pydantic names our model classes here; a sender only needs the JSON type.
        problem = f"expected {_EXPECTED[kind]}, got {_json_type(error['input'])}"
    else:
        problem = error["msg"]
    more = exc.error_count() - 1
    if more:
        problem = f"{problem} (and {more} more problem{'s' if more > 1 else ''})"
    return IntakeError(field, problem)


_EXPECTED = {
    "model_type": "a JSON object",
    "dict_type": "a JSON object",
    "list_type": "a JSON array",
    "string_type": "a string",
    "int_type": "an integer",
    "bool_type": "a boolean",
}


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
