"""The post-incident report: drafted from the timeline, guarded, approved, published.

Its facts are assembled from the incident and its timeline (impact window, scope, cause, what was
done, follow-ups) plus a communication record from `service.metrics`. The record's sentences join
the facts' `actions`, so every number in them is a fact the guards can trace (PLAYBOOK §5). The
draft is an ordinary `postmortem` draft: it goes through review like any other, and publishing it
sets the incident's Statuspage `postmortem_body`.
"""

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from service import audit, drafts, incidents
from service.domain.draft import DraftCreate, DrafterChoice, DraftPublic, RenditionPublic
from service.domain.enums import RESOLVED_STATUSES, Language
from service.domain.facts import IncidentFacts
from service.drafting.guarding import consistency, guard, guard_context
from service.drafting.model import Channel, DraftContext, DraftKind, DraftRequest, DraftResult
from service.drafting.port import Drafter
from service.drafting.view import clause, in_language
from service.errors import ConfigError, ConflictError, FieldProblem
from service.metrics import IncidentMetrics, incident_metrics
from service.store.tables import DraftRevisionRow, DraftRow, IncidentRow
from service.store.types import utcnow

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "prompts" / "templates" / "report"
# The report is long-form: the status page and email carry it; chat and SMS point to it.
CHANNELS = [Channel.statuspage, Channel.email]


class ReportTemplates(BaseModel):
    """The section template family's metadata (prompts as files with a version)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    description: str
    languages: list[Language]
    variables: list[str]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def comms_record(m: IncidentMetrics) -> dict[Language, list[str]]:
    """The communication metrics as plain sentences per language (no trailing punctuation)."""
    en: list[str] = []
    zh: list[str] = []
    if m.time_to_first_notice_min is not None:
        minutes = _number(round(m.time_to_first_notice_min))
        en.append(f"We published the first notice {minutes} minutes after the disruption began")
        zh.append(f"首次公告在问题发生后{minutes}分钟发布")
    if m.maintenance_notice_lead_h is not None:
        hours = _number(round(m.maintenance_notice_lead_h, 1))
        en.append(f"We announced this maintenance {hours} hours before it began")
        zh.append(f"本次维护提前{hours}小时发布了通知")
    if m.published_updates:
        en.append(f"We published {m.published_updates} updates in total")
        zh.append(f"我们共发布了{m.published_updates}次更新")
    promised = m.promises_kept + m.promises_missed
    if promised:
        en.append(f"{m.promises_kept} of {promised} promised updates went out on time")
        zh.append(f"承诺的{promised}次更新中有{m.promises_kept}次按时发布")
    etas = m.eta_kept + m.eta_missed
    if etas:
        en.append(f"{m.eta_kept} of {etas} estimated recovery times we published held")
        zh.append(f"我们公布的{etas}个预计恢复时间中有{m.eta_kept}个按时兑现")
    return {Language.en: en, Language.zh: zh}


def report_facts(
    incident: IncidentRow, facts: IncidentFacts, record: Mapping[Language, list[str]]
) -> IncidentFacts:
    """The incident's facts completed from its timeline, with the communication record."""
    components = facts.affected_components or [c.name for c in incident.components]
    return facts.model_copy(
        update={
            "detected_at": facts.detected_at or incident.started_at,
            "recovered_at": facts.recovered_at or incident.resolved_at,
            "affected_components": components,
            "actions": [*facts.actions, *(line for lines in record.values() for line in lines)],
        }
    )


class PostmortemDrafter:
    """Wraps a drafter: its postmortem text, then the actions and communication section."""

    def __init__(
        self,
        inner: Drafter,
        incident: IncidentRow,
        record: Mapping[Language, list[str]],
        template_dir: Path = TEMPLATE_DIR,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.incident = incident
        self.record = record
        try:
            meta = yaml.safe_load((template_dir / "meta.yaml").read_text(encoding="utf-8"))
            self.family = ReportTemplates.model_validate(meta)
        except (OSError, yaml.YAMLError, ValueError) as exc:
            raise ConfigError(f"report templates in {template_dir}: {exc}") from exc
        env = Environment(
            loader=FileSystemLoader(str(template_dir)),
            undefined=StrictUndefined,
            autoescape=False,  # plain text and markdown, no HTML
            lstrip_blocks=True,
            trim_blocks=True,
        )
        self.templates = {
            lang: env.get_template(f"{lang.value}.j2") for lang in self.family.languages
        }

    def _section(self, lang: Language, actions: list[str]) -> str:
        own = [clause(a) for a in actions if in_language(a, lang) and clause(a)]
        comms = set(self.record.get(lang, []))
        text = self.templates[lang].render(
            actions=[a for a in own if a not in comms], comms=self.record.get(lang, [])
        )
        return text.strip()

    def draft(self, context: DraftContext, request: DraftRequest) -> DraftResult:
        """The inner drafter's postmortem with the section appended, guarded again."""
        facts = report_facts(self.incident, context.facts, self.record)
        ctx = context.model_copy(update={"facts": facts})
        result = self.inner.draft(ctx, request)
        renditions = []
        checked = []
        for r in result.renditions:
            title, body = r.title, r.body
            if r.channel in CHANNELS:
                body = f"{body}\n\n{self._section(r.language, facts.actions)}".strip()
            gctx = guard_context(ctx, request.kind, r.language, r.channel, request.now)
            report = guard(title, body, gctx)
            renditions.append(r.model_copy(update={"body": body, "guard": report}))
            checked.append((title, body, gctx))
        provenance = result.provenance.model_copy(
            update={
                "prompt_version": (
                    f"{result.provenance.prompt_version}+{self.family.name}@{self.family.version}"
                )
            }
        )
        return result.model_copy(
            update={
                "renditions": renditions,
                "provenance": provenance,
                "consistency": consistency(checked),
            }
        )


def create_postmortem(
    session: Session,
    incident_id: str,
    drafter: Drafter,
    *,
    actor: str,
    languages: list[Language] | None = None,
    support_contact: Mapping[Language, str] | None = None,
    now: datetime | None = None,
) -> DraftPublic:
    """Draft the post-incident report of a resolved incident; it then goes through review."""
    now = now or utcnow()
    incident = incidents.get_row(session, incident_id)
    if incident.status not in RESOLVED_STATUSES:
        raise ConflictError(
            "a post-incident report follows resolution; resolve the incident first",
            [FieldProblem("status", f"is {incident.status}")],
        )
    record = comms_record(incident_metrics(session, incident, now))
    wrapped = PostmortemDrafter(drafter, incident, record)
    return drafts.create_draft(
        session,
        incident_id,
        DraftCreate(
            kind=DraftKind.postmortem,
            drafter=DrafterChoice.template,
            channels=CHANNELS,
            languages=languages,
            now=now,
        ),
        {DrafterChoice.template.value: wrapped},
        actor=actor,
        support_contact=support_contact,
        now=now,
    )


def apply_postmortem(
    session: Session, draft_row: DraftRow, revision: DraftRevisionRow, now: datetime
) -> None:
    """Publishing a postmortem draft sets the incident's `postmortem_body` (Statuspage field)."""
    if DraftKind(draft_row.kind) is not DraftKind.postmortem:
        return
    incident = incidents.get_row(session, draft_row.incident_id)
    renditions = [RenditionPublic.model_validate(r) for r in revision.renditions]
    order = {lang: i for i, lang in enumerate(incident.languages)}
    pages = sorted(
        (r for r in renditions if r.channel is Channel.statuspage),
        key=lambda r: order.get(r.language.value, len(order)),
    )
    before = incident.postmortem_body
    # One field holds the report; with several languages, each follows the other.
    incident.postmortem_body = "\n\n---\n\n".join(r.body for r in pages) or None
    incident.updated_at = now
    incidents.add_event(
        session,
        incident.id,
        actor=draft_row.created_by,
        type="postmortem.published",
        data={"draft_id": draft_row.id, "languages": [r.language.value for r in pages]},
    )
    audit.record(
        session,
        actor=draft_row.created_by,
        action="incident.postmortem",
        object_type="incident",
        object_id=incident.id,
        before={"postmortem_body": before},
        after={"postmortem_body": incident.postmortem_body},
    )
