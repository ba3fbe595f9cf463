"""Console sign-in: the API token in a signed, HttpOnly cookie, and double-submit CSRF tokens.

The cookie only carries the token; every request re-authenticates it and checks roles with the
same gates the JSON API uses (`service.api.deps`), so the console has no authorization rules of
its own.
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Annotated, Any, get_args

from fastapi import Depends, HTTPException, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.orm import Session

from service.api.deps import AnyUser, RoleGate, SessionDep
from service.config import Settings
from service.errors import AuthenticationError, PermissionDenied
from service.users import Principal

SESSION_COOKIE = "herald_console"
CSRF_COOKIE = "herald_csrf"
CSRF_HEADER = "X-CSRF-Token"
COOKIE_PATH = "/console"

# Without a configured secret, sign-ins last as long as the process (documented on the setting).
_PROCESS_KEY = secrets.token_bytes(32)


def _key(settings: Settings) -> bytes:
    secret = settings.console_secret
    return secret.get_secret_value().encode() if secret is not None else _PROCESS_KEY


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(settings: Settings, payload: dict[str, Any]) -> str:
    """`payload` as base64 JSON with an HMAC-SHA256 tag."""
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    tag = hmac.new(_key(settings), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(tag)}"


def unsign(settings: Settings, value: str, *, max_age_s: int) -> dict[str, Any] | None:
    """The payload of a cookie `sign` made, or None if forged, malformed or older than max_age_s."""
    body, _, tag = value.partition(".")
    expected = hmac.new(_key(settings), body.encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(_unb64(tag), expected):
            return None
        payload = json.loads(_unb64(body))
    except (ValueError, json.JSONDecodeError):
        return None
    if not isinstance(payload, dict) or time.time() - float(payload.get("iat", 0)) > max_age_s:
        return None
    return payload


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session(request: Request, response: Response, token: str) -> None:
    """Remember the token for this browser (HttpOnly, SameSite=Strict, Secure over https)."""
    settings = _settings(request)
    response.set_cookie(
        SESSION_COOKIE,
        sign(settings, {"t": token, "iat": time.time()}),
        max_age=settings.console_session_s,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")


def session_token(request: Request) -> str | None:
    """The API token this browser signed in with, if its cookie is genuine and fresh."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    settings = _settings(request)
    payload = unsign(settings, raw, max_age_s=settings.console_session_s)
    token = payload.get("t") if payload else None
    return token if isinstance(token, str) else None


def csrf_token(request: Request) -> str:
    """This browser's CSRF token (a fresh one when it has none yet; `keep_csrf` stores it)."""
    current = request.cookies.get(CSRF_COOKIE)
    if current and len(current) >= 32:
        return current
    cached: str | None = getattr(request.state, "csrf", None)
    if cached is None:
        cached = secrets.token_urlsafe(32)
        request.state.csrf = cached
    return cached


def keep_csrf(request: Request, response: Response) -> None:
    """Set the CSRF cookie if this request minted the token."""
    minted: str | None = getattr(request.state, "csrf", None)
    if minted is not None:
        response.set_cookie(
            CSRF_COOKIE,
            minted,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=_secure(request),
        )


def check_csrf(request: Request, submitted: str | None) -> None:
    """Double submit: the form field (or header) must equal the cookie."""
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
        raise PermissionDenied("the form's security token is missing or stale; reload the page")


def gate_of(alias: object) -> RoleGate:
    """The RoleGate inside one of the API's principal aliases (`Approver`, `Responder`, …)."""
    for meta in get_args(alias)[1:]:
        dependency = getattr(meta, "dependency", None)
        if isinstance(dependency, RoleGate):
            return dependency
    raise TypeError(f"{alias!r} carries no RoleGate")


def admit(session: Session, token: str | None, alias: object) -> Principal:
    """Authenticate `token` and check it against the API gate `alias` stands for."""
    if token is None:
        raise AuthenticationError("sign in with your API token")
    credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)
    return gate_of(alias)(session, credentials)


def may(principal: Principal, alias: object) -> bool:
    """Whether the principal passes the gate (to show only the buttons that would work)."""
    return principal.role in gate_of(alias).roles


class SignedIn:
    """A page dependency: the signed-in principal, or a redirect to the sign-in page."""

    def __init__(self, alias: object) -> None:
        self.alias = alias

    def __call__(self, request: Request, session: SessionDep) -> Principal:
        try:
            return admit(session, session_token(request), self.alias)
        except AuthenticationError:
            target = request.url.path
            raise HTTPException(
                status_code=303,
                detail="sign in first",
                headers={"Location": f"/console/login?next={target}"},
            ) from None


# Any signed-in user; pages that act check the action's own gate when the form is posted.
Viewer = Annotated[Principal, Depends(SignedIn(AnyUser))]
