"""Channel targets: the chat robots and partner webhooks an approved update goes to (admins)."""

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service import audit
from service.api.deps import Admin, SessionDep
from service.channels.model import ChannelName
from service.domain.enums import Language
from service.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from service.ids import new_id
from service.store.tables import ChannelTargetRow

router = APIRouter(prefix="/v1/channel-targets", tags=["channels"])


class TargetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: ChannelName
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(min_length=1, max_length=2000, description="Robot or webhook URL.")
    secret: str | None = Field(default=None, max_length=500, description="Signing secret.")
    language: Language


class TargetPublic(BaseModel):
    """Addresses and secrets are write-only: they never come back out of the API."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    channel: ChannelName
    name: str
    language: Language
    enabled: bool
    has_secret: bool


def _public(row: ChannelTargetRow) -> TargetPublic:
    return TargetPublic(
        id=row.id,
        channel=ChannelName(row.channel),
        name=row.name,
        language=Language(row.language),
        enabled=row.enabled,
        has_secret=row.secret is not None,
    )


@router.get("", summary="Configured targets (without addresses or secrets)")
def list_targets(session: SessionDep, _: Admin) -> list[TargetPublic]:
    return [
        _public(r)
        for r in session.scalars(select(ChannelTargetRow).order_by(ChannelTargetRow.name))
    ]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Add a target")
def create_target(body: TargetCreate, session: SessionDep, admin: Admin) -> TargetPublic:
    if body.channel in {ChannelName.statuspage, ChannelName.email, ChannelName.sms}:
        raise ValidationFailed(
            f"{body.channel.value} is not a target channel (status page is built in; email and "
            "SMS go to subscribers)",
            [FieldProblem("channel", "must be webhook, wecom, dingtalk, feishu or slack")],
        )
    row = ChannelTargetRow(
        id=new_id(),
        channel=body.channel.value,
        name=body.name,
        address=body.address,
        secret=body.secret,
        language=body.language.value,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError(
            f"a target named {body.name!r} exists", [FieldProblem("name", "already taken")]
        ) from exc
    created = _public(row)
    audit.record(
        session,
        actor=admin.name,
        action="target.create",
        object_type="channel_target",
        object_id=row.id,
        after=created,
    )
    session.commit()
    return created


@router.delete("/{target_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a target")
def delete_target(target_id: str, session: SessionDep, admin: Admin) -> None:
    row = session.get(ChannelTargetRow, target_id)
    if row is None:
        raise NotFoundError(f"no channel target {target_id!r}")
    before = _public(row)
    session.delete(row)
    audit.record(
        session,
        actor=admin.name,
        action="target.delete",
        object_type="channel_target",
        object_id=target_id,
        before=before,
    )
    session.commit()
