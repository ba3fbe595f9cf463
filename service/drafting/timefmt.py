"""Times, dates, durations and percentages as each language's readers (and the guards) expect."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from guards.timeparse import TZ_LABELS
from service.domain.enums import Language

# Abbreviations readers know that the guard's parser maps to one zone; CST is left out on
# purpose (China or US Central) and rendered as a UTC offset instead.
_NAMED = frozenset({"PST", "PDT", "EST", "EDT", "CET", "CEST", "JST", "SGT"})
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SHANGHAI = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "PRC"})


def _offset_label(at: datetime) -> str:
    offset = at.utcoffset() or timedelta(0)
    total = int(offset.total_seconds() // 60)
    if total == 0:
        return "UTC"
    sign = "+" if total > 0 else "-"
    hours, minutes = divmod(abs(total), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def zone_label(at: datetime, zone: str, lang: Language) -> str:
    """The label a reader of `lang` sees beside a clock time in `zone`."""
    local = at.astimezone(ZoneInfo(zone))
    if lang is Language.zh and zone in _SHANGHAI:
        return "北京时间"
    name = local.tzname() or ""
    target = TZ_LABELS.get(name)
    if (
        name in _NAMED
        and target is not None
        and ZoneInfo(target).utcoffset(local.replace(tzinfo=None)) == local.utcoffset()
    ):
        return name
    return _offset_label(local)


def clock(at: datetime, zone: str, lang: Language, now: datetime) -> str:
    """A clock time to the minute with its zone label, and the day when it is not today."""
    local = at.astimezone(ZoneInfo(zone))
    today = now.astimezone(ZoneInfo(zone)).date()
    label = zone_label(at, zone, lang)
    hhmm = local.strftime("%H:%M")
    days = (local.date() - today).days
    if lang is Language.zh:
        day = "" if days == 0 else "明天" if days == 1 else f"{local.month}月{local.day}日"
        if label == "北京时间":
            return f"北京时间{day}{hhmm}"
        return f"{day}{hhmm} {label}"
    text = f"{hhmm} {label}"
    if days == 0:
        return text
    return f"{text} on {_MONTHS[local.month - 1]} {local.day}"


def date(at: datetime, zone: str, lang: Language) -> str:
    """A calendar date in the reader's zone (e.g. 10月15日 / Oct 15)."""
    local = at.astimezone(ZoneInfo(zone))
    if lang is Language.zh:
        return f"{local.year}年{local.month}月{local.day}日"
    return f"{_MONTHS[local.month - 1]} {local.day}, {local.year}"


def duration(minutes: float, lang: Language) -> str:
    """A duration with the same numerals in both languages (the consistency rule compares them)."""
    total = round(minutes)
    if total % 60 == 0:
        hours = total // 60
        return f"{hours}小时" if lang is Language.zh else f"{hours} hour{'s' if hours > 1 else ''}"
    return f"{total}分钟" if lang is Language.zh else f"{total} minute{'s' if total > 1 else ''}"


def percent(value: float) -> str:
    """A percentage as written in both languages: 40%, 12.5%."""
    return f"{value:g}%"


def window(start: datetime, end: datetime, zone: str, lang: Language) -> str:
    """A maintenance window: its date, then start and end times with one zone label.

    The label sits right after a clock time and an end on another day names its date after
    that ("from 22:00 to 02:00 UTC+8 on Dec 1, 2026"): the guards read a label only beside a
    clock time, and would take a stray "+8" for an invented number.
    """
    tz = ZoneInfo(zone)
    s, e = start.astimezone(tz), end.astimezone(tz)
    label = zone_label(start, zone, lang)
    next_day = e.date() != s.date()
    if lang is Language.zh:
        span = f"{s:%H:%M}至{e:%H:%M}"
        if label != "北京时间":
            span += f" {label}"
        if next_day:
            span += f"（{date(e, zone, lang)}）"
        prefix = "北京时间" if label == "北京时间" else ""
        return f"{date(s, zone, lang)}{prefix}{span}"
    span = f"from {s:%H:%M} to {e:%H:%M} {label}"
    if next_day:
        span += f" on {date(e, zone, lang)}"
    return f"{date(s, zone, lang)}, {span}"
