"""The typed error tree. Every failure a client can cause is a `ServiceError` with an HTTP status.

Findings (guard results) are values; exceptions are for requests that cannot be served.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field of a request, named by a JSON-pointer-like path."""

    field: str
    problem: str


@dataclass
class ServiceError(Exception):
    """Base of every error the API maps to an RFC 9457 problem document."""

    detail: str
    errors: list[FieldProblem] = field(default_factory=list)
    status = 500
    title = "Internal error"
    type_slug = "internal"

    def __str__(self) -> str:
        return self.detail


class NotFoundError(ServiceError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class ConflictError(ServiceError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"


class ValidationFailed(ServiceError):
    status = 422
    title = "Validation failed"
    type_slug = "validation"


class AuthenticationError(ServiceError):
    status = 401
    title = "Authentication required"
    type_slug = "unauthenticated"


class PermissionDenied(ServiceError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class PayloadTooLarge(ServiceError):
    status = 413
    title = "Payload too large"
    type_slug = "payload-too-large"


class IntakeRejected(ValidationFailed):
    """An alert payload that is not the shape its source documents."""

    type_slug = "alert-payload"


class ConfigError(ServiceError):
    """Installation misconfigured (bad mapping file, bad pack). Not the client's fault."""

    title = "Configuration error"
    type_slug = "config"


class DraftingError(ServiceError):
    title = "Drafting failed"
    type_slug = "drafting"


class PublishError(ServiceError):
    title = "Publishing failed"
    type_slug = "publishing"
