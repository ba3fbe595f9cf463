"""The mapping file: severity tables, component rules, regions, titles and load errors."""

from pathlib import Path
from typing import Any

import pytest

from service.intake.errors import MappingError
from service.intake.mapping import AlertMapping, load_mapping
from service.intake.model import AlertStatus, NormalizedAlert
from service.intake.parse import parse_alerts
from tests.intake.payloads import load

RULES = """\
severity:
  labels: [severity, priority]
  values: {Critical: P1, warning: P2, p0: P0, info: P3}
  pagerduty_priority: {P1: P0, P2: P1}
  pagerduty_urgency: {high: P1, low: P3}
  default: P3
components:
  - match: {service: checkout}
    components: [Checkout]
  - match_re: {job: "^api-.*"}
    components: [Public API]
  - match: {service: checkout, region: eu-west-1}
    components: [Checkout, Payments (EU)]
  - sources: [pagerduty]
    match: {service: Search}
    components: [Search]
regions:
  labels: [region, zone]
  names: {eu-west-1: Europe}
redact_labels: [instance, pod]
"""


def _mapping(tmp_path: Path, text: str = RULES) -> AlertMapping:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return load_mapping(path)


def _alert(**fields: Any) -> NormalizedAlert:
    base: dict[str, Any] = {
        "source": "alertmanager",
        "group_key": "g",
        "fingerprint": "f",
        "status": AlertStatus.firing,
        "title": "Checkout requests are failing",
    }
    return NormalizedAlert(**(base | fields))


@pytest.mark.parametrize(
    ("labels", "severity_raw", "expected", "basis"),
    [
        ({"severity": "critical"}, None, "P1", "label severity=critical"),
        ({"severity": "CRITICAL"}, None, "P1", "label severity=CRITICAL"),
        ({"severity": "bogus", "priority": "p0"}, None, "P0", "label priority=p0"),
        ({"priority": "warning", "severity": "info"}, None, "P3", "label severity=info"),
        ({}, "Warning", "P2", "severity=Warning"),
        ({"severity": "bogus"}, "bogus", "P3", "default"),
        ({}, None, "P3", "default"),
    ],
)
def test_severity_from_labels_and_table(
    tmp_path: Path, labels: dict[str, str], severity_raw: str | None, expected: str, basis: str
) -> None:
    mapped = _mapping(tmp_path).map(_alert(labels=labels, severity_raw=severity_raw))
    assert (mapped.severity, mapped.severity_basis) == (expected, basis)


@pytest.mark.parametrize(
    ("labels", "expected", "basis"),
    [
        ({"priority": "P1", "urgency": "low"}, "P0", "pagerduty priority=P1"),
        ({"priority": "P4", "urgency": "high"}, "P1", "pagerduty urgency=high"),
        ({"urgency": "low"}, "P3", "pagerduty urgency=low"),
    ],
)
def test_pagerduty_priority_before_urgency(
    tmp_path: Path, labels: dict[str, str], expected: str, basis: str
) -> None:
    mapped = _mapping(tmp_path).map(_alert(source="pagerduty", labels=labels))
    assert (mapped.severity, mapped.severity_basis) == (expected, basis)


def test_pagerduty_tables_are_only_for_pagerduty(tmp_path: Path) -> None:
    mapped = _mapping(tmp_path).map(_alert(labels={"urgency": "high"}))
    assert mapped.severity_basis == "default"


def test_kind_follows_severity_by_default(tmp_path: Path) -> None:
    mapping = _mapping(tmp_path)
    kinds = {
        level: mapping.map(_alert(labels={"severity": raw})).kind
        for level, raw in [("P0", "p0"), ("P1", "critical"), ("P2", "warning"), ("P3", "info")]
    }
    assert kinds == {
        "P0": "full_outage",
        "P1": "partial_outage",
        "P2": "incident",
        "P3": "incident",
    }


def test_kind_table_overrides(tmp_path: Path) -> None:
    mapping = _mapping(tmp_path, RULES + "kinds: {P1: incident}\n")
    assert mapping.map(_alert(labels={"severity": "critical"})).kind == "incident"


def test_components_from_equality_and_regex_rules(tmp_path: Path) -> None:
    mapping = _mapping(tmp_path)
    labels = {"service": "checkout", "job": "api-checkout", "region": "eu-west-1"}
    # All matching rules add their components, in rule order, without repeats.
    assert mapping.map(_alert(labels=labels)).components == [
        "Checkout",
        "Public API",
        "Payments (EU)",
    ]
    assert mapping.map(_alert(labels={"service": "checkout", "job": "checkout"})).components == [
        "Checkout"
    ]


def test_regex_is_anchored_like_alertmanager(tmp_path: Path) -> None:
    mapping = _mapping(tmp_path, RULES.replace('"^api-.*"', '"api"'))
    assert mapping.map(_alert(labels={"job": "api-checkout"})).components == []
    assert mapping.map(_alert(labels={"job": "api"})).components == ["Public API"]


def test_rule_restricted_to_a_source(tmp_path: Path) -> None:
    mapping = _mapping(tmp_path)
    labels = {"service": "Search"}
    assert mapping.map(_alert(source="pagerduty", labels=labels)).components == ["Search"]
    assert mapping.map(_alert(source="generic", labels=labels)).components == []


def test_regions_from_first_label_with_user_names(tmp_path: Path) -> None:
    mapping = _mapping(tmp_path)
    assert mapping.map(_alert(labels={"region": "eu-west-1"})).regions == ["Europe"]
    assert mapping.map(_alert(labels={"zone": "us-1"})).regions == ["us-1"]
    assert mapping.map(_alert(labels={"region": "", "zone": "us-1"})).regions == ["us-1"]
    assert mapping.map(_alert()).regions == []


def test_symptom_never_carries_the_instance(tmp_path: Path) -> None:
    host = "checkout-7d9f8b-x2k4q:8080"
    alert = _alert(title=f"Checkout requests are failing on {host}", labels={"instance": host})
    mapped = _mapping(tmp_path).map(alert)
    assert mapped.symptom == "Checkout requests are failing"
    assert mapped.title == mapped.symptom


def test_symptom_falls_back_to_alertname_when_only_a_host_remains(tmp_path: Path) -> None:
    alert = _alert(title="10.0.0.12:9100", labels={"alertname": "NodeDown"})
    assert _mapping(tmp_path).map(alert).symptom == "NodeDown"


def test_title_template(tmp_path: Path) -> None:
    mapping = _mapping(tmp_path, RULES + 'title_template: "{components} degraded in {regions}"\n')
    labels = {"service": "checkout", "region": "eu-west-1"}
    mapped = mapping.map(_alert(labels=labels))
    assert mapped.title == "Checkout, Payments (EU) degraded in Europe"
    assert mapped.symptom == "Checkout requests are failing"
    # A blank or missing field falls back to the symptom rather than half a sentence.
    assert mapping.map(_alert(labels={"service": "checkout"})).title == mapped.symptom


def test_title_template_missing_label_falls_back(tmp_path: Path) -> None:
    mapping = _mapping(tmp_path, RULES + 'title_template: "{service} is unavailable"\n')
    assert mapping.map(_alert(labels={"service": "Checkout"})).title == "Checkout is unavailable"
    assert mapping.map(_alert()).title == "Checkout requests are failing"


@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("{instance} is down", "redacted label {instance}"),
        ("{title.__class__}", "plain label name"),
        ("{0} is down", "plain label name"),
        ("{service is down", "not a valid template"),
    ],
)
def test_title_template_rejected_at_load(tmp_path: Path, template: str, fragment: str) -> None:
    with pytest.raises(MappingError, match=r"mapping\.yaml:\d+") as caught:
        _mapping(tmp_path, RULES + f"title_template: {template!r}\n")
    assert fragment in caught.value.problem


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        ("severity: [unclosed\n", "not valid YAML", 2),
        ("", "empty", None),
        ("severity:\n  values: {critical: P5}\n", "severity.values.critical", 2),
        ("severity:\n  levels: [severity]\n", "Extra inputs are not permitted", 2),
        (
            "components:\n  - match: {service: a}\n    components: [A]\n  - components: [B]\n",
            "components.1",
            4,
        ),
        (
            "components:\n  - match_re: {job: '(api'}\n    components: [API]\n",
            "invalid regular expression",
            2,
        ),
        ("severity:\n  values: {Critical: P1, critical: P0}\n", "appears twice", 2),
    ],
)
def test_broken_files_name_file_and_line(
    tmp_path: Path, text: str, fragment: str, line: int | None
) -> None:
    with pytest.raises(MappingError) as caught:
        _mapping(tmp_path, text)
    error = caught.value
    assert error.path == tmp_path / "mapping.yaml"
    assert fragment in str(error)
    assert error.line == line


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="cannot read"):
        load_mapping(tmp_path / "absent.yaml")


def test_empty_mapping_document_uses_schema_defaults(tmp_path: Path) -> None:
    mapping = _mapping(tmp_path, "{}\n")
    mapped = mapping.map(_alert(labels={"severity": "critical"}))
    assert (mapped.severity, mapped.components, mapped.regions) == ("P2", [], [])


# The packaged default mapping over the sample payloads: the "done when" cases.


def test_default_mapping_alertmanager_firing() -> None:
    mapping = load_mapping()
    mapped = [mapping.map(a) for a in parse_alerts("alertmanager", load("alertmanager_firing"))]

    assert {(m.severity, m.kind) for m in mapped} == {("P1", "partial_outage")}
    assert {tuple(m.components) for m in mapped} == {("Checkout",)}
    assert {tuple(m.regions) for m in mapped} == {("Europe (Ireland)",)}
    # The second alert's summary names a pod host; the symptom must not.
    assert [m.symptom for m in mapped] == ["Checkout requests are failing"] * 2


def test_default_mapping_grafana() -> None:
    [mapped] = [load_mapping().map(a) for a in parse_alerts("grafana", load("grafana_firing"))]
    assert (mapped.severity, mapped.kind, mapped.components, mapped.regions) == (
        "P2",
        "incident",
        ["Sign-in"],
        ["US East"],
    )
    assert mapped.symptom == "Sign-in is slow for some users"


def test_default_mapping_pagerduty_triggered() -> None:
    [alert] = parse_alerts("pagerduty", load("pagerduty_incident_triggered"))
    mapped = load_mapping().map(alert)
    assert (mapped.severity, mapped.severity_basis, mapped.kind) == (
        "P0",
        "pagerduty priority=P1",
        "full_outage",
    )
    assert mapped.components == ["Payments"]
    assert mapped.symptom == "Card payments are failing"


def test_default_mapping_pagerduty_low_urgency() -> None:
    [alert] = parse_alerts("pagerduty", load("pagerduty_incident_triggered_low_urgency"))
    mapped = load_mapping().map(alert)
    assert (mapped.severity, mapped.components) == ("P3", ["Search"])


def test_default_mapping_generic() -> None:
    [alert] = parse_alerts("generic", load("generic_firing"))
    mapped = load_mapping().map(alert)
    assert (mapped.severity, mapped.components, mapped.regions) == (
        "P2",
        ["Orders"],
        ["Asia Pacific (Singapore)"],
    )
