"""The deterministic drafter: Jinja2 templates under prompts/templates, guard-checked renditions."""

import dataclasses
import re
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from pydantic import BaseModel, ConfigDict

from service.domain.enums import Language
from service.drafting import cadence, sms
from service.drafting.guarding import consistency as check_consistency
from service.drafting.guarding import guard, guard_context, guard_facts
from service.drafting.model import (
    Channel,
    DraftContext,
    DraftKind,
    DraftRequest,
    DraftResult,
    Provenance,
    Rendition,
)
from service.drafting.view import View, build_view
from service.errors import ConfigError, DraftingError

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "prompts" / "templates"
_BLANKS = re.compile(r"\n{3,}")
_CHAT = frozenset({Channel.wecom, Channel.dingtalk, Channel.feishu, Channel.slack})


class TemplateFamily(BaseModel):
    """The template family's metadata file (STYLE: prompts as files with a version)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    description: str
    languages: list[Language]
    kinds: list[DraftKind]
    channels: list[Channel]
    macros: list[str]
    variables: list[str]


def _tidy(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines()]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


class TemplateDrafter:
    """Drafts from facts with templates; templates and policy are loaded once, here."""

    name = "template"

    def __init__(
        self,
        template_dir: Path = TEMPLATE_DIR,
        *,
        eta_buffer: float | None = None,
        policy: cadence.CadencePolicy | None = None,
    ) -> None:
        self.policy = policy or cadence.load_policy()
        self.eta_buffer = self.policy.eta.buffer_default if eta_buffer is None else eta_buffer
        if not self.policy.eta.buffer_min <= self.eta_buffer <= self.policy.eta.buffer_max:
            raise ConfigError(f"ETA buffer {self.eta_buffer} outside the policy's 30–50 % range")
        try:
            meta = yaml.safe_load((template_dir / "meta.yaml").read_text(encoding="utf-8"))
            self.family = TemplateFamily.model_validate(meta)
        except (OSError, yaml.YAMLError, ValueError) as exc:
            raise ConfigError(f"template metadata in {template_dir}: {exc}") from exc
        declared = set(self.family.variables)
        fields = {f.name for f in dataclasses.fields(View)}
        if declared != fields:
            raise ConfigError(f"meta.yaml variables differ from the view: {declared ^ fields}")
        self.env = Environment(
            loader=FileSystemLoader(str(template_dir)),
            undefined=StrictUndefined,
            autoescape=False,  # plain-text and markdown channels; no HTML is produced
            trim_blocks=False,  # keep line breaks after {% endif %}; _tidy drops blank lines
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self.kinds: dict[tuple[DraftKind, Language], Any] = {}
        self.shared: dict[Language, Any] = {}
        self.channels: dict[Channel, Template] = {}
        try:
            for lang in self.family.languages:
                self.shared[lang] = self.env.get_template(f"_shared/{lang.value}.j2").module
                for kind in self.family.kinds:
                    module = self.env.get_template(f"{kind.value}/{lang.value}.j2").module
                    missing = [m for m in self.family.macros if not hasattr(module, m)]
                    if missing:
                        raise ConfigError(f"{kind.value}/{lang.value}.j2 lacks macros {missing}")
                    self.kinds[(kind, lang)] = module
            for channel in self.family.channels:
                self.channels[channel] = self.env.get_template(f"channels/{channel.value}.j2")
        except ConfigError:
            raise
        except Exception as exc:  # a Jinja syntax or lookup error: the install is broken
            raise ConfigError(f"templates in {template_dir}: {exc}") from exc

    @property
    def prompt_version(self) -> str:
        """The template family version that travels with every draft."""
        return f"{self.family.name}@{self.family.version}"

    def draft(self, context: DraftContext, request: DraftRequest) -> DraftResult:
        """Render every channel × language rendition, each with its guard report."""
        _check_request(context, request)
        next_update = self._next_update(context, request)
        eta = None
        if request.kind not in (DraftKind.investigating, DraftKind.resolved, DraftKind.postmortem):
            # Investigating updates must not promise a recovery time (PLAYBOOK §4).
            eta = cadence.public_eta(
                context.facts, buffer=self.eta_buffer, now=request.now, policy=self.policy
            )
        renditions: list[Rendition] = []
        checked = []
        for lang in request.languages:
            facts = guard_facts(context, lang)
            for channel in request.channels:
                view = build_view(context, request, lang, channel, next_update=next_update, eta=eta)
                title, body = self._render(request, lang, channel, view)
                gctx = guard_context(
                    context,
                    request.kind,
                    lang,
                    channel,
                    request.now,
                    facts,
                    maintenance=request.maintenance_stage,
                )
                report = guard(title, body, gctx)
                if report.fixed_text != body or (report.fixed_title or "") != title:
                    # Apply the guard's safe fixes (glossary swaps in fact wording), then recheck.
                    title, body = report.fixed_title or title, report.fixed_text
                    report = guard(title, body, gctx)
                renditions.append(
                    Rendition(
                        channel=channel,
                        language=lang,
                        title=title,
                        body=body,
                        guard=report,
                        sms_segments=sms.segments(body) if channel is Channel.sms else None,
                    )
                )
                checked.append((title, body, gctx))
        return DraftResult(
            kind=request.kind,
            renditions=renditions,
            provenance=Provenance(
                drafter=self.name,
                model=None,
                prompt_version=self.prompt_version,
                attempts=1,
                fallback_reason=None,
            ),
            next_update_at=next_update,
            eta_at=eta,
            consistency=check_consistency(checked),
        )

    def _next_update(self, context: DraftContext, request: DraftRequest) -> Any:
        if request.kind in (DraftKind.resolved, DraftKind.postmortem, DraftKind.maintenance):
            return None
        return cadence.next_update_at(
            context.severity,
            request.now,
            shorten=request.tone.shorten_cadence,
            unplanned=True,
            policy=self.policy,
        )

    def _render(
        self, request: DraftRequest, lang: Language, channel: Channel, view: View
    ) -> tuple[str, str]:
        module = self.kinds[(request.kind, lang)]
        shared = self.shared[lang]
        layout = self.channels[channel]
        name = _tidy(str(module.title(view)))
        stage = str(shared.stage(request.stage_key()))
        if channel is Channel.sms:
            body = _tidy(layout.render(k=module, s=shared, v=view, short=False))
            if sms.segments(body) > 1:
                short = _tidy(layout.render(k=module, s=shared, v=view, short=True))
                if sms.segments(short) < sms.segments(body):
                    body = short
            return "", body
        body = _tidy(layout.render(k=module, s=shared, v=view, short=False))
        if channel is Channel.statuspage:
            title = name
        elif channel in _CHAT and lang is Language.zh:
            title = f"【{stage}】{name}"
        else:
            title = f"[{stage}] {name}"
        return title, body


def _check_request(context: DraftContext, request: DraftRequest) -> None:
    kind = request.kind
    if kind is DraftKind.maintenance and (
        context.scheduled_for is None or context.scheduled_until is None
    ):
        raise DraftingError("a maintenance notice needs scheduled_for and scheduled_until")
