"""Packs load with their examples checked; broken packs fail with file and line."""

from pathlib import Path

import pytest

from guards import PackError, load_packs
from guards.loader import PACK_DIR, load_dir

RULE = """pack: demo
description: test pack
rules:
  - id: demo.Soon
    kind: existence
    level: error
    langs: [zh, en]
    message: {{zh: "模糊", en: "vague"}}
    reask: "Replace the vague time with a clock time."
    playbook: "§5"
    tokens: {{zh: [很快], en: [soon]}}
    examples:
{examples}
"""
GOOD_EXAMPLES = """      zh: {valid: ["15:00前更新。"], invalid: ["很快恢复。"]}
      en: {valid: ["By 15:00 UTC."], invalid: ["Back soon."]}"""


def _write(tmp_path: Path, examples: str) -> Path:
    (tmp_path / "demo.yaml").write_text(RULE.format(examples=examples), encoding="utf-8")
    return tmp_path


def test_shipped_packs_load_and_every_rule_documents_each_language() -> None:
    rules = load_packs()
    assert len(rules.rules) >= 50
    assert rules.version.startswith("sha256:")
    for c in rules.rules:
        for lang in c.rule.langs:
            assert lang in c.rule.message
            assert c.rule.examples[lang].valid
            assert c.rule.examples[lang].invalid
        assert c.rule.playbook.startswith("§")


def test_every_playbook_rule_area_exists_as_data() -> None:
    packs = {p.stem for p in PACK_DIR.glob("*.yaml")}
    assert {"required", "taboo", "glossary", "timing", "style", "sensitive"} <= packs
    assert {"faithfulness", "consistency"} <= packs


def test_a_valid_pack_loads(tmp_path: Path) -> None:
    rules = load_dir(_write(tmp_path, GOOD_EXAMPLES))
    assert [c.rule.id for c in rules.rules] == ["demo.Soon"]


def test_missing_language_examples_refuse_to_load(tmp_path: Path) -> None:
    only_zh = """      zh: {valid: ["15:00前更新。"], invalid: ["很快恢复。"]}"""
    with pytest.raises(PackError) as err:
        load_dir(_write(tmp_path, only_zh))
    assert err.value.path.endswith("demo.yaml")
    assert err.value.line == 4  # the rule's line
    assert "no en valid/invalid examples" in str(err.value)


def test_missing_invalid_example_refuses_to_load(tmp_path: Path) -> None:
    no_invalid = """      zh: {valid: ["15:00前更新。"], invalid: []}
      en: {valid: ["By 15:00 UTC."], invalid: ["Back soon."]}"""
    with pytest.raises(PackError) as err:
        load_dir(_write(tmp_path, no_invalid))
    assert err.value.line == 13  # the zh examples line


def test_invalid_example_that_does_not_fire_is_reported_with_its_line(tmp_path: Path) -> None:
    silent = """      zh: {valid: ["15:00前更新。"], invalid: ["很快恢复。"]}
      en:
        valid: ["By 15:00 UTC."]
        invalid: ["We will update you by 15:00 UTC."]"""
    with pytest.raises(PackError) as err:
        load_dir(_write(tmp_path, silent))
    assert err.value.line == 16  # the en invalid example
    assert "does not fire" in err.value.problem


def test_valid_example_that_fires_is_reported(tmp_path: Path) -> None:
    noisy = """      zh: {valid: ["很快就好。"], invalid: ["很快恢复。"]}
      en: {valid: ["By 15:00 UTC."], invalid: ["Back soon."]}"""
    with pytest.raises(PackError) as err:
        load_dir(_write(tmp_path, noisy))
    assert err.value.line == 13
    assert "fires" in err.value.problem


def test_bad_regex_and_bad_yaml_are_located(tmp_path: Path) -> None:
    broken = RULE.format(examples=GOOD_EXAMPLES).replace(
        "tokens: {zh: [很快], en: [soon]}", 'patterns: {zh: ["(很快"], en: ["soon"]}'
    )
    (tmp_path / "demo.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(PackError, match="bad pattern"):
        load_dir(tmp_path)
    (tmp_path / "demo.yaml").write_text("pack: demo\nrules: [\n", encoding="utf-8")
    with pytest.raises(PackError, match="invalid YAML"):
        load_dir(tmp_path)


DEFERRAL_RULE = """pack: demo
description: test pack
rules:
  - id: demo.Eta
    kind: timing
    check: {check}
    level: error
    langs: [en]
    message: {{en: "no ETA"}}
    reask: "Add the estimated recovery time."
    playbook: "§4"
    deferral:
      while_missing: {fact}
      patterns: {{en: ["once it is confirmed"]}}
    examples:
      en:
        valid:
          - text: "We will share the ETA once it is confirmed."
        invalid:
          - text: "We will share the ETA once it is confirmed."
            facts: {{engineering_eta_minutes: 30}}
"""


def test_a_deferral_names_a_fact_and_a_presence_check(tmp_path: Path) -> None:
    pack = tmp_path / "demo.yaml"
    pack.write_text(
        DEFERRAL_RULE.format(check="eta_present", fact="engineering_eta_minutes"), "utf-8"
    )
    rules = load_dir(tmp_path)
    assert rules.get("demo.Eta").deferrals["en"].pattern.endswith("once it is confirmed)")
    pack.write_text(DEFERRAL_RULE.format(check="eta_present", fact="eta_guess"), "utf-8")
    with pytest.raises(PackError, match="while_missing 'eta_guess' is not a GuardFacts field"):
        load_dir(tmp_path)
    pack.write_text(DEFERRAL_RULE.format(check="future", fact="engineering_eta_minutes"), "utf-8")
    with pytest.raises(PackError, match="deferral applies to"):
        load_dir(tmp_path)
