"""The console's pages: sign-in, incidents, draft review and sign-off, served under /console.

Every action calls the same use-case function the JSON API calls and is admitted by the same role
gate; the console adds forms, a CSRF check and POST → redirect → GET with a one-shot message.
"""

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service import approvals, delivery, drafts, incidents, publishing, users
from service.api.deps import Approver, Responder, SessionDep, SettingsDep
from service.console import auth, i18n, page, view
from service.console.auth import Viewer
from service.console.i18n import LANG_COOKIE
from service.domain.draft import DraftCreate, DraftPublic
from service.domain.enums import Language, Severity
from service.domain.facts import IncidentFactsPatch
from service.domain.incident import HeraldFieldsPatch, IncidentPatchFields
from service.drafting.guarding import guard, guard_context
from service.drafting.model import Channel, DraftKind
from service.drafting.port import Drafter
from service.errors import AuthenticationError, FieldProblem, ServiceError, ValidationFailed
from service.store.types import utcnow
from service.users import Principal
from service.workflow import TRANSITIONS

router = APIRouter(prefix="/console", include_in_schema=False)

CsrfField = Annotated[str, Form()]

STATIC = Path(__file__).with_name("static")
STATIC_TYPES = {"console.css": "text/css", "console.js": "text/javascript"}


@router.get("/static/{name}")
def static(name: str) -> FileResponse:
    """The console's own CSS and JS (a fixed list: nothing else on disk is reachable)."""
    media_type = STATIC_TYPES.get(name)
    if media_type is None:
        raise ValidationFailed("no such file", [FieldProblem("name", "unknown")])
    return FileResponse(STATIC / name, media_type=media_type, headers={"Cache-Control": "no-cache"})


def _safe_next(target: str | None) -> str:
    # Only console paths: an open redirect would let a link send a signed-in user elsewhere.
    if target and target.startswith("/console") and "//" not in target and "\\" not in target:
        return target
    return "/console"


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return page.render(request, "login.html", None, next=_safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form(max_length=500)],
    csrf: CsrfField,
    next: Annotated[str, Form()] = "/console",
) -> Response:
    """Check the pasted token once, then keep it in the signed session cookie."""
    try:
        auth.check_csrf(request, csrf)
    except ServiceError:
        return page.render(
            request, "login.html", None, status_code=403, next=_safe_next(next), error="csrf"
        )
    principal = users.authenticate(session, token.strip())
    if principal is None:
        return page.render(
            request, "login.html", None, status_code=401, next=_safe_next(next), error="token"
        )
    response = page.redirect(request, _safe_next(next), page.ok("flash.signed_in"))
    auth.set_session(request, response, token.strip())
    return response


@router.post("/logout")
def logout(request: Request, csrf: CsrfField) -> RedirectResponse:
    auth.check_csrf(request, csrf)
    response = page.redirect(request, "/console/login")
    auth.clear_session(response)
    return response


@router.get("/lang/{code}")
def switch_language(request: Request, code: Language, next: str | None = None) -> Response:
    """Remember the interface language and go back to the page the reader was on."""
    response = page.redirect(request, _safe_next(next))
    response.set_cookie(
        LANG_COOKIE, code.value, max_age=365 * 86400, path=auth.COOKIE_PATH, samesite="strict"
    )
    return response


@router.get("")
def incident_list(request: Request, session: SessionDep, user: Viewer) -> HTMLResponse:
    """Incidents with severity, stage and a countdown to the next promised update."""
    now = utcnow()
    rows = []
    for incident in incidents.list_incidents(session, limit=200):
        text, overdue = view.countdown(incident.herald.next_update_at, now)
        rows.append({"incident": incident, "countdown": text, "overdue": overdue})
    return page.render(request, "incidents.html", user, rows=rows, now=now)


def _act(
    request: Request,
    session: SessionDep,
    alias: object,
    csrf: str,
    back: str,
    keys: tuple[str, str],
    action: Callable[[Principal], str | None],
) -> RedirectResponse:
    """Run one console action: CSRF, the API's role gate, the use-case, commit, flash, redirect."""
    success, failure = keys
    try:
        auth.check_csrf(request, csrf)
        user = auth.admit(session, auth.session_token(request), alias)
        target = action(user)
        session.commit()
    except AuthenticationError:
        session.rollback()
        return page.redirect(request, f"/console/login?next={back}")
    except ServiceError as exc:
        session.rollback()
        return page.redirect(request, back, page.failed(failure, exc))
    except ValidationError as exc:
        session.rollback()
        return page.redirect(request, back, page.failed(failure, _invalid(exc)))
    return page.redirect(request, target or back, page.ok(success))


def _invalid(exc: ValidationError) -> ValidationFailed:
    problems = [
        FieldProblem("/".join(str(p) for p in e["loc"]) or "form", e["msg"]) for e in exc.errors()
    ]
    return ValidationFailed("the form has invalid values", problems)


def _not_found(request: Request, user: Principal, exc: ServiceError) -> HTMLResponse:
    return page.render(request, "error.html", user, status_code=exc.status, error=exc)


@router.get("/incidents/{incident_id}")
def incident_page(
    incident_id: str, request: Request, session: SessionDep, user: Viewer
) -> HTMLResponse:
    """Timeline, facts form, the request-draft form and the incident's drafts."""
    try:
        incident = incidents.get_incident(session, incident_id)
    except ServiceError as exc:
        return _not_found(request, user, exc)
    text, overdue = view.countdown(incident.herald.next_update_at, utcnow())
    return page.render(
        request,
        "incident.html",
        user,
        incident=incident,
        countdown=text,
        overdue=overdue,
        timeline=list(reversed(incidents.timeline(session, incident_id))),
        drafts=drafts.list_drafts(session, incident_id),
        kinds=list(DraftKind),
        channels=list(Channel),
        languages=list(Language),
        severities=list(Severity),
        can_edit=auth.may(user, Responder),
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]


def _number(text: str) -> str | None:
    return text.strip() or None


class FactsForm(BaseModel):
    """The facts form as posted: lists one item per line, blank numbers meaning unknown."""

    model_config = ConfigDict(extra="forbid")

    csrf: str
    severity: Severity
    symptoms: str = ""
    affected_components: str = ""
    affected_regions: str = ""
    affected_share_pct: str = ""
    cause: str = ""
    actions: str = ""
    fix_applied: str = ""
    recovery_pct: str = ""
    engineering_eta_minutes: str = ""
    workaround: str = ""
    follow_ups: str = ""
    timezone: str = Field(default="UTC", max_length=64)

    def patch(self, current_eta: int | None, now: datetime) -> IncidentPatchFields:
        """The incident patch; a changed engineering estimate is stamped with the time given."""
        eta = _number(self.engineering_eta_minutes)
        facts: dict[str, Any] = {
            "symptoms": _lines(self.symptoms),
            "affected_components": _lines(self.affected_components),
            "affected_regions": _lines(self.affected_regions),
            "affected_share_pct": _number(self.affected_share_pct),
            "cause": self.cause.strip() or None,
            "actions": _lines(self.actions),
            "fix_applied": self.fix_applied.strip() or None,
            "recovery_pct": _number(self.recovery_pct),
            "engineering_eta_minutes": eta,
            "workaround": self.workaround.strip() or None,
            "follow_ups": _lines(self.follow_ups),
            "timezone": self.timezone.strip() or "UTC",
        }
        if eta is not None and int(eta) != current_eta:
            facts["eta_estimated_at"] = now
        return IncidentPatchFields(
            herald=HeraldFieldsPatch(
                severity=self.severity, facts=IncidentFactsPatch.model_validate(facts)
            )
        )


@router.post("/incidents/{incident_id}/facts")
def save_facts(
    incident_id: str,
    request: Request,
    session: SessionDep,
    form: Annotated[FactsForm, Form()],
) -> RedirectResponse:
    back = f"/console/incidents/{incident_id}"

    def action(user: Principal) -> None:
        current = incidents.get_incident(session, incident_id).herald.facts
        patch = form.patch(current.engineering_eta_minutes, utcnow())
        incidents.update_incident(session, incident_id, patch, actor=user.name)

    keys = ("flash.facts_saved", "flash.facts_failed")
    return _act(request, session, Responder, form.csrf, back, keys, action)


@router.post("/incidents/{incident_id}/drafts")
def request_draft(
    incident_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: CsrfField,
    kind: Annotated[str, Form()] = "",
    languages: Annotated[list[str] | None, Form()] = None,
    channels: Annotated[list[str] | None, Form()] = None,
) -> RedirectResponse:
    """Ask the drafter for an update: the stage or kind, languages and channels chosen."""
    back = f"/console/incidents/{incident_id}"
    drafters: dict[str, Drafter] = request.app.state.drafters

    def action(user: Principal) -> str:
        body = DraftCreate.model_validate(
            {
                "kind": kind or None,
                "languages": languages or None,
                "channels": channels or [Channel.statuspage.value],
            }
        )
        created = drafts.create_draft(
            session,
            incident_id,
            body,
            drafters,
            actor=user.name,
            support_contact=settings.support_contacts(),
        )
        return f"/console/drafts/{created.id}"

    keys = ("flash.draft_created", "flash.draft_failed")
    return _act(request, session, Responder, csrf, back, keys, action)


def _allowed(draft: DraftPublic) -> set[str]:
    """The workflow actions the state machine allows from the draft's state."""
    return {action.value for (action, state) in TRANSITIONS if state is draft.state}


def _deliveries(session: SessionDep, draft_id: str) -> list[dict[str, Any]]:
    by_channel: dict[str, Counter[str]] = {}
    errors: dict[str, str] = {}
    for d in delivery.list_deliveries(session, draft_id):
        by_channel.setdefault(d.channel, Counter())[d.state.value] += 1
        if d.last_error:
            errors[d.channel] = d.last_error
    return [
        {"channel": channel, "states": dict(sorted(states.items())), "error": errors.get(channel)}
        for channel, states in sorted(by_channel.items())
    ]


@router.get("/drafts/{draft_id}")
def draft_page(draft_id: str, request: Request, session: SessionDep, user: Viewer) -> HTMLResponse:
    """Review: every rendition with its findings marked inline, fixes, edits, sign-off."""
    try:
        draft = drafts.get_draft(session, draft_id)
    except ServiceError as exc:
        return _not_found(request, user, exc)
    revisions = drafts.list_revisions(session, draft_id)
    return page.render(
        request,
        "draft.html",
        user,
        draft=draft,
        incident=incidents.get_incident(session, draft.incident_id),
        renditions=view.renditions(draft),
        consistency=view.consistency(draft),
        to_waive=view.errors_to_waive(draft),
        allowed=_allowed(draft),
        can_edit=auth.may(user, Responder),
        can_approve=auth.may(user, Approver),
        deliveries=_deliveries(session, draft_id),
        diff=revisions[-1].diff if revisions else None,
    )


def _draft_action(
    draft_id: str,
    request: Request,
    session: SessionDep,
    alias: object,
    csrf: str,
    name: str,
    action: Callable[[Principal], object],
) -> RedirectResponse:
    def run(user: Principal) -> None:
        action(user)

    keys = (f"flash.{name}_done", f"flash.{name}_failed")
    return _act(request, session, alias, csrf, f"/console/drafts/{draft_id}", keys, run)


@router.post("/drafts/{draft_id}/submit")
def submit(draft_id: str, request: Request, session: SessionDep, csrf: CsrfField) -> Response:
    return _draft_action(
        draft_id,
        request,
        session,
        Responder,
        csrf,
        "submit",
        lambda user: approvals.submit(session, draft_id, user),
    )


@router.post("/drafts/{draft_id}/edit")
def edit(
    draft_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: CsrfField,
    base_revision: Annotated[int, Form()],
    channel: Annotated[Channel, Form()],
    language: Annotated[Language, Form()],
    body: Annotated[str, Form()],
    title: Annotated[str, Form()] = "",
) -> Response:
    """Save an edited rendition as a new revision (guards re-run; approvals void)."""

    def action(user: Principal) -> object:
        change = approvals.RenditionEdit(
            channel=channel, language=language, title=title, body=body.replace("\r\n", "\n")
        )
        edit_body = approvals.EditBody(base_revision=base_revision, renditions=[change])
        return approvals.edit(
            session, draft_id, edit_body, user, support_contact=settings.support_contacts()
        )

    return _draft_action(draft_id, request, session, Responder, csrf, "edit", action)


@router.post("/drafts/{draft_id}/fix")
def apply_fix(
    draft_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: CsrfField,
    base_revision: Annotated[int, Form()],
    rendition: Annotated[int, Form(ge=0)],
    finding: Annotated[int, Form(ge=-1)] = -1,
) -> Response:
    """One click: apply a finding's safe fix (or all of a rendition's) as a new revision."""

    def action(user: Principal) -> object:
        draft = drafts.get_draft(session, draft_id)
        if rendition >= len(draft.revision.renditions):
            raise ValidationFailed("no such rendition", [FieldProblem("rendition", "unknown")])
        current = draft.revision.renditions[rendition]
        title, text = _fixed(current.title, current.body, current.guard, finding)
        change = approvals.RenditionEdit(
            channel=current.channel, language=current.language, title=title, body=text
        )
        edit_body = approvals.EditBody(base_revision=base_revision, renditions=[change])
        return approvals.edit(
            session, draft_id, edit_body, user, support_contact=settings.support_contacts()
        )

    return _draft_action(draft_id, request, session, Responder, csrf, "fix", action)


def _fixed(title: str, body: str, report: dict[str, Any], finding: int) -> tuple[str, str]:
    """The title and body with one finding's fix applied, or every safe fix (finding = -1)."""
    if finding == -1:
        return report.get("fixed_title") or title, report["fixed_text"]
    found = report["findings"]
    if finding >= len(found) or not found[finding].get("fix"):
        raise ValidationFailed("that finding has no safe fix", [FieldProblem("finding", "no fix")])
    f = found[finding]
    start, end = int(f["span"]["start"]), int(f["span"]["end"])
    if f.get("field") == "title":
        return title[:start] + f["fix"] + title[end:], body
    return title, body[:start] + f["fix"] + body[end:]


@router.post("/drafts/{draft_id}/approve")
def approve(
    draft_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: CsrfField,
    revision: Annotated[int, Form()],
    digest: Annotated[str, Form()],
    waive: Annotated[list[int] | None, Form()] = None,
    reason: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Sign off the text shown (revision + digest), with a reason for each waived error."""

    def action(user: Principal) -> object:
        listed = view.errors_to_waive(drafts.get_draft(session, draft_id))
        reasons = reason or []
        waivers = [
            approvals.Waiver(
                rule_id=listed[i].rule_id,
                match=listed[i].match,
                reason=reasons[i] if i < len(reasons) else "",
            )
            for i in sorted(set(waive or []))
            if 0 <= i < len(listed)
        ]
        body = approvals.ApproveBody(revision=revision, digest=digest, waivers=waivers)
        return approvals.approve(session, draft_id, body, user, solo_mode=settings.solo_mode)

    return _draft_action(draft_id, request, session, Approver, csrf, "approve", action)


@router.post("/drafts/{draft_id}/request-changes")
def request_changes(
    draft_id: str,
    request: Request,
    session: SessionDep,
    csrf: CsrfField,
    comment: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    return _draft_action(
        draft_id,
        request,
        session,
        Approver,
        csrf,
        "request_changes",
        lambda user: approvals.request_changes(
            session, draft_id, approvals.CommentBody(comment=comment), user
        ),
    )


@router.post("/drafts/{draft_id}/reject")
def reject(
    draft_id: str,
    request: Request,
    session: SessionDep,
    csrf: CsrfField,
    comment: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    return _draft_action(
        draft_id,
        request,
        session,
        Approver,
        csrf,
        "reject",
        lambda user: approvals.reject(
            session, draft_id, approvals.CommentBody(comment=comment), user
        ),
    )


@router.post("/drafts/{draft_id}/publish")
def publish(draft_id: str, request: Request, session: SessionDep, csrf: CsrfField) -> Response:
    return _draft_action(
        draft_id,
        request,
        session,
        Responder,
        csrf,
        "publish",
        lambda user: publishing.publish(session, draft_id, user),
    )


def _summary(t: i18n.Translate, report: dict[str, Any], sms: int | None) -> str:
    counts = report["counts"]
    text = t("guard.counts", e=counts.get("error", 0), w=counts.get("warning", 0))
    return text if sms is None else f"{text} · {t('preview.sms_segments', n=sms)}"


class CheckBody(BaseModel):
    """A rendition being edited, for the live re-check."""

    model_config = ConfigDict(extra="forbid")

    rendition: int = Field(default=0, ge=0, description="Which card is being edited.")
    channel: Channel
    language: Language
    title: str = Field(default="", max_length=300)
    body: str = Field(max_length=20000)


@router.post("/drafts/{draft_id}/check")
def live_check(
    draft_id: str,
    body: CheckBody,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str | None, Header(alias=auth.CSRF_HEADER)] = None,
) -> JSONResponse:
    """Guard an edit in progress exactly as saving it would, and return the marked preview."""
    auth.check_csrf(request, csrf)
    auth.admit(session, auth.session_token(request), Responder)
    draft = drafts.get_draft(session, draft_id)
    incident = incidents.get_row(session, draft.incident_id)
    context = drafts.context_for(incident, settings.support_contacts())
    ctx = guard_context(
        context,
        DraftKind(draft.kind),
        body.language,
        body.channel,
        utcnow(),
        maintenance=drafts.maintenance_stage_of(session, draft.id),
    )
    report = guard(body.title, body.body, ctx).model_dump(mode="json")
    shown = view.rendition_view(
        body.rendition,
        body.title,
        body.body,
        body.channel.value,
        body.language.value,
        report,
        prefix="live",
    )
    t = i18n.translator(i18n.pick(request))
    html = page.environment().get_template("_preview.html").render(r=shown, t=t)
    return JSONResponse(
        {
            "passed": report["passed"],
            "counts": report["counts"],
            "sms_segments": shown.sms_segments,
            "chars": shown.chars,
            "summary": _summary(t, report, shown.sms_segments),
            "html": html,
        },
        headers=page.SECURITY_HEADERS,
    )
