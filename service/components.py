"""Component use-cases: create, read, update, delete — each audited."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import audit
from service.domain.component import ComponentCreateFields, ComponentPatchFields, ComponentPublic
from service.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from service.ids import new_id
from service.store.db import insert_skipping_conflicts
from service.store.tables import ComponentRow
from service.store.types import utcnow


def _get_row(session: Session, component_id: str) -> ComponentRow:
    row = session.get(ComponentRow, component_id)
    if row is None:
        raise NotFoundError(f"no component {component_id!r}")
    return row


def _flush_unique_name(session: Session, name: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError(
            f"a component named {name!r} already exists",
            [FieldProblem("component/name", "already taken")],
        ) from exc


def list_components(session: Session) -> list[ComponentPublic]:
    rows = session.scalars(select(ComponentRow).order_by(ComponentRow.position, ComponentRow.name))
    return [ComponentPublic.model_validate(r) for r in rows]


def get_component(session: Session, component_id: str) -> ComponentPublic:
    return ComponentPublic.model_validate(_get_row(session, component_id))


def create_component(
    session: Session, fields: ComponentCreateFields, *, actor: str
) -> ComponentPublic:
    row = ComponentRow(id=new_id(), **fields.model_dump())
    session.add(row)
    _flush_unique_name(session, fields.name)
    return _audit_created(session, row, actor)


def _audit_created(session: Session, row: ComponentRow, actor: str) -> ComponentPublic:
    created = ComponentPublic.model_validate(row)
    audit.record(
        session,
        actor=actor,
        action="component.create",
        object_type="component",
        object_id=row.id,
        after=created,
    )
    return created


def ensure_component(session: Session, name: str, *, actor: str) -> ComponentRow:
    """The component called `name`, created (operational) if it does not exist yet.

    Safe against a concurrent delivery creating the same component: the loser reads the
    winner's row instead of failing on the unique name."""
    by_name = select(ComponentRow).where(ComponentRow.name == name)
    row = session.scalar(by_name)
    if row is not None:
        return row
    values = {"id": new_id(), **ComponentCreateFields(name=name).model_dump()}
    insert = insert_skipping_conflicts(session, ComponentRow, ["name"]).values(**values)
    created_id = session.scalar(insert.returning(ComponentRow.id))
    row = session.scalar(by_name)
    if row is None:
        raise ConflictError(
            f"the component {name!r} was removed while it was being created; retry",
            [FieldProblem("component/name", "removed concurrently")],
        )
    if created_id is not None:
        _audit_created(session, row, actor)
    return row


def update_component(
    session: Session, component_id: str, patch: ComponentPatchFields, *, actor: str
) -> ComponentPublic:
    row = _get_row(session, component_id)
    before = ComponentPublic.model_validate(row)
    for key, value in patch.model_dump(exclude_unset=True).items():
        if value is None and key != "description":
            raise ValidationFailed(
                f"{key} cannot be null", [FieldProblem(f"component/{key}", "cannot be null")]
            )
        setattr(row, key, value)
    row.updated_at = utcnow()
    _flush_unique_name(session, row.name)
    after = ComponentPublic.model_validate(row)
    audit.record(
        session,
        actor=actor,
        action="component.update",
        object_type="component",
        object_id=row.id,
        before=before,
        after=after,
    )
    return after


def delete_component(session: Session, component_id: str, *, actor: str) -> None:
    row = _get_row(session, component_id)
    before = ComponentPublic.model_validate(row)
    session.delete(row)
    audit.record(
        session,
        actor=actor,
        action="component.delete",
        object_type="component",
        object_id=component_id,
        before=before,
    )
