"""The values a template renders: facts formatted for one language and channel, nothing invented."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from service.domain.enums import Language
from service.drafting import timefmt
from service.drafting.model import Channel, DraftContext, DraftKind, DraftRequest

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_TRAILING = re.compile(r"[\s。．.!！?？;；,，:：、]+$")

_BOLD: dict[Channel, Callable[[str], str]] = {
    Channel.wecom: lambda s: f"**{s}**",
    Channel.dingtalk: lambda s: f"**{s}**",
    Channel.feishu: lambda s: f"**{s}**",
    Channel.slack: lambda s: f"*{s}*",
}


def in_language(text: str, lang: Language) -> bool:
    """Whether free text is written in `lang` (Chinese: has CJK; English: has none)."""
    has_cjk = _CJK.search(text) is not None
    return has_cjk if lang is Language.zh else not has_cjk


def clause(text: str) -> str:
    """A fact as a clause: trimmed, without trailing punctuation (the template adds its own)."""
    return _TRAILING.sub("", text.strip())


def join(items: list[str], lang: Language) -> str:
    """A list as prose: 甲、乙和丙 / A, B and C."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if lang is Language.zh:
        return "、".join(items[:-1]) + "和" + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True)
class Known:
    """One free-text fact: whether it is known at all, and its wording in this language if any."""

    known: bool = False
    text: str | None = None


def _known(value: str | None, lang: Language) -> Known:
    if not value or not value.strip():
        return Known()
    return Known(True, clause(value) if in_language(value, lang) else None)


def _title(name: str, components: list[str], lang: Language) -> str:
    """The incident name, or a plain one in this language when the name is in another."""
    if in_language(name, lang):
        return clause(name)
    if lang is Language.zh:
        return f"{join(components, lang)}服务异常" if components else "服务异常"
    return f"Disruption affecting {join(components, lang)}" if components else "Service disruption"


@dataclass(frozen=True)
class View:
    """Everything a template may print; every number and time here comes from the facts."""

    lang: Language
    channel: Channel
    kind: DraftKind
    maintenance_stage: str | None
    name: str
    service: str
    components: list[str]
    regions: str | None
    share: str | None
    symptoms: list[str]
    symptoms_known: bool
    cause: Known
    actions: list[str]
    workaround: Known
    fix: Known
    recovery: str | None
    remaining: str | None
    follow_ups: list[str]
    follow_ups_known: bool
    since: str | None
    started: str | None
    ended: str | None
    duration: str | None
    next_update: str | None
    eta: str | None
    window: str | None
    contact: str | None
    apologise: bool
    data_safety: bool
    shorten: bool
    chat: bool = field(default=False)

    def b(self, text: str) -> str:
        """Bold in this channel's markup (plain where the channel has none)."""
        bold = _BOLD.get(self.channel)
        return bold(text) if bold else text

    def j(self, items: list[str]) -> str:
        """Join a list as prose in this language."""
        return join(items, self.lang)


def build_view(
    context: DraftContext,
    request: DraftRequest,
    lang: Language,
    channel: Channel,
    *,
    next_update: datetime | None,
    eta: datetime | None,
) -> View:
    """Format the facts for one rendition."""
    name, f = context.text_for(lang)
    zone = f.timezone
    now = request.now

    def clk(at: datetime | None) -> str | None:
        return timefmt.clock(at, zone, lang, now) if at is not None else None

    components = [clause(c) for c in f.affected_components if c.strip()]
    default_service = "我们的服务" if lang is Language.zh else "our service"
    regions = [clause(r) for r in f.affected_regions if in_language(r, lang)]
    symptoms = [clause(s) for s in f.symptoms if in_language(s, lang) and clause(s)]
    actions = [clause(a) for a in f.actions if in_language(a, lang) and clause(a)]
    follow_ups = [clause(a) for a in f.follow_ups if in_language(a, lang) and clause(a)]
    duration = None
    started = ended = None
    if f.detected_at is not None and f.recovered_at is not None and f.recovered_at >= f.detected_at:
        minutes = (f.recovered_at - f.detected_at).total_seconds() / 60
        # Under a minute has no honest whole-minute duration; the start–end times still stand.
        duration = timefmt.duration(minutes, lang) if round(minutes) >= 1 else None
        started, ended = clk(f.detected_at), clk(f.recovered_at)
    window = None
    if context.scheduled_for is not None and context.scheduled_until is not None:
        window = timefmt.window(context.scheduled_for, context.scheduled_until, zone, lang)
    contact = (context.support_contact or {}).get(lang)
    recovery = remaining = None
    if f.recovery_pct is not None:
        recovery = timefmt.percent(f.recovery_pct)
        if f.recovery_pct < 100:
            remaining = timefmt.percent(round(100 - f.recovery_pct, 1))
    return View(
        lang=lang,
        channel=channel,
        kind=request.kind,
        maintenance_stage=request.maintenance_stage.value if request.maintenance_stage else None,
        name=_title(name, components, lang),
        service=join(components, lang) or default_service,
        components=components,
        regions=join(regions, lang) or None,
        share=timefmt.percent(f.affected_share_pct) if f.affected_share_pct is not None else None,
        symptoms=symptoms,
        symptoms_known=bool(f.symptoms),
        cause=_known(f.cause, lang),
        actions=actions,
        workaround=_known(f.workaround, lang),
        fix=_known(f.fix_applied, lang),
        recovery=recovery,
        remaining=remaining,
        follow_ups=follow_ups,
        follow_ups_known=bool(f.follow_ups),
        since=clk(f.detected_at) if f.detected_at is not None and f.detected_at <= now else None,
        started=started,
        ended=ended,
        duration=duration,
        next_update=clk(next_update),
        eta=clk(eta),
        window=window,
        contact=contact,
        apologise=request.tone.apologise,
        data_safety=request.tone.reassure_data_safety,
        shorten=request.tone.shorten_cadence,
        chat=channel in _BOLD,
    )
