"""The LLM drafter: LangChain ChatOpenAI on any OpenAI-compatible endpoint, guarded, with fallback.

The deterministic draft is made first: it is the reference the model improves, and the answer
whenever the model times out, errors, answers garbage, or still breaks a guard rule after the
re-asks. Long-form channels (status page, email) get the model's wording; SMS and chat keep the
template's short forms, which carry the same times and numbers (the consistency rule checks that).
"""

import json
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import openai
import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2 import meta as jinja_meta
from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

import prompts
from guards import GuardReport
from service.domain.enums import Language
from service.drafting.guarding import consistency, guard, guard_context
from service.drafting.model import (
    Channel,
    DraftContext,
    DraftKind,
    DraftRequest,
    DraftResult,
    MaintenanceStage,
    Provenance,
    Rendition,
)
from service.drafting.port import Drafter

PROMPT_DIR = Path(prompts.__file__).parent / "llm"
LONG_FORM = frozenset({Channel.statuspage, Channel.email})
LANGUAGE_NAMES = {Language.zh: "Simplified Chinese", Language.en: "English"}


class LlmSettings(BaseModel):
    """Where the OpenAI-compatible endpoint is and how long to wait for it."""

    model_config = ConfigDict(frozen=True)

    base_url: str
    model: str
    api_key: SecretStr = SecretStr("not-needed")
    timeout_s: float = Field(default=20.0, gt=0)
    max_reasks: int = Field(default=2, ge=0, le=5)
    max_tokens: int = Field(default=700, ge=50, description="An update is short; cap the answer.")
    # OpenAI now names the cap max_completion_tokens, but llama.cpp, vLLM and most compatible
    # servers read max_tokens (and ignore the new name): the field name is a setting.
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"


class DraftText(BaseModel):
    """The structured answer we ask the model for."""

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=4000)


class PromptMeta(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    version: str
    files: dict[str, str]
    variables: dict[str, list[str]]


@dataclass(frozen=True)
class PromptSet:
    """The prompt files, loaded and checked once: every declared variable, no undeclared ones."""

    meta: PromptMeta
    env: Environment
    stage_rules: dict[str, str]

    @classmethod
    def load(cls, directory: Path = PROMPT_DIR) -> "PromptSet":
        meta = PromptMeta.model_validate(
            yaml.safe_load((directory / "draft.meta.yaml").read_text())
        )
        env = Environment(
            loader=FileSystemLoader(directory),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
        )
        for part, filename in meta.files.items():
            source = (directory / filename).read_text()
            used = jinja_meta.find_undeclared_variables(env.parse(source))
            declared = set(meta.variables.get(part, []))
            if used != declared:
                raise ValueError(
                    f"{filename}: uses {sorted(used)}, draft.meta.yaml declares {sorted(declared)}"
                )
        rules = yaml.safe_load((directory / "stage_rules.yaml").read_text())
        later = [s for s in MaintenanceStage if s is not MaintenanceStage.scheduled]
        keys = [k.value for k in DraftKind] + [f"maintenance_{s.value}" for s in later]
        missing = [k for k in keys if k not in rules]
        if missing:
            raise ValueError(f"stage_rules.yaml has no rules for {missing}")
        return cls(meta=meta, env=env, stage_rules=rules)

    def render(self, part: str, **variables: Any) -> str:
        return self.env.get_template(self.meta.files[part]).render(**variables)


class LlmFailure(Exception):
    """Why the model's draft could not be used; becomes the provenance's fallback reason."""


def _fmt(value: datetime | None, tz: str) -> str:
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(tz))
    return f"{local:%Y-%m-%d %H:%M} ({tz})"


class LangChainDrafter:
    """A `Drafter` over a chat model: never slower than its timeout, never worse than templates."""

    name = "llm"

    def __init__(
        self,
        settings: LlmSettings,
        fallback: Drafter,
        *,
        chat: BaseChatModel | None = None,
        prompt_set: PromptSet | None = None,
    ) -> None:
        self.settings = settings
        self.fallback = fallback
        self.prompts = prompt_set or PromptSet.load()
        self.chat = chat or ChatOpenAI(
            openai_api_base=settings.base_url,
            model_name=settings.model,
            openai_api_key=settings.api_key,
            temperature=0,
            request_timeout=settings.timeout_s,
            extra_body={settings.max_tokens_field: settings.max_tokens},
            max_retries=0,
        )

    def draft(self, context: DraftContext, request: DraftRequest) -> DraftResult:
        baseline = self.fallback.draft(context, request)
        deadline = time.monotonic() + self.settings.timeout_s
        attempts = 0
        improved: dict[Language, tuple[DraftText, dict[Channel, GuardReport]]] = {}
        try:
            for lang in request.languages:
                text, reports, used = self._ask(context, request, baseline, lang, deadline)
                attempts += used
                improved[lang] = (text, reports)
        except LlmFailure as failure:
            return self._fell_back(baseline, attempts or 1, str(failure))
        renditions = [
            self._replace(r, improved[r.language]) if r.channel in LONG_FORM else r
            for r in baseline.renditions
        ]
        across = consistency(
            [
                (
                    r.title,
                    r.body,
                    guard_context(
                        context,
                        request.kind,
                        r.language,
                        r.channel,
                        request.now,
                        maintenance=request.maintenance_stage,
                    ),
                )
                for r in renditions
            ]
        )
        if any(f.level == "error" for f in across):
            rules = ", ".join(sorted({f.rule_id for f in across}))
            return self._fell_back(baseline, attempts, f"renditions disagree ({rules})")
        return baseline.model_copy(
            update={
                "renditions": renditions,
                "consistency": across,
                "provenance": Provenance(
                    drafter=self.name,
                    model=self.settings.model,
                    prompt_version=self.prompts.meta.version,
                    attempts=attempts,
                ),
            }
        )

    def _fell_back(self, baseline: DraftResult, attempts: int, reason: str) -> DraftResult:
        provenance = baseline.provenance.model_copy(
            update={
                "drafter": f"{self.name}->{baseline.provenance.drafter}",
                "model": self.settings.model,
                "attempts": attempts,
                "fallback_reason": reason,
            }
        )
        return baseline.model_copy(update={"provenance": provenance})

    @staticmethod
    def _replace(
        rendition: Rendition, improved: tuple[DraftText, dict[Channel, GuardReport]]
    ) -> Rendition:
        text, reports = improved
        return rendition.model_copy(
            update={
                "title": text.title,
                "body": text.body,
                "guard": reports[rendition.channel],
            }
        )

    def _ask(
        self,
        context: DraftContext,
        request: DraftRequest,
        baseline: DraftResult,
        lang: Language,
        deadline: float,
    ) -> tuple[DraftText, dict[Channel, GuardReport], int]:
        reference = next(
            (r for r in baseline.renditions if r.language is lang and r.channel in LONG_FORM),
            next(r for r in baseline.renditions if r.language is lang),
        )
        messages = self._messages(context, request, lang, reference, baseline)
        long_form = [c for c in request.channels if c in LONG_FORM] or [Channel.statuspage]
        failing: list[str] = []
        for attempt in range(1, self.settings.max_reasks + 2):
            text, raw = self._invoke(messages, deadline)
            text, reports = self._guard(text, context, request, lang, long_form)
            failing = sorted(
                {f.rule_id for r in reports.values() for f in r.findings if f.level == "error"}
            )
            if not failing:
                return text, reports, attempt
            instructions = "\n".join(
                f"- {item.instruction}"
                for report in reports.values()
                if report.reask
                for item in report.reask.items
                if item.level == "error"
            )
            messages = [
                *messages,
                AIMessage(content=raw),
                HumanMessage(content=self.prompts.render("reask", instructions=instructions)),
            ]
        raise LlmFailure(
            f"guard errors remain after {self.settings.max_reasks} re-asks: " + ", ".join(failing)
        )

    def _messages(
        self,
        context: DraftContext,
        request: DraftRequest,
        lang: Language,
        reference: Rendition,
        baseline: DraftResult,
    ) -> list[BaseMessage]:
        tz = context.facts.timezone
        system = self.prompts.render(
            "system",
            language_name=LANGUAGE_NAMES[lang],
            stage_rules=self.prompts.stage_rules[request.stage_key()],
        )
        user = self.prompts.render(
            "user",
            kind=request.stage_key(),
            language_name=LANGUAGE_NAMES[lang],
            incident_name=context.name,
            # json.dumps escapes quotes and control characters: alert text stays in the data block.
            facts_json=json.dumps(
                context.facts.model_dump(mode="json"), ensure_ascii=False, indent=1
            ),
            next_update=_fmt(baseline.next_update_at, tz) or "no further scheduled update",
            eta=_fmt(baseline.eta_at, tz),
            tone=", ".join(self._tone(request)),
            reference=f"{reference.title}\n\n{reference.body}",
        )
        return [SystemMessage(content=system), HumanMessage(content=user)]

    @staticmethod
    def _tone(request: DraftRequest) -> list[str]:
        tone = request.tone
        notes = []
        if tone.apologise:
            notes.append("open with a sincere, brief apology")
        if tone.reassure_data_safety:
            notes.append("state plainly whether user data is affected, using only the facts")
        return notes + list(tone.reasons)

    def _invoke(self, messages: list[BaseMessage], deadline: float) -> tuple[DraftText, str]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LlmFailure(f"timeout after {self.settings.timeout_s:g} s")
        try:
            reply = self.chat.bind(
                timeout=remaining, response_format={"type": "json_object"}
            ).invoke(messages)
        except openai.APITimeoutError as exc:
            raise LlmFailure(f"timeout after {self.settings.timeout_s:g} s") from exc
        except openai.APIStatusError as exc:
            raise LlmFailure(f"HTTP {exc.status_code} from the model endpoint") from exc
        except openai.APIConnectionError as exc:
            raise LlmFailure("cannot reach the model endpoint") from exc
        except openai.LengthFinishReasonError as exc:
            raise LlmFailure("unparseable output: cut off at the token limit") from exc
        except openai.OpenAIError as exc:
            raise LlmFailure(f"model endpoint error: {type(exc).__name__}") from exc
        raw = reply.content if isinstance(reply.content, str) else json.dumps(reply.content)
        try:
            return DraftText.model_validate_json(_json_object(raw)), raw
        except (ValidationError, OutputParserException, ValueError) as exc:
            raise LlmFailure("unparseable output: not the JSON object asked for") from exc

    def _guard(
        self,
        text: DraftText,
        context: DraftContext,
        request: DraftRequest,
        lang: Language,
        channels: list[Channel],
    ) -> tuple[DraftText, dict[Channel, GuardReport]]:
        """Apply every channel's safe fixes, then report on the fixed text."""
        contexts = {
            c: guard_context(
                context, request.kind, lang, c, request.now, maintenance=request.maintenance_stage
            )
            for c in channels
        }
        for ctx in contexts.values():
            report = guard(text.title, text.body, ctx)
            text = DraftText(title=report.fixed_title or text.title, body=report.fixed_text)
        reports = {channel: guard(text.title, text.body, ctx) for channel, ctx in contexts.items()}
        return text, reports


def _json_object(raw: str) -> str:
    """The outermost JSON object in a reply (small models wrap it in prose or code fences)."""
    start, end = raw.find("{"), raw.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("no JSON object in the reply")
    return raw[start : end + 1]
