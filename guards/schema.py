"""The rule-pack schema: one pydantic model per rule kind, discriminated by `kind`."""

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from guards.models import Channel, GuardFacts, Lang, Level, NoticeKind, Severity, Stage

Scope = Literal["title", "first_sentence", "sentence", "paragraph", "text"]
PerLang = dict[Lang, list[str]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rendition(_Strict):
    """One rendition in a consistency example."""

    text: str
    lang: Lang
    channel: Channel = "statuspage"


class Example(_Strict):
    """A text a rule must accept (valid) or flag (invalid), with optional context overrides."""

    text: str = ""
    title: str | None = None
    stage: Stage | None = None
    kind: NoticeKind | None = None
    channel: Channel | None = None
    severity: Severity | None = None
    now: AwareDatetime | None = None
    timezone: str | None = None
    facts: GuardFacts | None = None
    renditions: list[Rendition] = Field(default_factory=list)


ExampleItem = str | Example


class Examples(_Strict):
    """Examples of one language."""

    valid: list[ExampleItem] = Field(min_length=1)
    invalid: list[ExampleItem] = Field(min_length=1)


class RuleBase(_Strict):
    """Fields every rule has."""

    id: str = Field(pattern=r"^[a-z]+\.[A-Z][A-Za-z0-9]+$")
    level: Level
    langs: list[Lang] = Field(min_length=1)
    stages: list[Stage] | None = None
    kinds: list[NoticeKind] | None = None
    channels: list[Channel] | None = None
    scope: Scope = "text"
    message: dict[Lang, str]
    reask: str = Field(min_length=10)
    suggestion: dict[Lang, str] | None = None
    playbook: str = Field(pattern=r"^§\d+(?:[–-]§?\d+)?$")
    examples: dict[Lang, Examples]
    when_fact: str | None = Field(
        default=None, description="Apply only when this GuardFacts field is set and non-empty."
    )

    @model_validator(mode="after")
    def _every_lang_documented(self) -> "RuleBase":
        for lang in self.langs:
            if lang not in self.message:
                raise ValueError(f"rule {self.id} has no {lang} message")
            if lang not in self.examples:
                raise ValueError(
                    f"rule {self.id} declares {lang} but has no {lang} valid/invalid examples"
                )
        if self.when_fact and self.when_fact not in GuardFacts.model_fields:
            raise ValueError(f"when_fact {self.when_fact!r} is not a GuardFacts field")
        return self


class ExistenceRule(RuleBase):
    """Flags tokens or patterns; `exceptions` mask compounds that are not the taboo word."""

    kind: Literal["existence"]
    tokens: PerLang = Field(default_factory=dict)
    patterns: PerLang = Field(default_factory=dict)
    exceptions: PerLang = Field(default_factory=dict)
    exceptions_by_stage: dict[Stage, PerLang] = Field(default_factory=dict)
    ignorecase: bool = True
    use_deny_terms: bool = Field(default=False, description="Also flag the context's deny_terms.")
    prefilter: str | None = Field(
        default=None, description="A cheap regex that must occur before the patterns are run."
    )


class SubstitutionRule(RuleBase):
    """Swaps a glossary term for the preferred one; the swap is a fix when `safe`."""

    kind: Literal["substitution"]
    swap: dict[Lang, dict[str, str]]
    exceptions: PerLang = Field(default_factory=dict)
    safe: bool = True
    ignorecase: bool = True


class Deferral(_Strict):
    """Phrases that stand for a required element while a fact is still unknown.

    PLAYBOOK §4/§9: with no engineering estimate yet, "we will announce the recovery time as soon
    as it is confirmed" is what an update should say; once the facts carry the estimate, only the
    element itself counts.
    """

    while_missing: str = Field(description="The GuardFacts field whose absence allows deferral.")
    patterns: PerLang

    @model_validator(mode="after")
    def _known_fact(self) -> "Deferral":
        if self.while_missing not in GuardFacts.model_fields:
            raise ValueError(f"while_missing {self.while_missing!r} is not a GuardFacts field")
        return self


class RequiredRule(RuleBase):
    """Requires one of the patterns (or a fact value) to appear in the scope."""

    kind: Literal["required"]
    patterns: PerLang
    fact_terms: list[str] = Field(
        default_factory=list, description="GuardFacts list/str fields whose values also count."
    )
    deferral: Deferral | None = None


TimingCheck = Literal[
    "next_update_present",
    "eta_present",
    "relative",
    "future",
    "cadence",
    "tz_label",
    "no_recovery_time",
    "maintenance_lead",
]


# Checks that require an element to be present; only these can be satisfied by a deferral.
_PRESENCE_CHECKS = frozenset({"next_update_present", "eta_present"})


class TimingRule(RuleBase):
    """A time-precision check implemented in code, tuned by params."""

    kind: Literal["timing"]
    check: TimingCheck
    params: dict[str, Any] = Field(default_factory=dict)
    deferral: Deferral | None = None

    @model_validator(mode="after")
    def _deferral_only_for_presence(self) -> "TimingRule":
        if self.deferral is not None and self.check not in _PRESENCE_CHECKS:
            raise ValueError(f"deferral applies to {sorted(_PRESENCE_CHECKS)} checks only")
        return self


MetricCheck = Literal[
    "bluf",
    "paragraph_sentences",
    "sentence_length",
    "channel_length",
    "sms_segments",
    "acronym_density",
]


class MetricRule(RuleBase):
    """A style measurement compared with a limit."""

    kind: Literal["metric"]
    check: MetricCheck
    params: dict[str, Any] = Field(default_factory=dict)


FaithCheck = Literal["percentages", "clock_times", "durations", "numbers", "names"]


class FaithfulnessRule(RuleBase):
    """Every value of one sort in the draft must come from the facts or a documented computation."""

    kind: Literal["faithfulness"]
    check: FaithCheck
    params: dict[str, Any] = Field(default_factory=dict)


class ConsistencyRule(RuleBase):
    """Renditions of one update must carry the same values of one sort."""

    kind: Literal["consistency"]
    check: Literal["times", "numbers"]


Rule = Annotated[
    ExistenceRule
    | SubstitutionRule
    | RequiredRule
    | TimingRule
    | MetricRule
    | FaithfulnessRule
    | ConsistencyRule,
    Field(discriminator="kind"),
]


class Pack(_Strict):
    """One YAML file of rules."""

    pack: str = Field(pattern=r"^[a-z]+$")
    description: str
    rules: list[Rule] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_in_pack(self) -> "Pack":
        seen: set[str] = set()
        for rule in self.rules:
            if not rule.id.startswith(self.pack + "."):
                raise ValueError(f"rule {rule.id} must be named {self.pack}.<Rule>")
            if rule.id in seen:
                raise ValueError(f"duplicate rule id {rule.id}")
            seen.add(rule.id)
        return self
