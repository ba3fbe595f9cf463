"""Rendering console pages: one Jinja2 environment (autoescaped), flash messages, safe headers."""

import json
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from service.console import auth, i18n
from service.errors import ServiceError
from service.users import Principal

TEMPLATES = Path(__file__).with_name("templates")
FLASH_COOKIE = "herald_flash"

# No inline script or style anywhere, so the policy can forbid both: injected markup stays inert.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Autoescape on for every template: alert and feedback text must never become markup."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(
    request: Request,
    name: str,
    user: Principal | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page in the reader's language with its CSRF token and any pending flash."""
    lang = i18n.pick(request)
    flash = read_flash(request)
    html = (
        environment()
        .get_template(name)
        .render(
            t=i18n.translator(lang),
            lang=lang.value,
            html_lang=i18n.HTML_LANG[lang],
            csrf=auth.csrf_token(request),
            user=user,
            flash=flash,
            path=request.url.path,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
    auth.keep_csrf(request, response)
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE, path=auth.COOKIE_PATH)
    return response


def redirect(request: Request, url: str, flash: dict[str, Any] | None = None) -> RedirectResponse:
    """303 to a page (POST → redirect → GET), carrying a one-shot message in a signed cookie."""
    response = RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)
    if flash is not None:
        flash = {**flash, "iat": time.time()}
        settings = request.app.state.settings
        response.set_cookie(
            FLASH_COOKIE,
            auth.sign(settings, flash),
            max_age=120,
            path=auth.COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
    return response


def ok(key: str) -> dict[str, Any]:
    return {"level": "ok", "key": key, "detail": "", "items": []}


def failed(key: str, exc: ServiceError) -> dict[str, Any]:
    """A flash for a refused action: what failed and the service's own reasons."""
    # A cookie holds about 4 kB: keep the message short.
    items = [f"{p.field}: {p.problem}"[:200] for p in exc.errors][:8]
    return {"level": "error", "key": key, "detail": exc.detail[:400], "items": items}


def read_flash(request: Request) -> dict[str, Any] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    payload = auth.unsign(request.app.state.settings, raw, max_age_s=120)
    if payload is None:
        return None
    # Round-trip through JSON so the template sees plain values only.
    loaded: dict[str, Any] = json.loads(json.dumps(payload))
    return loaded
