"""The public page on both databases: Statuspage JSON shapes, bilingual HTML, Atom, and that
nothing unpublished (drafts, facts, internal names) ever shows."""

from typing import Any
from xml.etree import ElementTree as ET

from fastapi.testclient import TestClient

from service.domain.enums import Role
from tests.conftest import Tokens
from tests.statuspage import flow

ATOM = "{http://www.w3.org/2005/Atom}"


def _body(result: dict[str, Any], channel: str, lang: str) -> str:
    renditions = result["draft"]["revision"]["renditions"]
    found = next(r for r in renditions if r["channel"] == channel and r["language"] == lang)
    body: str = found["body"]
    return body


def test_summary_has_statuspage_shape_and_only_published_incidents(
    client: TestClient, tokens: Tokens
) -> None:
    login = flow.component(client, tokens, "Login")
    flow.component(client, tokens, "Search")
    shown = flow.incident(client, tokens, component_ids=[login])
    flow.published(client, tokens, shown["id"])
    hidden = flow.incident(client, tokens, name="Internal only: db-7 replica lag")
    flow.draft(client, tokens, hidden["id"])  # drafted, never published

    summary = client.get("/api/v2/summary.json?lang=en").json()
    assert set(summary) == {"page", "components", "incidents", "scheduled_maintenances", "status"}
    assert set(summary["page"]) == {"id", "name", "url", "time_zone", "updated_at"}
    assert [c["name"] for c in summary["components"]] == ["Login", "Search"]
    assert {c["name"]: c["status"] for c in summary["components"]} == {
        "Login": "partial_outage",  # P1 incident: the documented component rule
        "Search": "operational",
    }
    [item] = summary["incidents"]
    assert item["id"] == shown["id"]
    assert item["name"] == "Login unavailable"
    assert item["status"] == "investigating"
    assert item["impact"] == "major"
    assert item["shortlink"].endswith(f"/incidents/{shown['id']}")
    [update] = item["incident_updates"]
    assert set(update) >= {
        "id",
        "status",
        "body",
        "incident_id",
        "created_at",
        "updated_at",
        "display_at",
        "affected_components",
    }
    assert update["affected_components"] == [
        {
            "code": login,
            "name": "Login",
            "old_status": "operational",
            "new_status": "partial_outage",
        }
    ]
    assert summary["status"] == {"indicator": "major", "description": "Partial System Outage"}
    assert "herald" not in item
    assert "facts" not in str(summary)
    assert hidden["id"] not in str(summary)
    unresolved = client.get("/api/v2/incidents/unresolved.json").json()
    assert [i["id"] for i in unresolved["incidents"]] == [shown["id"]]
    assert client.get("/api/v2/status.json").json()["status"]["indicator"] == "major"


def test_resolving_publishes_history_and_restores_components(
    client: TestClient, tokens: Tokens
) -> None:
    login = flow.component(client, tokens, "Login")
    item = flow.incident(client, tokens, component_ids=[login])
    flow.published(client, tokens, item["id"])
    flow.recovered(client, tokens, item["id"])
    flow.published(client, tokens, item["id"], stage="resolved")

    summary = client.get("/api/v2/summary.json").json()
    assert summary["incidents"] == []
    assert summary["status"] == {"indicator": "none", "description": "All Systems Operational"}
    assert summary["components"][0]["status"] == "operational"
    [listed] = client.get("/api/v2/incidents.json").json()["incidents"]
    assert listed["status"] == "resolved"
    assert listed["resolved_at"] is not None
    assert [u["status"] for u in listed["incident_updates"]] == ["resolved", "investigating"]
    assert client.get("/api/v2/incidents/unresolved.json").json()["incidents"] == []


def test_html_shows_published_text_in_the_chosen_language(
    client: TestClient, tokens: Tokens
) -> None:
    item = flow.incident(client, tokens)
    result = flow.published(client, tokens, item["id"])
    zh, en = _body(result, "statuspage", "zh"), _body(result, "statuspage", "en")
    later = flow.draft(client, tokens, item["id"], stage="identified")  # not published

    page_zh = client.get("/?lang=zh").text
    page_en = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"}).text
    first_zh = zh.split("\n")[0]
    first_en = en.split("\n")[0]
    assert first_zh in page_zh
    assert first_en not in page_zh
    assert first_en in page_en
    assert first_zh not in page_en
    assert '<html lang="zh-CN">' in page_zh
    assert client.get("/", headers={"Accept-Language": "zh-CN"}).text == page_zh
    for page in (page_zh, page_en):
        for rendition in later["revision"]["renditions"]:
            assert rendition["body"].split("\n")[0] not in page
    detail = client.get(f"/incidents/{item['id']}?lang=en")
    assert detail.status_code == 200
    assert first_en in detail.text
    assert client.get(f"/incidents/{later['incident_id']}x").status_code == 404


def test_an_incident_never_published_has_no_public_page(client: TestClient, tokens: Tokens) -> None:
    item = flow.incident(client, tokens, name="Secret migration")
    flow.draft(client, tokens, item["id"])
    assert client.get(f"/incidents/{item['id']}").status_code == 404
    assert "Secret migration" not in client.get("/").text


def test_falls_back_to_the_other_language(client: TestClient, tokens: Tokens) -> None:
    item = flow.incident(client, tokens, languages=("en",))
    result = flow.published(client, tokens, item["id"])
    first_en = _body(result, "statuspage", "en").split("\n")[0]
    assert first_en in client.get("/?lang=zh").text
    [update] = client.get("/api/v2/incidents.json?lang=zh").json()["incidents"][0][
        "incident_updates"
    ]
    assert update["body"] == _body(result, "statuspage", "en")


def test_html_escapes_published_text(client: TestClient, tokens: Tokens) -> None:
    item = flow.incident(client, tokens, name="Login <b>unavailable</b> & slow")
    flow.published(client, tokens, item["id"])
    page = client.get("/?lang=en").text
    assert "<b>unavailable</b>" not in page
    assert "Login &lt;b&gt;unavailable&lt;/b&gt; &amp; slow" in page


def test_atom_feed_has_one_entry_per_published_update(client: TestClient, tokens: Tokens) -> None:
    item = flow.incident(client, tokens, name="Payments <delayed> & retried")
    first = flow.published(client, tokens, item["id"])
    second = flow.published(client, tokens, item["id"])  # "still working on it"
    flow.draft(client, tokens, item["id"], stage="monitoring")  # unpublished

    response = client.get("/history.atom?lang=en")
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    contents = [e.findtext(f"{ATOM}content") for e in entries]
    assert contents == [_body(second, "statuspage", "en"), _body(first, "statuspage", "en")]
    titles = [e.findtext(f"{ATOM}title") or "" for e in entries]
    assert all(t.startswith("Payments <delayed> & retried") for t in titles)
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == 2
    zh_root = ET.fromstring(client.get("/history.atom?lang=zh").content)
    assert [e.findtext(f"{ATOM}content") for e in zh_root.findall(f"{ATOM}entry")] == [
        _body(second, "statuspage", "zh"),
        _body(first, "statuspage", "zh"),
    ]


def test_status_page_needs_no_token_and_staff_routes_still_do(
    client: TestClient, tokens: Tokens
) -> None:
    for path in ("/", "/api/v2/summary.json", "/history.atom", "/api/v2/components.json"):
        assert client.get(path).status_code == 200, path
    assert client.get("/v1/subscribers").status_code == 401
    assert client.get("/v1/subscribers", headers=tokens.auth(Role.responder)).status_code == 403


def test_the_page_form_subscribes_without_javascript(client: TestClient, tokens: Tokens) -> None:
    login = flow.component(client, tokens, "Login")
    page = client.get("/?lang=zh").text
    assert 'action="/v1/public/subscribers/form?lang=zh"' in page
    sent = client.post(
        "/v1/public/subscribers/form?lang=zh",
        content=f"kind=email&address=form.user%40example.com&component_ids={login}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert sent.status_code == 202
    assert "确认" in sent.text
    [row] = client.get("/v1/subscribers", headers=tokens.auth(Role.comms_lead)).json()
    assert (row["address"], row["language"], row["component_ids"]) == (
        "f***@example.com",
        "zh",
        [login],
    )
    bad = client.post(
        "/v1/public/subscribers/form",
        content="kind=email&address=not-an-address",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert bad.status_code == 422
