"""Review and sign-off: submit, edit (new revision), approve with waivers, request changes, reject.

Approval binds to one revision's digest. Any edit makes a new revision, re-runs the guards and voids
earlier approvals; the author of a revision cannot approve it unless the installation runs solo.
"""

import difflib
from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service import audit, drafts, incidents
from service.domain.draft import DraftPublic, DraftState, RenditionPublic
from service.domain.enums import Language
from service.drafting.guarding import consistency, guard, guard_context
from service.drafting.model import Channel, DraftKind
from service.errors import (
    ConflictError,
    FieldProblem,
    NotFoundError,
    PermissionDenied,
    ValidationFailed,
)
from service.store.tables import ApprovalRow, DraftRevisionRow, DraftRow
from service.store.types import utcnow
from service.users import Principal
from service.workflow import Action, next_state


class Waiver(BaseModel):
    """An approver's decision to publish despite one error-level finding, with the reason."""

    model_config = ConfigDict(extra="forbid")

    rule_id: str = Field(min_length=1)
    match: str = Field(description="The exact text the finding matched.")
    reason: str = Field(min_length=10, max_length=2000)


class ApproveBody(BaseModel):
    """What the approver saw: naming revision and digest makes a changed text fail to approve."""

    model_config = ConfigDict(extra="forbid")

    revision: int = Field(ge=1)
    digest: str = Field(min_length=64, max_length=64)
    waivers: list[Waiver] = Field(default_factory=list)


class CommentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field(default="", max_length=5000)


class RenditionEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel
    language: Language
    title: str = Field(max_length=300)
    body: str = Field(min_length=1, max_length=20000)


class EditBody(BaseModel):
    """New text for some renditions; the others carry over. `base_revision` guards lost updates."""

    model_config = ConfigDict(extra="forbid")

    base_revision: int = Field(ge=1)
    renditions: list[RenditionEdit] = Field(min_length=1)


def draft_row(session: Session, draft_id: str) -> DraftRow:
    row = session.scalar(select(DraftRow).where(DraftRow.id == draft_id).with_for_update())
    if row is None:
        raise NotFoundError(f"no draft {draft_id!r}")
    return row


def current(row: DraftRow) -> DraftRevisionRow:
    return next(r for r in row.revisions if r.number == row.current_revision)


def submit_for_review(session: Session, row: DraftRow, actor: str, **detail: object) -> None:
    """Send a draft the service wrote itself (first notice, reminder, "still working" update)
    straight into review: publishing it stays a person's decision."""
    move(session, row, Action.submit, actor, **detail)


def move(session: Session, row: DraftRow, action: Action, actor: str, **detail: object) -> None:
    """Apply one workflow action to a draft, with a timeline event and an audit entry."""
    before = row.state
    row.state = next_state(DraftState(row.state), action).value
    row.updated_at = utcnow()
    incidents.add_event(
        session,
        row.incident_id,
        actor=actor,
        type=f"draft.{action.value}",
        data={"draft_id": row.id, "from": before, "to": row.state, **detail},
    )
    audit.record(
        session,
        actor=actor,
        action=f"draft.{action.value}",
        object_type="draft",
        object_id=row.id,
        detail={"from": before, "to": row.state, "revision": row.current_revision, **detail},
    )


def submit(session: Session, draft_id: str, actor: Principal) -> DraftPublic:
    row = draft_row(session, draft_id)
    move(session, row, Action.submit, actor.name)
    return drafts.to_public(row)


def request_changes(
    session: Session, draft_id: str, body: CommentBody, actor: Principal
) -> DraftPublic:
    row = draft_row(session, draft_id)
    _void_approvals(session, row.id)
    move(session, row, Action.request_changes, actor.name, comment=body.comment)
    return drafts.to_public(row)


def reject(session: Session, draft_id: str, body: CommentBody, actor: Principal) -> DraftPublic:
    row = draft_row(session, draft_id)
    _void_approvals(session, row.id)
    move(session, row, Action.reject, actor.name, comment=body.comment)
    return drafts.to_public(row)


def _void_approvals(session: Session, draft_id: str) -> None:
    session.execute(
        update(ApprovalRow)
        .where(ApprovalRow.draft_id == draft_id, ApprovalRow.voided_at.is_(None))
        .values(voided_at=utcnow())
    )


def unwaived_errors(revision: DraftRevisionRow, waivers: list[Waiver]) -> list[FieldProblem]:
    """Error-level findings that no waiver covers (matched by rule id and matched text)."""
    covered = {(w.rule_id, w.match) for w in waivers}
    findings = [
        (f"renditions/{index}", finding)
        for index, rendition in enumerate(revision.renditions)
        for finding in rendition["guard"]["findings"]
    ] + [("consistency", finding) for finding in revision.consistency]
    return [
        FieldProblem(where, f"{finding['rule_id']}: {finding['message']} ({finding['match']!r})")
        for where, finding in findings
        if finding["level"] == "error" and (finding["rule_id"], finding["match"]) not in covered
    ]


def approve(
    session: Session, draft_id: str, body: ApproveBody, actor: Principal, *, solo_mode: bool
) -> DraftPublic:
    row = draft_row(session, draft_id)
    revision = current(row)
    if body.revision != revision.number or body.digest != revision.digest:
        raise ConflictError(
            f"the draft changed: revision {revision.number} is current, with another text",
            [
                FieldProblem("revision", f"current is {revision.number}"),
                FieldProblem("digest", "does not match the current text"),
            ],
        )
    self_approval = revision.author == actor.name
    if self_approval and not solo_mode:
        raise PermissionDenied(
            "the author of a revision cannot approve it (four eyes); ask another approver"
        )
    missing = unwaived_errors(revision, body.waivers)
    if missing:
        raise ValidationFailed(
            f"{len(missing)} error-level finding(s) need fixing or a waiver each", missing
        )
    move(
        session,
        row,
        Action.approve,
        actor.name,
        waivers=len(body.waivers),
        self_approved=self_approval,
    )
    session.add(
        ApprovalRow(
            draft_id=row.id,
            revision=revision.number,
            approver=actor.name,
            digest=revision.digest,
            waivers=[w.model_dump() for w in body.waivers],
            self_approved=self_approval,
        )
    )
    return drafts.to_public(row)


def edit(
    session: Session,
    draft_id: str,
    body: EditBody,
    actor: Principal,
    *,
    support_contact: Mapping[Language, str] | None = None,
    now: datetime | None = None,
) -> DraftPublic:
    """Make a new revision from edited renditions, re-run the guards, keep the diff."""
    now = now or utcnow()
    row = draft_row(session, draft_id)
    previous = current(row)
    if body.base_revision != previous.number:
        raise ConflictError(
            f"revision {previous.number} is current; re-read the draft and edit that",
            [FieldProblem("base_revision", f"current is {previous.number}")],
        )
    renditions = [RenditionPublic.model_validate(r) for r in previous.renditions]
    index = {(r.channel, r.language): i for i, r in enumerate(renditions)}
    incident = incidents.get_row(session, row.incident_id)
    context = drafts.context_for(incident, support_contact)
    kind = DraftKind(row.kind)
    stage = drafts.maintenance_stage_of(session, row.id)
    for position, change in enumerate(body.renditions):
        key = (change.channel, change.language)
        if key not in index:
            raise ValidationFailed(
                f"this draft has no {change.channel.value}/{change.language.value} rendition",
                [FieldProblem(f"renditions/{position}", "no such channel and language here")],
            )
        ctx = guard_context(context, kind, change.language, change.channel, now, maintenance=stage)
        report = guard(change.title, change.body, ctx)
        old = renditions[index[key]]
        renditions[index[key]] = old.model_copy(
            update={
                "title": change.title,
                "body": change.body,
                "guard": report.model_dump(mode="json"),
            }
        )
    move(session, row, Action.edit, actor.name, revision=previous.number + 1)
    _void_approvals(session, row.id)
    across = consistency(
        [
            (
                r.title,
                r.body,
                guard_context(context, kind, r.language, r.channel, now, maintenance=stage),
            )
            for r in renditions
        ]
    )
    revision = DraftRevisionRow(
        number=previous.number + 1,
        author=actor.name,
        renditions=[r.model_dump(mode="json") for r in renditions],
        provenance={**previous.provenance, "edited_by": actor.name},
        next_update_at=previous.next_update_at,
        eta_at=previous.eta_at,
        consistency=[f.model_dump(mode="json") for f in across],
        passed=all(r.guard["passed"] for r in renditions)
        and not any(f.level == "error" for f in across),
        rules_version=previous.rules_version,
        digest=drafts.renditions_digest(renditions),
        diff=_diff(previous, renditions),
    )
    row.revisions.append(revision)
    row.current_revision = revision.number
    session.flush()
    return drafts.to_public(row)


def _diff(previous: DraftRevisionRow, renditions: list[RenditionPublic]) -> str:
    old = {(r["channel"], r["language"]): r for r in previous.renditions}
    chunks: list[str] = []
    for r in renditions:
        before = old[(r.channel.value, r.language.value)]
        a = f"{before['title']}\n{before['body']}".splitlines(keepends=True)
        b = f"{r.title}\n{r.body}".splitlines(keepends=True)
        name = f"{r.channel.value}.{r.language.value}"
        chunks.extend(
            difflib.unified_diff(
                a, b, f"r{previous.number}/{name}", f"r{previous.number + 1}/{name}"
            )
        )
    return "".join(chunks)
