"""POST /v1/guard/check: run the guard layer on a draft (registered by the app factory)."""

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from guards import Draft, GuardContext, GuardReport, check
from service.api.deps import AnyUser

router = APIRouter(prefix="/v1/guard", tags=["guard"])


class GuardCheck(BaseModel):
    """A draft and the context to check it in."""

    model_config = ConfigDict(extra="forbid")

    draft: Draft
    context: GuardContext


@router.post("/check", summary="Check a draft against the guard rule packs")
def check_draft(body: GuardCheck, _: AnyUser) -> GuardReport:
    return check(body.draft, body.context)
