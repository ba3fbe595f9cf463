"""The alert → incident mapping: severity P0–P3, components, regions and a user-level title.

The rules are data (``mapping.yaml``, schema below) so operators change them without code. A broken
file fails at load with its path and, where it can be found, the line of the offending value.
"""

import re
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal, Self, get_args

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from service.intake.errors import MappingError
from service.intake.model import NormalizedAlert
from service.intake.scrub import scrub

DEFAULT_MAPPING = Path(__file__).with_name("mapping.yaml")

SeverityLevel = Literal["P0", "P1", "P2", "P3"]
LanguageName = Literal["zh", "en"]
IncidentKindName = Literal["incident", "full_outage", "partial_outage"]
SourceName = Literal["alertmanager", "grafana", "pagerduty", "generic"]

_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TITLE_LIMIT = 200


def _compile(value: object) -> object:
    if not isinstance(value, str):
        return value  # let pydantic report the wrong type
    try:
        return re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {value!r}: {exc}") from None


Regex = Annotated[re.Pattern[str], BeforeValidator(_compile)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _lowercase_keys(table: dict[str, SeverityLevel]) -> dict[str, SeverityLevel]:
    lowered: dict[str, SeverityLevel] = {}
    for key, level in table.items():
        folded = key.strip().lower()
        if folded in lowered and lowered[folded] != level:
            raise ValueError(f"{key!r} appears twice (case-insensitively) with different levels")
        lowered[folded] = level
    return lowered


class SeverityRules(_Section):
    """How a P-level is chosen; the first step that finds a known value wins."""

    labels: list[str] = Field(
        default_factory=lambda: ["severity"], description="Label names to read, in order."
    )
    values: dict[str, SeverityLevel] = Field(
        default_factory=dict, description="Label or severity value → level; case-insensitive."
    )
    pagerduty_priority: dict[str, SeverityLevel] = Field(
        default_factory=dict, description="PagerDuty priority name (P1…P5) → level."
    )
    pagerduty_urgency: dict[str, SeverityLevel] = Field(
        default_factory=dict, description="PagerDuty urgency (high, low) → level."
    )
    default: SeverityLevel = "P2"

    @field_validator("values", "pagerduty_priority", "pagerduty_urgency")
    @classmethod
    def _fold(cls, table: dict[str, SeverityLevel]) -> dict[str, SeverityLevel]:
        return _lowercase_keys(table)


class KindRules(_Section):
    """The notice kind each level calls for (PLAYBOOK §4 special notices)."""

    P0: IncidentKindName = "full_outage"
    P1: IncidentKindName = "partial_outage"
    P2: IncidentKindName = "incident"
    P3: IncidentKindName = "incident"


class ComponentRule(_Section):
    """Labels that, when all conditions hold, put the alert on these components."""

    match: dict[str, str] = Field(default_factory=dict, description="Label equals value.")
    match_re: dict[str, Regex] = Field(
        default_factory=dict, description="Label fully matches regex (anchored, as Alertmanager)."
    )
    sources: list[SourceName] | None = Field(default=None, description="Only for these sources.")
    components: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _has_condition(self) -> Self:
        if not (self.match or self.match_re or self.sources):
            raise ValueError("a rule needs at least one of match, match_re or sources")
        return self

    def applies(self, alert: NormalizedAlert) -> bool:
        """Whether every condition of this rule holds for the alert."""
        if self.sources is not None and alert.source not in self.sources:
            return False
        # An absent label reads as "", as in Prometheus matchers.
        if any(alert.labels.get(name, "") != value for name, value in self.match.items()):
            return False
        return all(
            pattern.fullmatch(alert.labels.get(name, "")) for name, pattern in self.match_re.items()
        )


class RegionRules(_Section):
    labels: list[str] = Field(
        default_factory=lambda: ["region"], description="Label names to read, in order."
    )
    names: dict[str, str] = Field(
        default_factory=dict, description="Label value → the region's user-level name."
    )


class AlertMapping(_Section):
    """The whole mapping file."""

    severity: SeverityRules = Field(default_factory=SeverityRules)
    kinds: KindRules = Field(default_factory=KindRules)
    components: list[ComponentRule] = Field(default_factory=list)
    regions: RegionRules = Field(default_factory=RegionRules)
    languages: list[LanguageName] = Field(
        default_factory=lambda: list(get_args(LanguageName)),
        min_length=1,
        description="Languages of an incident an alert opens (its drafts come in each).",
    )
    redact_labels: list[str] = Field(
        default_factory=lambda: ["instance"],
        description="Labels whose values (hosts, pods, IPs) never reach user-level text.",
    )
    title_template: str | None = Field(
        default=None,
        description="User-level title, e.g. '{service} is degraded in {regions}'. Fields: labels "
        "plus title, severity, components, regions. Falls back to the alert's title.",
    )

    @field_validator("title_template")
    @classmethod
    def _template_fields(cls, template: str | None, info: ValidationInfo) -> str | None:
        if template is None:
            return None
        try:
            fields = _template_fields(template)
        except ValueError as exc:
            raise ValueError(f"not a valid template: {exc}") from None
        for field in fields:
            if field in info.data.get("redact_labels", ()):
                raise ValueError(f"uses the redacted label {{{field}}}")
        return template

    def map(self, alert: NormalizedAlert) -> "MappedAlert":
        """Apply the mapping to one alert."""
        severity, basis = self._severity(alert)
        components = _unique(
            name for rule in self.components if rule.applies(alert) for name in rule.components
        )
        regions = self._regions(alert)
        sensitive = [alert.labels[name] for name in self.redact_labels if name in alert.labels]
        symptom = scrub(alert.title, sensitive) or self._fallback_line(alert)
        title = self._title(alert, symptom, severity, components, regions, sensitive)
        return MappedAlert(
            alert=alert,
            severity=severity,
            severity_basis=basis,
            components=components,
            regions=regions,
            kind=getattr(self.kinds, severity),
            symptom=symptom[:_TITLE_LIMIT],
            title=title[:_TITLE_LIMIT],
        )

    def _severity(self, alert: NormalizedAlert) -> tuple[SeverityLevel, str]:
        rules = self.severity
        steps: list[tuple[str, str | None, dict[str, SeverityLevel]]] = []
        if alert.source == "pagerduty":
            steps.append(
                ("pagerduty priority", alert.labels.get("priority"), rules.pagerduty_priority)
            )
            steps.append(
                ("pagerduty urgency", alert.labels.get("urgency"), rules.pagerduty_urgency)
            )
        steps.extend(
            (f"label {name}", alert.labels.get(name), rules.values) for name in rules.labels
        )
        steps.append(("severity", alert.severity_raw, rules.values))
        for where, raw, table in steps:
            if raw is not None and raw.strip().lower() in table:
                return table[raw.strip().lower()], f"{where}={raw}"
        return rules.default, "default"

    def _regions(self, alert: NormalizedAlert) -> list[str]:
        for name in self.regions.labels:
            value = alert.labels.get(name, "").strip()
            if value:
                return [self.regions.names.get(value, value)]
        return []

    def _fallback_line(self, alert: NormalizedAlert) -> str:
        name = alert.labels.get("alertname", "").strip()
        return name if name and "alertname" not in self.redact_labels else f"{alert.source} alert"

    def _title(
        self,
        alert: NormalizedAlert,
        symptom: str,
        severity: str,
        components: list[str],
        regions: list[str],
        sensitive: list[str],
    ) -> str:
        if self.title_template is None:
            return symptom
        values = {
            **alert.labels,
            "title": symptom,
            "severity": severity,
            "components": ", ".join(components),
            "regions": ", ".join(regions),
        }
        try:
            rendered = self.title_template.format_map(values)
        except (KeyError, ValueError):
            return symptom  # a label the template needs is missing on this alert
        rendered = scrub(rendered, sensitive)
        # A blank field ("{regions}" with no region) leaves a half sentence; prefer the symptom.
        if not rendered or any(
            not values[field].strip() for field in _template_fields(self.title_template)
        ):
            return symptom
        return rendered


class MappedAlert(BaseModel):
    """An alert with its severity, components, regions and user-level wording decided."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    alert: NormalizedAlert
    severity: SeverityLevel
    severity_basis: str = Field(
        description="What decided the severity, e.g. 'label severity=critical'."
    )
    components: list[str]
    regions: list[str]
    kind: IncidentKindName
    symptom: str = Field(
        description="One user-level line for IncidentFacts.symptoms; no hosts/IPs."
    )
    title: str = Field(description="User-level incident title: title_template, else the symptom.")


def load_mapping(path: Path | None = None) -> AlertMapping:
    """Load and validate a mapping file; None loads the packaged default ``mapping.yaml``."""
    path = DEFAULT_MAPPING if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(path, f"cannot read the file: {exc.strerror or exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise MappingError(path, f"not valid YAML: {problem}", line) from exc
    if data is None:
        raise MappingError(path, "the file is empty")
    try:
        return AlertMapping.model_validate(data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        location = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        raise MappingError(path, f"{location}: {message}", _line_of(text, error["loc"])) from exc


def _line_of(text: str, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at a pydantic error location, as far as it resolves."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            key = str(part).removesuffix("[key]")
            child = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if part < len(node.value) else None
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def _template_fields(template: str) -> list[str]:
    """The field names of a title template; only plain names, so no attribute or index lookups."""
    fields = []
    for _, field, _, _ in string.Formatter().parse(template):
        if field is None:
            continue
        if not _FIELD_NAME.fullmatch(field):
            raise ValueError(f"title_template field {{{field}}} must be a plain label name")
        fields.append(field)
    return fields


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))
