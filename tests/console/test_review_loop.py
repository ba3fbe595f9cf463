"""The review loop in a real browser: request → findings → edit → approve (2nd user) → public."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from service.domain.enums import Role
from tests.console.conftest import LiveServer, shot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def incident(live_server: LiveServer) -> dict[str, Any]:
    body = {
        "incident": {
            "name": "Login unavailable",
            "herald": {
                "severity": "P1",
                "languages": ["en", "zh"],
                "facts": {
                    "symptoms": ["users cannot sign in"],
                    "affected_components": ["Login"],
                    "affected_share_pct": 30,
                    "actions": ["restoring the sign-in service"],
                    "timezone": "Asia/Shanghai",
                },
            },
        }
    }
    with live_server.api(Role.responder) as api:
        response = api.post("/v1/incidents", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def _page(browser: Browser, contexts: list[BrowserContext]) -> Page:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    contexts.append(context)
    return context.new_page()


def _rendition(page: Page, channel: str, language: str) -> Any:
    return page.locator(f'section.rendition[data-channel="{channel}"][data-language="{language}"]')


def test_request_edit_approve_publish(
    browser: Browser,
    contexts: list[BrowserContext],
    live_server: LiveServer,
    incident: dict[str, Any],
) -> None:
    author = _page(browser, contexts)
    sign_in(author, live_server, Role.responder)
    expect(author.locator("#incidents")).to_contain_text("Login unavailable")
    author.get_by_role("link", name="Login unavailable").click()

    # Request a draft for the current stage in both languages, for the status page and SMS.
    author.get_by_label("SMS", exact=True).check()
    author.get_by_role("button", name="Request draft").click()
    author.wait_for_url(re.compile(r"/console/drafts/\w+$"))
    expect(author.locator("#flash")).to_contain_text("Draft created")
    expect(author.locator("#draft-state")).to_have_text("Draft")
    sms = _rendition(author, "sms", "zh")
    expect(sms.locator(".sms-segments")).to_contain_text("SMS segment")
    shot(author, "01-draft-requested")

    # Edit the English status-page text: the live re-check marks the new problems as we type.
    statuspage = _rendition(author, "statuspage", "en")
    statuspage.locator("summary").click()
    body = statuspage.locator("textarea[name=body]")
    original = body.input_value()
    body.fill(original + "\nWe hope to fix the crash soon.")
    live = statuspage.locator(".live-preview")
    expect(live.locator('mark[data-rule="taboo.VagueTime"]')).to_have_text(re.compile("soon"))
    expect(live.locator('mark[data-rule="glossary.Neutral"]')).to_contain_text("crash")
    shot(author, "02-live-recheck")
    statuspage.get_by_role("button", name="Save as new revision").click()
    expect(author.locator("#flash")).to_contain_text("Saved as a new revision")

    # The saved revision shows every finding inline at its span, and offers the safe fix.
    statuspage = _rendition(author, "statuspage", "en")
    preview = statuspage.locator(".rendition-preview")
    expect(preview.locator('mark[data-rule="taboo.VagueTime"]')).to_have_text(
        re.compile(r"^soon\b")
    )
    expect(preview.locator('mark[data-rule="taboo.Hedge"]')).to_have_text(re.compile(r"^We hope\b"))
    shot(author, "03-findings-inline")
    statuspage.locator('button.fix[data-rule="glossary.Neutral"]').click()
    expect(author.locator("#flash")).to_contain_text("Fix applied")
    statuspage = _rendition(author, "statuspage", "en")
    expect(statuspage.locator(".preview-body")).to_contain_text("fix the disruption soon")
    expect(statuspage.locator('mark[data-rule="glossary.Neutral"]')).to_have_count(0)
    author.get_by_role("button", name="Submit for review").click()
    expect(author.locator("#draft-state")).to_have_text("In review")
    # The author is a responder: no sign-off controls for them.
    expect(author.locator("#approve")).to_have_count(0)
    draft_url = author.url

    # A second person, an approver, reviews: approving without waivers is refused, naming why.
    approver = _page(browser, contexts)
    sign_in(approver, live_server, Role.approver)
    approver.goto(draft_url)
    expect(approver.locator("#draft-state")).to_have_text("In review")
    approver.locator("#approve").click()
    expect(approver.locator("#flash")).to_contain_text("Not approved")
    expect(approver.locator("#flash")).to_contain_text("need fixing or a waiver")
    waivers = approver.locator(".waiver")
    expect(waivers).to_have_count(2)  # the hedge and the vague time
    for index in range(waivers.count()):
        approver.locator(f"#waive-{index}").check()
        approver.locator(f"#reason-{index}").fill("Accepted by the comms lead for this drill.")
    shot(approver, "04-waivers")
    approver.locator("#approve").click()
    expect(approver.locator("#flash")).to_contain_text("Approved")
    expect(approver.locator("#draft-state")).to_have_text("Approved")

    # The author publishes; the approved English text is on the public status page.
    author.reload()
    author.get_by_role("button", name="Publish everywhere").click()
    expect(author.locator("#draft-state")).to_have_text("Published")
    shot(author, "05-published")
    author.locator("#public-link").click()
    author.wait_for_url(f"{live_server.url}/")
    expect(author.locator("body")).to_contain_text("fix the disruption soon")
    shot(author, "06-public-status-page")

    # The timeline on the incident page records each step.
    author.goto(f"{live_server.url}/console/incidents/{incident['id']}")
    timeline = author.locator("#timeline")
    for step in ("Draft created", "Edited", "Submitted for review", "Approved", "Published"):
        expect(timeline).to_contain_text(step)
    expect(author.locator("#incident-status")).to_have_text("Investigating")
