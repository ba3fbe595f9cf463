"""Subscribers: public double opt-in and unsubscribe, and a masked list for staff."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import HTMLResponse

from service import subscribers
from service.api.deps import CommsLead, SessionDep, SettingsDep
from service.domain.enums import Language
from service.statuspage import html, lang, strings

router = APIRouter(tags=["subscribers"])

Token = Annotated[str, Query(min_length=16, max_length=200, description="From the link.")]


def _wants_html(accept: str | None) -> bool:
    # A person clicking the link in a mail client gets a page; API clients get JSON.
    return accept is not None and "text/html" in accept


def _page(request: Request, reader: Language, message: str, name: str) -> HTMLResponse:
    other = lang.other(reader)
    return HTMLResponse(
        html.render(
            "message.html.j2",
            w=strings.load().of(reader),
            lang=reader.value,
            other_lang=other.value,
            switch_url=f"/?lang={other.value}",
            page_name=name,
            message=message,
        )
    )


@router.post(
    "/v1/public/subscribers",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Subscribe (email, SMS or webhook); a confirmation follows",
)
def subscribe(
    body: subscribers.SubscribeBody, session: SessionDep, settings: SettingsDep
) -> subscribers.SubscribeAccepted:
    result = subscribers.subscribe(
        session,
        body,
        resend_s=settings.subscriber_resend_s,
        private_ok=settings.subscriber_webhook_private_ok,
    )
    session.commit()
    return result


def _answer(
    request: Request,
    accept: str | None,
    result: subscribers.SubscriptionChanged,
    message: str,
    site: str,
) -> subscribers.SubscriptionChanged | HTMLResponse:
    """JSON for API clients; a small page in the subscriber's language for someone who clicked."""
    if not _wants_html(accept):
        return result
    words = strings.load().of(result.language)
    return _page(request, result.language, getattr(words, message), site)


@router.get(
    "/v1/public/subscribers/confirm",
    summary="Confirm with the link from the email or the webhook ping",
    response_model=subscribers.SubscriptionChanged,
)
def confirm(
    token: Token,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    accept: Annotated[str | None, Header()] = None,
) -> subscribers.SubscriptionChanged | HTMLResponse:
    result = subscribers.confirm(session, token)
    session.commit()
    return _answer(request, accept, result, "confirmed", settings.status_page_name)


@router.post(
    "/v1/public/subscribers/confirm",
    summary="Confirm an SMS subscription with the code from the text message",
)
def confirm_code(
    body: subscribers.CodeBody, session: SessionDep
) -> subscribers.SubscriptionChanged:
    result = subscribers.confirm_code(session, body)
    session.commit()  # a wrong code counts against the attempts, so commit before refusing
    if result is None:
        raise subscribers.wrong_code()
    return result


@router.get(
    "/v1/public/subscribers/unsubscribe",
    summary="Unsubscribe (the link in every message)",
    response_model=subscribers.SubscriptionChanged,
)
def unsubscribe(
    token: Token,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    accept: Annotated[str | None, Header()] = None,
) -> subscribers.SubscriptionChanged | HTMLResponse:
    result = subscribers.unsubscribe(session, token)
    session.commit()
    return _answer(request, accept, result, "unsubscribed", settings.status_page_name)


@router.post(
    "/v1/public/subscribers/unsubscribe",
    summary="Unsubscribe in one click (RFC 8058, from the List-Unsubscribe-Post header)",
    response_model=subscribers.SubscriptionChanged,
)
def unsubscribe_one_click(
    token: Token,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    accept: Annotated[str | None, Header()] = None,
) -> subscribers.SubscriptionChanged | HTMLResponse:
    return unsubscribe(token, request, session, settings, accept)


@router.get("/v1/subscribers", summary="Subscribers with masked contacts")
def list_subscribers(
    session: SessionDep,
    _: CommsLead,
    response: Response,
    state: subscribers.SubscriberState | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[subscribers.SubscriberPublic]:
    response.headers["Cache-Control"] = "no-store"
    return subscribers.list_subscribers(session, state=state, limit=limit, offset=offset)
