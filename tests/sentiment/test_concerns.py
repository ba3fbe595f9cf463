from pathlib import Path

import pytest

from service.errors import ConfigError
from service.sentiment.concerns import RuleConcernModel, load_rules, suggest_faq
from service.sentiment.model import Concern


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("系统什么时候能恢复？等了两个小时了", Concern.recovery_time),
        ("是只有我这边打不开吗，别人也这样？", Concern.scope),
        ("到底怎么回事，为什么又挂了", Concern.cause),
        ("我的数据安全吗？会不会泄露", Concern.data_security),
        ("这么久用不了，有没有补偿？", Concern.compensation),
        ("今天天气不错", Concern.other),
        ("@EE when will the signal be back up? still down", Concern.recovery_time),
        ("Is it just me or is anyone else having no service?", Concern.scope),
        ("Why does this keep happening? what's going on", Concern.cause),
        ("Was my personal info leaked in the breach?", Concern.data_security),
        ("I want a refund for the days without service", Concern.compensation),
        ("Happy birthday mate", Concern.other),
    ],
)
def test_rules_classify_typical_posts(text: str, expected: Concern) -> None:
    assert RuleConcernModel().classify([text]) == [expected]


def test_broken_pack_fails_at_load_naming_the_file(tmp_path: Path) -> None:
    pack = tmp_path / "bad.yaml"
    pack.write_text("rules:\n  - concern: weather\n    en: ['rain']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml"):
        load_rules(pack)


def test_faq_answers_come_from_facts() -> None:
    facts = {
        "eta_text": "18:00",
        "affected_components": ["登录", "支付"],
        "affected_share_pct": 12,
        "data_impact": "此次问题仅影响系统访问，不会导致任何数据丢失或泄露。",
    }
    assert "18:00" in (suggest_faq(Concern.recovery_time, facts) or "")
    assert "登录、支付" in (suggest_faq(Concern.scope, facts) or "")
    assert "12%" in (suggest_faq(Concern.scope, facts) or "")
    assert suggest_faq(Concern.data_security, facts) == facts["data_impact"]
    assert "18:00" in (suggest_faq(Concern.recovery_time, facts, lang="en") or "")


def test_faq_says_nothing_rather_than_invent() -> None:
    assert suggest_faq(Concern.recovery_time, {}) is None
    assert suggest_faq(Concern.data_security, {}) is None
    assert suggest_faq(Concern.compensation, {}, lang="en") is None
    assert suggest_faq(Concern.other, {"cause": "x"}) is None
    # Unknown cause: the playbook's wording, never a guess.
    assert "possible causes" in (suggest_faq(Concern.cause, {}, lang="en") or "")
