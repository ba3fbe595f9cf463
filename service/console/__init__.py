"""The web console for responders, approvers and comms leads, served by the API app at /console."""

from fastapi import APIRouter

from service.console import feed, routes

router = APIRouter()
router.include_router(routes.router)
router.include_router(feed.router)

__all__ = ["router"]
