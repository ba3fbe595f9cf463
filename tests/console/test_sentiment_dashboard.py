"""The comms lead's dashboard in a real browser: the chart moves as feedback arrives over SSE."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from service.domain.enums import Role
from tests.console.conftest import LiveServer, shot, sign_in

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="window.pwned=1">Still down!! <b>why</b>'


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 1000})
    yield context.new_page()
    context.close()


def _incident(server: LiveServer) -> dict[str, Any]:
    body = {
        "incident": {
            "name": "Checkout errors",
            "herald": {
                "severity": "P0",
                "facts": {"symptoms": ["card payments fail"], "affected_components": ["Checkout"]},
            },
        }
    }
    with server.api(Role.responder) as api:
        created: dict[str, Any] = api.post("/v1/incidents", json=body).json()
    return created


def _post(server: LiveServer, incident_id: str, texts: list[str], start: int) -> None:
    now = datetime.now(UTC).isoformat()
    items = [
        {
            "source": "browser-test",
            "external_id": str(start + i),
            "author": f"user{start + i}",
            "text": text,
            "lang": "en",
            "created_at": now,
            "incident_id": incident_id,
        }
        for i, text in enumerate(texts)
    ]
    with server.api(Role.comms_lead) as api:
        response = api.post("/v1/feedback", json={"items": items})
    assert response.status_code == 202, response.text


def _publish_an_update(server: LiveServer, incident_id: str) -> None:
    with server.api(Role.responder) as author, server.api(Role.approver) as approver:
        draft = author.post(f"/v1/incidents/{incident_id}/drafts", json={}).json()
        author.post(f"/v1/drafts/{draft['id']}/submit").raise_for_status()
        revision = draft["revision"]
        approver.post(
            f"/v1/drafts/{draft['id']}/approve",
            json={"revision": revision["number"], "digest": revision["digest"]},
        ).raise_for_status()
        author.post(f"/v1/drafts/{draft['id']}/publish").raise_for_status()


def test_chart_updates_as_feedback_arrives(page: Page, live_server: LiveServer) -> None:
    incident = _incident(live_server)
    sign_in(page, live_server, Role.comms_lead)
    page.goto(f"{live_server.url}/console/feed?incident_id={incident['id']}")
    feed = page.locator("#feed")
    expect(feed).to_have_attribute("data-points", "1")  # the first snapshot arrived
    expect(page.locator("#windows tr[data-minutes='1'] .w-volume")).to_have_text("0")

    _post(live_server, incident["id"], ["Still can't pay, this is terrible", HOSTILE], start=0)
    expect(page.locator("#posts")).to_contain_text("Still can't pay")
    expect(page.locator("#windows tr[data-minutes='1'] .w-volume")).to_have_text("2")
    expect(page.locator("#chart polyline.volume")).to_have_count(1)
    # Feedback text is shown as text: the markup in it is visible, never parsed.
    expect(page.locator("#posts")).to_contain_text('<img src=x onerror="window.pwned=1">')
    expect(page.locator("#posts img, #posts b")).to_have_count(0)
    assert page.evaluate("window.pwned") is None

    _publish_an_update(live_server, incident["id"])
    _post(live_server, incident["id"], ["When will checkout be back?"] * 3, start=10)
    expect(page.locator("#windows tr[data-minutes='1'] .w-volume")).to_have_text("5")
    expect(page.locator("#chart line.marker")).to_have_count(1)
    points = int(feed.get_attribute("data-points") or 0)
    assert points >= 3
    shot(page, "10-sentiment-dashboard")

    # The server-rendered page escapes feedback too (before any script runs).
    page.reload()
    expect(page.locator("#posts .post-text").first).to_be_visible()
    assert page.evaluate("window.pwned") is None
