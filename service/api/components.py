"""Components: Statuspage-shaped CRUD. Configuration, so writes are for admins."""

from fastapi import APIRouter, Response, status

from service import components
from service.api.deps import Admin, AnyUser, SessionDep
from service.domain.component import ComponentCreate, ComponentPublic, ComponentUpdate

router = APIRouter(prefix="/v1/components", tags=["components"])


@router.get("", summary="List components in display order")
def list_components(session: SessionDep, _: AnyUser) -> list[ComponentPublic]:
    return components.list_components(session)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a component")
def create_component(
    body: ComponentCreate, session: SessionDep, user: Admin, response: Response
) -> ComponentPublic:
    created = components.create_component(session, body.component, actor=user.name)
    session.commit()
    response.headers["Location"] = f"/v1/components/{created.id}"
    return created


@router.get("/{component_id}", summary="One component")
def get_component(component_id: str, session: SessionDep, _: AnyUser) -> ComponentPublic:
    return components.get_component(session, component_id)


@router.patch("/{component_id}", summary="Update a component")
def update_component(
    component_id: str, body: ComponentUpdate, session: SessionDep, user: Admin
) -> ComponentPublic:
    updated = components.update_component(session, component_id, body.component, actor=user.name)
    session.commit()
    return updated


@router.delete(
    "/{component_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a component"
)
def delete_component(component_id: str, session: SessionDep, user: Admin) -> None:
    components.delete_component(session, component_id, actor=user.name)
    session.commit()
