"""Find and normalise time expressions in NFKC-normalised zh/en text.

The hot path is a compiled regex extractor; Chinese phrases it cannot normalise itself fall back to
jionlp (see guards/README.md for the measurements behind this split).
"""

import contextlib
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

TimeKind = Literal["clock", "relative", "duration", "date", "fuzzy"]

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_CN_DIGITS |= {"八": 8, "九": 9}
_EN_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_EN_NUMBERS |= {"ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30, "forty-five": 45}
_EN_NUMBERS |= {"several": -1, "a few": -1, "few": -1, "couple of": 2, "a couple of": 2}

# Labels an audience reads; a label names the zone the clock time is in.
TZ_LABELS: dict[str, str] = {
    "UTC": "UTC",
    "GMT": "UTC",
    "北京时间": "Asia/Shanghai",
    "CST": "Asia/Shanghai",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "PT": "America/Los_Angeles",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "ET": "America/New_York",
    "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin",
    "JST": "Asia/Tokyo",
    "SGT": "Asia/Singapore",
}

_TZ = (
    r"(?P<tz>UTC(?:\s?[+-]\d{1,2}(?::?\d{2})?)?|GMT|北京时间|CST|PST|PDT|PT|EST|EDT|ET|CET|CEST"
    r"|JST|SGT)"
)
_CN_NUM = r"[零一二两三四五六七八九十]{1,3}"
_DAYQ = (
    r"(?P<day>今天|今日|明天|明日|次日)?\s*"
    r"(?P<dayq>今晚|明早|凌晨|上午|中午|下午|晚上|傍晚|早上|早晨)?"
)
_EN_NUM = (
    r"(?:\d+(?:\.\d+)?|an?|one|two|three|four|five|six|ten|fifteen|twenty|thirty|forty-five"
    r"|half an?|a couple of|several|a few)"
)

_PATTERNS: list[tuple[str, str]] = [
    # 2023年10月15日 / 2023-10-15 / 10月15日 / Oct 15, 2023
    (
        "date",
        r"(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{4}-\d{1,2}-\d{1,2}|"
        r"(?<![A-Za-z])(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}"
        r"(?:st|nd|rd|th)?(?:,?\s+\d{4})?(?![\d:])",
    ),
    # 14:30 / 2:00 PM / 14:30 UTC / 北京时间14:30
    (
        "clock",
        r"(?:(?P<tzpre>北京时间|UTC)\s*)?"
        + _DAYQ
        + r"(?<![\d.:])(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)"
        r"(?::[0-5]\d)?(?![\d:])(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?(?:\s*"
        + _TZ
        + r"(?![A-Za-z]))?",
    ),
    # 2 PM / 11am
    (
        "clock",
        r"(?<![\d:.])(?P<h>1[0-2]|0?[1-9])\s*(?P<ampm>[AaPp]\.?[Mm]\.?)(?![A-Za-z])(?:\s*"
        + _TZ
        + r"(?![A-Za-z]))?",
    ),
    # 下午3点半 / 15点 / 三点
    (
        "clock",
        _DAYQ
        + r"(?P<h>\d{1,2}|"
        + _CN_NUM
        + r")\s*[点時时](?!钟)(?:\s*(?P<m>\d{1,2}|"
        + _CN_NUM
        + r")\s*分?|(?P<half>半)|整)?",
    ),
    # 1小时30分钟 (a duration), before the relative forms so it wins the overlap
    (
        "duration",
        r"(?P<h>\d+|"
        + _CN_NUM
        + r")\s*(?:个)?\s*(?:小时|钟头)\s*(?:零)?\s*(?P<m>\d+|"
        + _CN_NUM
        + r")\s*分(?:钟)?",
    ),
    # 30分钟内 / 1小时后 / 半小时内
    (
        "relative",
        r"(?:(?P<n>\d+(?:\.\d+)?|"
        + _CN_NUM
        + r"|半)\s*(?:个)?\s*(?P<unit>分钟|小时|钟头)|(?P<n2>半)\s*(?P<unit2>小时))"
        r"\s*(?P<suf>内|之内|以内|后|之后|左右)",
    ),
    # in 30 minutes / within the next hour / within 2 hours
    (
        "relative",
        r"(?<![A-Za-z])(?:in|within)\s+(?:the\s+next\s+|the\s+|about\s+|approximately\s+|around\s+|roughly\s+|"
        r"another\s+|an?\s+additional\s+)?(?:(?P<n>"
        + _EN_NUM
        + r")\s*)?(?P<unit>minutes?|mins?|hours?|hrs?)"
        r"(?![A-Za-z])",
    ),
    # 90 minutes / 2 hours / 40分钟 (plain durations, e.g. an impact duration)
    (
        "duration",
        r"(?<![A-Za-z\d])(?P<n>\d+(?:\.\d+)?|"
        + _CN_NUM
        + r"|half an?|an?)\s*(?:个)?\s*(?P<unit>分钟|小时|minutes?|mins?|hours?|hrs?)(?![A-Za-z])",
    ),
    # 今晚 / 明天 / later today / tomorrow: parseable but not to the minute
    (
        "fuzzy",
        r"今晚|今天晚些时候|明天|明日|本周内|下周|"
        r"(?<![A-Za-z])(?:later today|tomorrow|this evening|tonight|"
        r"later this (?:week|evening|afternoon|morning)|next week|end of (?:the )?day)(?![A-Za-z])",
    ),
]


@dataclass(frozen=True, slots=True)
class TimeExpr:
    """A time phrase in normalised text."""

    start: int
    end: int
    kind: TimeKind
    text: str
    minutes: int | None = None  # clock: minute of the day; relative/duration: length
    tz: str | None = None  # IANA zone named by an explicit label
    day_offset: int = 0  # 明天 / tomorrow
    has_label: bool = False


@cache
def _compiled() -> list[tuple[str, re.Pattern[str]]]:
    return [(kind, re.compile(p, re.IGNORECASE)) for kind, p in _PATTERNS]


def cn_number(token: str) -> int | None:
    """Parse 0-99 written with digits or Chinese numerals."""
    if token.isdigit():
        return int(token)
    if token in ("半",):
        return None
    if "十" in token:
        head, _, tail = token.partition("十")
        tens = _CN_DIGITS.get(head, 1) if head else 1
        ones = _CN_DIGITS.get(tail, 0) if tail else 0
        return tens * 10 + ones
    if len(token) == 1 and token in _CN_DIGITS:
        return _CN_DIGITS[token]
    return None


def _en_number(token: str | None) -> float | None:
    if token is None:
        return 1.0
    t = token.lower().strip()
    if t.startswith("half"):
        return 0.5
    if t in _EN_NUMBERS:
        v = _EN_NUMBERS[t]
        return None if v < 0 else float(v)
    try:
        return float(t)
    except ValueError:
        n = cn_number(t)
        return float(n) if n is not None else None


def _unit_minutes(unit: str) -> int:
    u = unit.lower()
    return 60 if u.startswith(("h", "小", "钟")) else 1


def _tz_of(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip()
    m = re.fullmatch(r"UTC\s?([+-])(\d{1,2})(?::?(\d{2}))?", label)
    if m:
        # Etc/GMT zones have inverted signs; only whole hours exist there.
        sign = "-" if m.group(1) == "+" else "+"
        return f"Etc/GMT{sign}{int(m.group(2))}" if not m.group(3) or m.group(3) == "00" else None
    return TZ_LABELS.get(label.upper() if label.isascii() else label)


def _clock(m: re.Match[str]) -> TimeExpr | None:
    g = m.groupdict()
    hour = cn_number(g["h"])
    if hour is None:
        return None
    minute = 0
    if g.get("m"):
        mm = cn_number(g["m"])
        if mm is None or mm > 59:
            return None
        minute = mm
    elif g.get("half"):
        minute = 30
    ampm = (g.get("ampm") or "").lower().replace(".", "")
    dayq = g.get("dayq") or ""
    if (ampm == "pm" and hour < 12) or (dayq in ("下午", "晚上", "傍晚", "今晚") and hour < 12):
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23:
        return None
    label = g.get("tz") or g.get("tzpre")
    return TimeExpr(
        m.start(),
        m.end(),
        "clock",
        m.group(),
        hour * 60 + minute,
        _tz_of(label),
        1 if (g.get("day") or dayq) in ("明天", "明日", "次日", "明早") else 0,
        bool(label),
    )


def _length(m: re.Match[str], kind: TimeKind) -> TimeExpr | None:
    g = m.groupdict()
    if g.get("m") is not None and g.get("h") is not None:
        h, mm = cn_number(g["h"]), cn_number(g["m"])
        if h is None or mm is None:
            return None
        return TimeExpr(m.start(), m.end(), kind, m.group(), h * 60 + mm)
    token = g.get("n") or g.get("n2")
    unit = g.get("unit") or g.get("unit2") or ""
    value = 0.5 if token == "半" else _en_number(token)
    if value is None:
        return None
    return TimeExpr(m.start(), m.end(), kind, m.group(), round(value * _unit_minutes(unit)))


def extract(norm: str) -> list[TimeExpr]:
    """All time expressions in normalised text, leftmost-longest, non-overlapping."""
    found: list[TimeExpr] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _compiled():
        for m in pattern.finditer(norm):
            if m.end() == m.start() or any(m.start() < e and s < m.end() for s, e in taken):
                continue
            expr: TimeExpr | None
            if kind == "clock":
                expr = _clock(m)
            elif kind in ("relative", "duration"):
                expr = _length(m, kind)  # type: ignore[arg-type]
            else:
                expr = TimeExpr(m.start(), m.end(), kind, m.group())  # type: ignore[arg-type]
            if expr is None and kind != "clock" and not norm[m.start()].isascii():
                expr = _jionlp_fallback(m, kind)  # type: ignore[arg-type]
            if expr is not None:
                found.append(expr)
                taken.append((m.start(), m.end()))
    found.sort(key=lambda e: e.start)
    return found


def _jionlp_fallback(m: re.Match[str], kind: TimeKind) -> TimeExpr | None:
    """Ask jionlp about a Chinese phrase the regexes found but could not normalise."""
    parser = _jionlp()
    if parser is None:
        return None
    try:
        parsed: dict[str, Any] = parser(m.group(), time_base=0)
    except Exception:  # jionlp raises bare ValueError/KeyError on phrases it rejects
        return None
    detail = parsed.get("time")
    if parsed.get("type") == "time_delta" and isinstance(detail, dict):
        minutes = float(detail.get("hour", 0)) * 60 + float(detail.get("minute", 0))
        return TimeExpr(m.start(), m.end(), kind, m.group(), round(minutes))
    return None


@cache
def _jionlp() -> Any:
    # jionlp prints a banner on import; keep it off our stdout (the CLI prints JSON there).
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import jionlp

        return jionlp.parse_time
    except ImportError:  # pragma: no cover - jionlp is a declared dependency
        return None


def resolve_clock(expr: TimeExpr, now: datetime, zone: ZoneInfo) -> datetime:
    """The datetime a clock phrase names, on the draft's day in its zone.

    A time before `now` late in the evening that lands within 12 h when moved to the next day
    (e.g. "00:30" written at 23:50) is read as tomorrow; otherwise it stays on the same day, so a
    time in the past is reported as such.
    """
    tz = ZoneInfo(expr.tz) if expr.tz else zone
    local = now.astimezone(tz)
    minutes = expr.minutes or 0
    dt = local.replace(hour=minutes // 60, minute=minutes % 60, second=0, microsecond=0)
    dt += timedelta(days=expr.day_offset)
    if expr.day_offset == 0 and dt < local - timedelta(minutes=1):
        nxt = dt + timedelta(days=1)
        if nxt - local <= timedelta(hours=12) and local.hour >= 18:
            dt = nxt
    return dt


def fmt_clock(dt: datetime, lang: str, label: str | None) -> str:
    """Render a datetime as the clock phrase a reader expects."""
    hhmm = dt.strftime("%H:%M")
    return f"{hhmm} {label}" if label else hhmm
