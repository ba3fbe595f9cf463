"""Concern classification (rules as YAML data) and FAQ suggestions from approved facts."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from service.errors import ConfigError
from service.sentiment.model import Concern
from service.sentiment.ngram import detect_lang

RULES_PATH = Path(__file__).with_name("concerns.yaml")


@dataclass(frozen=True)
class ConcernRule:
    """Keyword patterns for one concern, per language."""

    concern: Concern
    patterns: Mapping[str, tuple[re.Pattern[str], ...]]


def load_rules(path: Path = RULES_PATH) -> tuple[ConcernRule, ...]:
    """Load and compile the rule pack; a broken pack fails here, naming its file."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        rules = []
        for item in data["rules"]:
            patterns = {
                lang: tuple(re.compile(p, re.IGNORECASE) for p in item.get(lang, []))
                for lang in ("zh", "en")
            }
            rules.append(ConcernRule(Concern(item["concern"]), patterns))
    except (KeyError, TypeError, ValueError, re.error, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: bad concern rule pack: {exc}") from exc
    return tuple(rules)


class RuleConcernModel:
    """`ConcernModel` from keyword rules: most hits wins, ties to the earlier rule."""

    def __init__(self, rules: Sequence[ConcernRule] | None = None) -> None:
        self.rules = tuple(rules) if rules is not None else load_rules()

    def classify_one(self, text: str, lang: str | None = None) -> Concern:
        """Return the concern of one text."""
        code = lang or detect_lang(text)
        best, best_hits = Concern.other, 0
        for rule in self.rules:
            hits = sum(1 for p in rule.patterns.get(code, ()) if p.search(text))
            if hits > best_hits:
                best, best_hits = rule.concern, hits
        return best

    def classify(self, texts: Sequence[str], lang: str | None = None) -> list[Concern]:
        """Return one concern per text."""
        return [self.classify_one(t, lang) for t in texts]


def _join(items: object, sep: str) -> str | None:
    if isinstance(items, str):
        return items or None
    if isinstance(items, list | tuple) and items:
        return sep.join(str(i) for i in items)
    return None


def suggest_faq(concern: Concern, facts: Mapping[str, Any], lang: str = "zh") -> str | None:
    """Draft an FAQ answer from the approved update's facts; None when the facts say nothing."""
    zh = lang == "zh"
    if concern is Concern.recovery_time:
        eta = facts.get("eta_text") or facts.get("next_update_at")
        recovered = facts.get("recovered_at")
        if recovered:
            return f"服务已于{recovered}恢复。" if zh else f"Service was restored at {recovered}."
        if eta:
            return (
                f"我们预计在{eta}前完全恢复服务，届时会再次更新。"
                if zh
                else f"We expect full recovery by {eta} and will update you then."
            )
        return None
    if concern is Concern.scope:
        parts = _join(facts.get("affected_components"), "、" if zh else ", ")
        regions = _join(facts.get("affected_regions"), "、" if zh else ", ")
        share = facts.get("affected_share_pct")
        if not (parts or regions or share is not None):
            return None
        if zh:
            text = "此次问题影响" + (regions + "的" if regions else "") + (parts or "部分服务")
            return text + (f"，约{share}%的用户受影响。" if share is not None else "。")
        text = "This affects " + (parts or "some services") + (f" in {regions}" if regions else "")
        return text + (f", about {share}% of users." if share is not None else ".")
    if concern is Concern.cause:
        cause = facts.get("cause")
        if cause:
            return f"初步原因：{cause}。" if zh else f"Cause: {cause}."
        return (
            "我们正在排查几种可能的原因，确认后会第一时间通知。"
            if zh
            else "We are investigating several possible causes and will tell you once confirmed."
        )
    if concern is Concern.data_security:
        statement = facts.get("data_impact")
        if statement:
            return str(statement)
        return None
    if concern is Concern.compensation:
        policy = facts.get("compensation")
        return str(policy) if policy else None
    return None
