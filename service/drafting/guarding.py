"""Run the guard layer over renditions: one report per rendition, consistency across them."""

from datetime import datetime

from guards import Draft, Finding, GuardContext, GuardFacts, GuardReport, check, check_consistency
from guards.models import Channel as GuardChannel
from guards.models import NoticeKind, Stage
from service.domain.enums import Language
from service.drafting.model import STAGES, Channel, DraftContext, DraftKind, MaintenanceStage

_NOTICE: dict[DraftKind, NoticeKind] = {
    DraftKind.full_outage: "full_outage",
    DraftKind.partial_outage: "partial_outage",
    DraftKind.maintenance: "maintenance",
    DraftKind.postmortem: "postmortem",
}
_STAGE: dict[DraftKind, Stage] = {
    DraftKind.investigating: "investigating",
    DraftKind.identified: "identified",
    DraftKind.monitoring: "monitoring",
    DraftKind.resolved: "resolved",
}
_MAINTENANCE: dict[MaintenanceStage, Stage] = {
    MaintenanceStage.scheduled: "scheduled",
    MaintenanceStage.reminder: "reminder",
    MaintenanceStage.in_progress: "in_progress",
    MaintenanceStage.verifying: "verifying",
    MaintenanceStage.completed: "completed",
}
_CHANNEL: dict[Channel, GuardChannel] = {
    Channel.statuspage: "statuspage",
    Channel.email: "email",
    Channel.sms: "sms",
    Channel.wecom: "wecom",
    Channel.dingtalk: "dingtalk",
    Channel.feishu: "feishu",
    Channel.slack: "slack",
}


def guard_facts(context: DraftContext, lang: Language) -> GuardFacts:
    """The facts a draft may state, in the guard layer's shape (plus the maintenance window)."""
    _, facts = context.text_for(lang)
    data = facts.model_dump()
    data["scheduled_for"] = context.scheduled_for
    data["scheduled_until"] = context.scheduled_until
    return GuardFacts.model_validate(data)


def guard_context(
    context: DraftContext,
    kind: DraftKind,
    lang: Language,
    channel: Channel,
    now: datetime,
    facts: GuardFacts | None = None,
    *,
    maintenance: MaintenanceStage | None = None,
) -> GuardContext:
    """Stage updates are checked as incident updates of that stage; notices by their kind, and
    maintenance texts by their place in the sequence (the notice unless said otherwise)."""
    stage: Stage | None = _STAGE.get(kind) if kind in STAGES else None
    if kind is DraftKind.maintenance:
        stage = _MAINTENANCE[maintenance or MaintenanceStage.scheduled]
    notice: NoticeKind = _NOTICE.get(kind, "incident")
    return GuardContext(
        lang=lang.value,
        stage=stage,
        kind=notice,
        channel=_CHANNEL[channel],
        now=now,
        timezone=context.facts.timezone,
        severity=context.severity.value,
        facts=facts if facts is not None else guard_facts(context, lang),
    )


def guard(title: str, body: str, ctx: GuardContext) -> GuardReport:
    """Check one rendition (an empty title, as SMS has, is no title)."""
    return check(Draft(body=body, title=title or None), ctx)


def consistency(renditions: list[tuple[str, str, GuardContext]]) -> list[Finding]:
    """Times and numbers that one rendition states and another lacks."""
    pairs = [(Draft(body=body, title=title or None), ctx) for title, body, ctx in renditions]
    return check_consistency(pairs)
