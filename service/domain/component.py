"""Components (Statuspage's shape): the parts of the product users see on the status page."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from service.domain.enums import ComponentStatus


class ComponentFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(default=None, max_length=2000)
    status: ComponentStatus = ComponentStatus.operational
    position: int = Field(default=0, ge=0, le=1_000_000)
    showcase: bool = True
    only_show_if_degraded: bool = False


class ComponentCreateFields(ComponentFields):
    name: str = Field(min_length=1, max_length=200)


class ComponentCreate(BaseModel):
    """Statuspage wraps bodies: `{"component": {...}}`."""

    model_config = ConfigDict(extra="forbid")
    component: ComponentCreateFields


class ComponentPatchFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    status: ComponentStatus | None = None
    position: int | None = Field(default=None, ge=0, le=1_000_000)
    showcase: bool | None = None
    only_show_if_degraded: bool | None = None


class ComponentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    component: ComponentPatchFields


class ComponentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    description: str | None
    status: ComponentStatus
    position: int
    showcase: bool
    only_show_if_degraded: bool
    group_id: str | None = None
    created_at: datetime
    updated_at: datetime
