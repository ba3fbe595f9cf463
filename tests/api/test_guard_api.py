"""POST /v1/guard/check on the seed's bad and good examples."""

from fastapi.testclient import TestClient

from service.domain.enums import Role
from tests.conftest import Tokens

CONTEXT = {
    "lang": "zh",
    "stage": "investigating",
    "channel": "statuspage",
    "now": "2026-11-28T14:35:00+08:00",
    "timezone": "Asia/Shanghai",
    "severity": "P1",
}


def test_bad_example_fails_with_spans(client: TestClient, tokens: Tokens) -> None:
    text = "系统出现了一些小问题，我们正在努力解决，希望很快能好。"
    response = client.post(
        "/v1/guard/check",
        json={"draft": {"body": text}, "context": CONTEXT},
        headers=tokens.auth(Role.comms_lead),
    )
    assert response.status_code == 200
    report = response.json()
    assert report["passed"] is False
    errors = [f for f in report["findings"] if f["level"] == "error"]
    assert {f["match"] for f in errors} >= {"很快", "希望"}
    vague = next(f for f in errors if f["match"] == "很快")
    assert text[vague["span"]["start"] : vague["span"]["end"]] == "很快"


def test_good_example_passes(client: TestClient, tokens: Tokens) -> None:
    text = (
        "用户登录系统当前不可用（14:30起），影响所有用户。"
        "技术团队正在修复数据库连接问题，我们将在15:00前提供更新。"
    )
    response = client.post(
        "/v1/guard/check",
        json={"draft": {"body": text}, "context": CONTEXT},
        headers=tokens.auth(Role.responder),
    )
    assert response.json()["passed"] is True, response.json()["findings"]


def test_requires_a_token_and_a_valid_context(client: TestClient, tokens: Tokens) -> None:
    body = {"draft": {"body": "x"}, "context": {**CONTEXT, "lang": "fr"}}
    assert client.post("/v1/guard/check", json=body).status_code == 401
    bad = client.post("/v1/guard/check", json=body, headers=tokens.auth(Role.responder))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "context/lang"


def test_a_stage_that_does_not_fit_the_kind_is_a_422_on_the_context(
    client: TestClient, tokens: Tokens
) -> None:
    body = {"draft": {"body": "x"}, "context": {**CONTEXT, "stage": "reminder"}}
    bad = client.post("/v1/guard/check", json=body, headers=tokens.auth(Role.responder))
    assert bad.status_code == 422
    [error] = bad.json()["errors"]
    assert error["field"] == "context"
    assert "does not fit kind 'incident'" in error["problem"]
