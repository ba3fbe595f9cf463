"""A seeded list of secrets, addresses, internal hosts and paths: the guard flags every one in a
draft (zh and en), and API logs never contain tokens."""

import logging
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from guards import Draft, GuardContext, check
from service.domain.enums import Role
from tests.conftest import Tokens

LEAKS = [
    "10.12.4.31",
    "192.168.0.17:5432",
    "172.16.254.1",
    "2001:db8:85a3::8a2e:370:7334",
    "fe80::1ff:fe23:4567:890a",
    "db-01.prod.internal",
    "checkout-7d9f8b-x2k4q.eu-west-1.internal",
    "redis-master.payments.svc.cluster.local",
    "api.corp.local",
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "sk-proj-4f9aB2cD3eF4gH5iJ6kL7mN8oP9qR0sT",
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "-----BEGIN RSA PRIVATE KEY-----",
    "postgres://admin:hunter2@db.example.com:5432/prod",
    "password=Sup3rS3cret!",
    "/var/log/nginx/error.log",
    "/etc/herald/secrets.yaml",
    "C:\\Windows\\System32\\drivers\\etc\\hosts",
    "CVE-2024-3094",
    "nginx/1.25.3",
    'File "/srv/app/checkout/views.py", line 42, in charge',
]


def _context(lang: str) -> GuardContext:
    return GuardContext.model_validate(
        {"lang": lang, "stage": "investigating", "now": datetime(2026, 11, 28, 6, 40, tzinfo=UTC)}
    )


@pytest.mark.parametrize("leak", LEAKS)
@pytest.mark.parametrize(
    "template",
    [
        "We are investigating errors on checkout. Details: {leak}. Next update by 07:10 UTC.",
        "我们正在调查结账服务异常，详情：{leak}。我们将在15:10前提供更新。",
    ],
)
def test_guard_flags_every_seeded_leak(leak: str, template: str) -> None:
    text = template.format(leak=leak)
    lang = "zh" if "我们" in template else "en"
    report = check(Draft(body=text), _context(lang))
    sensitive = [
        f for f in report.findings if f.rule_id.startswith("sensitive.") and f.level == "error"
    ]
    assert sensitive, f"not flagged: {leak}"
    assert any(leak.startswith(f.match) or f.match in leak for f in sensitive), [
        f.match for f in sensitive
    ]
    assert report.passed is False


def test_logs_never_contain_tokens(
    client: TestClient, tokens: Tokens, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client.get("/v1/incidents", headers=tokens.auth(Role.responder))
    client.get("/v1/incidents", headers={"Authorization": "Bearer hrld_wrong-token-value"})
    created = client.post(
        "/v1/users", json={"name": "newbie", "role": "responder"}, headers=tokens.auth(Role.admin)
    ).json()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for token in [*tokens.values(), created["token"], "hrld_wrong-token-value"]:
        assert token not in logged
