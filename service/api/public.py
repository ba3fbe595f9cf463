"""The public status page: HTML, Statuspage-compatible JSON and an Atom feed. No authentication.

Everything here reads `service.statuspage.view`, which only sees published information.
"""

from typing import Annotated
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import HTMLResponse

from service import subscribers
from service.api.deps import SessionDep, SettingsDep
from service.config import Settings
from service.domain.enums import Language
from service.errors import ServiceError
from service.statuspage import api_v2, atom, html, lang, strings, view
from service.store.types import utcnow

router = APIRouter(tags=["public"])

LangQuery = Annotated[str | None, Query(alias="lang", description="zh or en")]
AcceptLanguage = Annotated[str | None, Header()]
_CACHE = "public, max-age=15"


def _language(settings: Settings, query: str | None, accept: str | None) -> Language:
    return lang.choose(query, accept, settings.status_page_language)


def _headers(response: Response) -> None:
    response.headers["Cache-Control"] = _CACHE
    response.headers["Vary"] = "Accept-Language"


def _page_context(request: Request, settings: Settings, reader: Language) -> dict[str, object]:
    other = lang.other(reader)
    query = dict(request.query_params)
    query["lang"] = other.value
    switch = request.url.path + "?" + urlencode(sorted(query.items()))
    return {
        "w": strings.load().of(reader),
        "lang": reader.value,
        "other_lang": other.value,
        "switch_url": switch,
        "page_name": settings.status_page_name,
    }


def _html(body: str, status_code: int = 200) -> HTMLResponse:
    response = HTMLResponse(body, status_code=status_code)
    _headers(response)
    return response


@router.get("/", response_class=HTMLResponse, summary="The status page")
def status_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    lang_: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> HTMLResponse:
    reader = _language(settings, lang_, accept_language)
    now = utcnow()
    published = view.incidents(session, reader)
    all_components = view.components(session)
    active = view.unresolved(published)
    maintenance = view.upcoming_or_active_maintenance(published, now)
    state = view.indicator(
        all_components, active, any(m.status != "scheduled" for m in maintenance)
    )
    banner = (
        "maintenance" if state.indicator == "none" and state.under_maintenance else state.indicator
    )
    return _html(
        html.render(
            "index.html.j2",
            **_page_context(request, settings, reader),
            banner=banner,
            active=active,
            maintenance=maintenance,
            components=view.visible(all_components),
            past=view.history(published)[:20],
        )
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse, summary="One incident")
def incident_page(
    incident_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    lang_: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> HTMLResponse:
    reader = _language(settings, lang_, accept_language)
    item = view.one(session, incident_id, reader)
    context = _page_context(request, settings, reader)
    if item is None:
        return _html(html.render("message.html.j2", **context, message="404"), status_code=404)
    return _html(html.render("incident.html.j2", **context, item=item))


@router.post(
    "/v1/public/subscribers/form", response_class=HTMLResponse, summary="The page's subscribe form"
)
async def subscribe_form(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    lang_: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> HTMLResponse:
    """The no-JavaScript form: the same use-case as `POST /v1/public/subscribers`."""
    reader = _language(settings, lang_, accept_language)
    # A urlencoded form parsed with the stdlib (no multipart dependency for three fields).
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    secret = (form.get("secret") or [""])[0].strip() or None
    context = _page_context(request, settings, reader)
    try:
        body = subscribers.SubscribeBody(
            kind=subscribers.SubscriberKind((form.get("kind") or ["email"])[0]),
            address=(form.get("address") or [""])[0],
            component_ids=form.get("component_ids", []),
            language=reader,
            secret=secret,
        )
        subscribers.subscribe(
            session,
            body,
            resend_s=settings.subscriber_resend_s,
            private_ok=settings.subscriber_webhook_private_ok,
        )
    except (ValueError, ServiceError) as exc:
        session.rollback()
        detail = exc.detail if isinstance(exc, ServiceError) else "invalid form"
        return _html(html.render("message.html.j2", **context, message=detail), 422)
    session.commit()
    message = strings.load().of(reader).subscribe_sent
    return _html(html.render("message.html.j2", **context, message=message), 202)


def _json_page(
    session: SessionDep, settings: Settings, reader: Language
) -> tuple[api_v2.Page, list[view.PublicIncident], list[view.PublicComponent]]:
    published = view.incidents(session, reader)
    all_components = view.components(session)
    page = api_v2.page(
        settings.status_page_name,
        settings.public_url,
        view.page_updated_at(all_components, published),
    )
    return page, published, all_components


@router.get("/api/v2/summary.json", summary="Statuspage summary")
def summary(
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    lang_: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> api_v2.Summary:
    reader = _language(settings, lang_, accept_language)
    page, published, all_components = _json_page(session, settings, reader)
    url = settings.public_url
    active = view.unresolved(published)
    maintenance = view.upcoming_or_active_maintenance(published, utcnow())
    state = view.indicator(
        all_components, active, any(m.status != "scheduled" for m in maintenance)
    )
    _headers(response)
    return api_v2.Summary(
        page=page,
        components=[api_v2.component(c, page.id) for c in view.visible(all_components)],
        incidents=[api_v2.incident(i, page.id, url) for i in active],
        scheduled_maintenances=[api_v2.maintenance(m, page.id, url) for m in maintenance],
        status=api_v2.status(state),
    )


@router.get("/api/v2/status.json", summary="Statuspage status indicator")
def status(
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    lang_: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> api_v2.StatusDocument:
    full = summary(session, settings, response, lang_, accept_language)
    return api_v2.StatusDocument(page=full.page, status=full.status)


@router.get("/api/v2/components.json", summary="Statuspage components")
def components_json(
    session: SessionDep, settings: SettingsDep, response: Response
) -> api_v2.ComponentList:
    page, _, all_components = _json_page(session, settings, settings.status_page_language)
    _headers(response)
    return api_v2.ComponentList(
        page=page,
        components=[api_v2.component(c, page.id) for c in view.visible(all_components)],
    )


@router.get("/api/v2/incidents.json", summary="Statuspage incidents (the 50 most recent)")
def incidents_json(
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    lang_: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> api_v2.IncidentList:
    reader = _language(settings, lang_, accept_language)
    page, published, _ = _json_page(session, settings, reader)
    _headers(response)
    items = [i for i in published if not i.maintenance][:50]
    return api_v2.IncidentList(
        page=page, incidents=[api_v2.incident(i, page.id, settings.public_url) for i in items]
    )


@router.get("/api/v2/incidents/unresolved.json", summary="Statuspage unresolved incidents")
def unresolved_json(
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    lang_: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> api_v2.IncidentList:
    reader = _language(settings, lang_, accept_language)
    page, published, _ = _json_page(session, settings, reader)
    _headers(response)
    return api_v2.IncidentList(
        page=page,
        incidents=[
            api_v2.incident(i, page.id, settings.public_url) for i in view.unresolved(published)
        ],
    )


def _maintenance_list(
    session: SessionDep, settings: Settings, reader: Language, which: str
) -> api_v2.MaintenanceList:
    page, published, _ = _json_page(session, settings, reader)
    now = utcnow()
    if which == "all":
        items = view.maintenances(published)[:50]
    else:
        open_ones = view.upcoming_or_active_maintenance(published, now)
        upcoming = which == "upcoming"
        items = [m for m in open_ones if (m.status == "scheduled") == upcoming]
    return api_v2.MaintenanceList(
        page=page,
        scheduled_maintenances=[api_v2.maintenance(m, page.id, settings.public_url) for m in items],
    )


@router.get("/api/v2/scheduled-maintenances.json", summary="Statuspage scheduled maintenances")
def maintenances_json(
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    lang_: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> api_v2.MaintenanceList:
    _headers(response)
    return _maintenance_list(session, settings, _language(settings, lang_, accept_language), "all")


@router.get(
    "/api/v2/scheduled-maintenances/upcoming.json", summary="Statuspage upcoming maintenances"
)
def upcoming_json(
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    lang_: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> api_v2.MaintenanceList:
    _headers(response)
    return _maintenance_list(
        session, settings, _language(settings, lang_, accept_language), "upcoming"
    )


@router.get("/api/v2/scheduled-maintenances/active.json", summary="Statuspage active maintenances")
def active_json(
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    lang_: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> api_v2.MaintenanceList:
    _headers(response)
    return _maintenance_list(
        session, settings, _language(settings, lang_, accept_language), "active"
    )


@router.get(
    "/history.atom",
    response_class=Response,
    summary="Atom feed: one entry per published update",
    responses={200: {"content": {"application/atom+xml": {}}}},
)
def history_feed(
    session: SessionDep,
    settings: SettingsDep,
    lang_: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> Response:
    reader = _language(settings, lang_, accept_language)
    document = atom.feed(
        view.incidents(session, reader),
        lang=reader,
        strings=strings.load(),
        page_name=settings.status_page_name,
        public_url=settings.public_url,
    )
    response = Response(document, media_type="application/atom+xml; charset=utf-8")
    _headers(response)
    return response
