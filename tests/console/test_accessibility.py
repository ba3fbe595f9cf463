"""Accessibility and i18n in the browser: labels, keyboard, focus, contrast, zh/en, escaping."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from service.domain.enums import Role
from tests.console.conftest import LiveServer, shot, sign_in

pytestmark = pytest.mark.browser

# Every visible form control must have an accessible name from a label or aria-label.
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter((el) => el.type !== 'hidden')
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                  && !el.getAttribute('aria-labelledby'))
  .map((el) => el.outerHTML.slice(0, 120))"""

# WCAG relative-luminance contrast of each text element against its first opaque background.
CONTRAST = """(selectors) => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const sel of selectors) {
    for (const el of document.querySelectorAll(sel)) {
      const a = lum(rgb(getComputedStyle(el).color).slice(0, 3)), b = lum(background(el));
      out.push([sel, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]);
    }
  }
  return out;
}"""


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def draft(live_server: LiveServer) -> dict[str, Any]:
    body = {"incident": {"name": "Search is slow", "herald": {"severity": "P2"}}}
    with live_server.api(Role.responder) as api:
        incident = api.post("/v1/incidents", json=body).json()
        created: dict[str, Any] = api.post(
            f"/v1/incidents/{incident['id']}/drafts",
            json={"channels": ["statuspage", "email", "sms"], "languages": ["en", "zh"]},
        ).json()
    return created


def test_labels_focus_and_contrast(
    page: Page, live_server: LiveServer, draft: dict[str, Any]
) -> None:
    sign_in(page, live_server, Role.approver)
    for path in (
        "/console",
        f"/console/incidents/{draft['incident_id']}",
        f"/console/drafts/{draft['id']}",
    ):
        page.goto(live_server.url + path)
        page.locator("details.edit").evaluate_all("(ds) => ds.forEach((d) => d.open = true)")
        assert page.evaluate(UNLABELLED) == [], path
        ratios = page.evaluate(
            CONTRAST,
            ["body", "a", "button", ".muted", ".help", ".badge", ".state", ".sev", "mark", "label"],
        )
        low = [(sel, round(r, 2)) for sel, r in ratios if r < 4.5]
        assert low == [], path
    # The first Tab reaches the skip link, which is then visible and outlined.
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.className,"
        " getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == ["skip", "solid"]
    # Buttons work from the keyboard: focus one and press Enter.
    page.locator("#submit-review").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#draft-state")).to_have_text("In review")
    page.locator("#comment").fill("Please name the affected region.")
    page.locator("#request-changes").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#draft-state")).to_have_text("Changes requested")


def test_language_switch_sets_lang_and_labels(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, Role.responder)
    assert page.get_attribute("html", "lang") == "en"
    page.locator("#lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("navigation")).to_contain_text("事件")
    expect(page.locator("h1")).to_have_text("事件")
    shot(page, "20-console-zh")
    page.locator("#lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Incidents")


def test_alert_markup_shows_as_text(page: Page, live_server: LiveServer) -> None:
    alert = {
        "dedup_key": "xss-probe",
        "status": "firing",
        "title": "<script>window.pwned = 1</script>Payments down",
        "severity": "critical",
    }
    with live_server.api(Role.responder) as api:
        assert api.post("/v1/alerts/generic", json=alert).status_code in {200, 201, 202}
    sign_in(page, live_server, Role.responder)
    row = page.locator("#incidents tr", has_text="Payments down")
    expect(row).to_contain_text("<script>window.pwned = 1</script>")
    assert page.evaluate("window.pwned") is None
    assert page.locator("script").count() == 1  # only the console's own
    row.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text(re.compile(r"^<script>"))
    assert page.evaluate("window.pwned") is None
