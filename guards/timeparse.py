"""Find and normalise time expressions in NFKC-normalised zh/en text.

The hot path is a compiled regex extractor; Chinese phrases it cannot normalise itself fall back to
jionlp (see guards/README.md for the measurements behind this split).
"""

import contextlib
import dataclasses
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

# Patterns match the lowercased text without re.IGNORECASE (several times faster in CPython).
# None starts with a look-behind, which would defeat the engine's first-character scan; the
# "not glued to a preceding letter or digit" check is done in code instead (`_glued`).
_TZ = (
    r"(?P<tz>utc(?:\s?[+-]\d{1,2}(?::?\d{2})?)?|gmt|北京时间|cst|pst|pdt|pt|est|edt|et|cet|cest"
    r"|jst|sgt)"
)
_CN_NUM = r"[零一二两三四五六七八九十]{1,3}"
_PREFIX = re.compile(
    r"(?:(?P<tzpre>北京时间|utc)\s*)?(?P<day>今天|今日|明天|明日|次日)?\s*"
    r"(?P<dayq>今晚|明早|凌晨|上午|中午|下午|晚上|傍晚|早上|早晨)?\s*$"
)
_EN_NUM = (
    r"(?:\d+(?:\.\d+)?|an?|one|two|three|four|five|six|ten|fifteen|twenty|thirty|forty-five"
    r"|half an?|a couple of|several|a few)"
)
_AMPM_TZ = r"(?:\s*(?P<ampm>[ap]\.?m\.?)(?![a-z]))?(?:\s*" + _TZ + r"(?![a-z]))?"

# Patterns tried with .match() at the start of each run of digits or Chinese numerals.
_ANCHORED: list[tuple[str, str]] = [
    # 2023年10月15日 / 10月15日 / 2023-10-15
    (
        "date",
        r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{1,2}\s*月\s*\d{1,2}\s*[日号]|"
        r"\d{4}-\d{1,2}-\d{1,2}",
    ),
    # 14:30 / 2:00 pm / 14:30 utc (a 北京时间/下午/明天 prefix is read by _PREFIX)
    ("clock", r"(?P<h>\d{1,2}):(?P<m>[0-5]\d)(?::[0-5]\d)?(?![\d:])" + _AMPM_TZ),
    # 2 pm / 11am
    ("clock", r"(?P<h>\d{1,2})\s*(?P<ampm>[ap]\.?m\.?)(?![a-z])(?:\s*" + _TZ + r"(?![a-z]))?"),
    # 1小时30分钟 (a duration), before the relative forms so it wins
    (
        "duration",
        r"(?P<h>\d+|" + _CN_NUM + r")\s*(?:个)?\s*(?:小时|钟头)\s*(?:零)?\s*"
        r"(?P<m>\d+|" + _CN_NUM + r")\s*分(?:钟)?",
    ),
    # 30分钟内 / 1小时后 / 半小时内
    (
        "relative",
        r"(?P<n>\d+(?:\.\d+)?|" + _CN_NUM + r"|半)\s*(?:个)?\s*(?P<unit>分钟|小时|钟头)"
        r"\s*(?P<suf>内|之内|以内|后|之后|左右)",
    ),
    # 两个半小时内 / 一刻钟内: shapes our own arithmetic does not read; jionlp normalises them
    (
        "relative",
        r"(?P<n>[\d零一二两三四五六七八九十]+\s*个?\s*半|[\d零一二两三四五六七八九十]+\s*刻)\s*"
        r"(?:小时|钟头|钟)?\s*(?P<suf>内|之内|以内|后|之后)",
    ),
    # 下午3点半 / 15点 / 三点
    (
        "clock",
        r"(?P<h>\d{1,2}|" + _CN_NUM + r")\s*[点时](?!钟)"
        r"(?:\s*(?P<m>\d{1,2}|" + _CN_NUM + r")\s*分|(?P<half>半)|整)?",
    ),
    # 90 minutes / 2 hours / 40分钟 (plain durations, e.g. an impact duration)
    (
        "duration",
        r"(?P<n>\d+(?:\.\d+)?|" + _CN_NUM + r"|半)\s*(?:个)?\s*"
        r"(?P<unit>分钟|小时|minutes?|mins?|hours?|hrs?)(?![a-z])",
    ),
]
# Patterns scanned over the whole text: they start with words, not numbers.
_SCANNED: list[tuple[str, str]] = [
    (
        "date",
        r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}"
        r"(?:st|nd|rd|th)?(?:,?\s+\d{4})?(?![\d:])"
        # A zone label after the date belongs to the clock before it ("00:39 on Dec 1 UTC+8");
        # PT and ET are left out here, where "Dec 1 pt. 2" or "Oct 16 et al." would match.
        r"(?:\s+(?P<tz>utc(?:\s?[+-]\d{1,2}(?::?\d{2})?)?|gmt|cst|pst|pdt|est|edt|cet|cest|jst"
        r"|sgt)(?![a-z0-9]))?",
    ),
    # in 30 minutes / within the next hour / within 2 hours
    (
        "relative",
        r"(?:in|within)\s+(?:the\s+next\s+|the\s+|about\s+|approximately\s+|around\s+|"
        r"roughly\s+|another\s+|an?\s+additional\s+)?(?:(?P<n>" + _EN_NUM + r")\s*)?"
        r"(?P<unit>minutes?|mins?|hours?|hrs?)(?![a-z])",
    ),
    ("duration", r"(?P<n>half an?|an?)\s+(?P<unit>minutes?|mins?|hours?|hrs?)(?![a-z])"),
    # 今晚 / 明天 / later today / tomorrow: parseable but not to the minute
    (
        "fuzzy",
        r"今晚|今天晚些时候|明天|明日|本周内|下周|later today|tomorrow|this evening|tonight|"
        r"later this (?:week|evening|afternoon|morning)|next week|end of (?:the )?day",
    ),
]
_ANCHOR = re.compile(r"[0-9零一二两三四五六七八九十半]+")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def _glued(text: str, start: int) -> bool:
    """Whether a match starting with a letter or digit continues a preceding word or number."""
    if start == 0:
        return False
    first, prev = text[start], text[start - 1]
    if first not in _ALNUM:
        return False
    if prev in _ALNUM:
        return True
    # "1.5" and "14:30:05" continue a number; "时间:2023" does not.
    return first.isdigit() and prev in ".:" and start >= 2 and text[start - 2].isdigit()


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


@dataclass(frozen=True, slots=True)
class _Alt:
    kind: TimeKind
    names: tuple[tuple[str, str], ...]  # (group name in the combined regex, base name)


def _combine(patterns: list[tuple[str, str]], tag: str) -> tuple[re.Pattern[str], dict[str, _Alt]]:
    parts: list[str] = []
    alts: dict[str, _Alt] = {}
    for i, (kind, pattern) in enumerate(patterns):
        suffix = f"{tag}{i}"
        renamed = re.sub(r"\(\?P<(\w+)>", rf"(?P<\1_{suffix}>", pattern)
        names = tuple((f"{n}_{tag}{i}", n) for n in re.findall(r"\(\?P<(\w+)>", pattern))
        parts.append(f"(?P<{tag}{i}>{renamed})")
        alts[f"{tag}{i}"] = _Alt(kind, names)  # type: ignore[arg-type]
    return re.compile("|".join(parts)), alts


@cache
def _compiled() -> tuple[re.Pattern[str], list[re.Pattern[str]], dict[str, _Alt]]:
    """The anchored alternation, the scanned patterns, and what each branch is.

    Scanned patterns stay separate: one alternation of them defeats the engine's
    first-character scan and is several times slower than the separate scans.
    """
    anchored, alts = _combine(_ANCHORED, "a")
    scanned: list[re.Pattern[str]] = []
    for i, item in enumerate(_SCANNED):
        pattern, more = _combine([item], f"s{i}_")
        scanned.append(pattern)
        alts |= more
    return anchored, scanned, alts


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
    # Patterns match lowercased text, so the label may come in either case.
    m = re.fullmatch(r"utc\s?([+-])(\d{1,2})(?::?(\d{2}))?", label.lower())
    if m:
        # Etc/GMT zones have inverted signs; only whole hours exist there.
        sign = "-" if m.group(1) == "+" else "+"
        return f"Etc/GMT{sign}{int(m.group(2))}" if not m.group(3) or m.group(3) == "00" else None
    return TZ_LABELS.get(label.upper() if label.isascii() else label)


def _clock(g: dict[str, str | None], start: int, end: int, hay: str, norm: str) -> TimeExpr | None:
    h = g.get("h") or ""
    hour = cn_number(h)
    if hour is None:
        return None
    pre = _PREFIX.search(hay, max(0, start - 10), start)
    p = pre.groupdict() if pre is not None else {}
    if pre is not None and any(p.values()):
        start = pre.start()
        while norm[start].isspace():
            start += 1
    minute = 0
    mtext = g.get("m")
    if mtext:
        mm = cn_number(mtext)
        if mm is None or mm > 59:
            return None
        minute = mm
    elif g.get("half"):
        minute = 30
    elif not h.isdigit() and not p.get("dayq") and ":" not in hay[start:end]:
        return None  # 一点 alone is "a little", not one o'clock
    ampm = (g.get("ampm") or "").replace(".", "")
    dayq = p.get("dayq") or ""
    if (ampm == "pm" and hour < 12) or (dayq in ("下午", "晚上", "傍晚", "今晚") and hour < 12):
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or (ampm and hour == 0 and h != "12"):
        return None
    label = g.get("tz") or p.get("tzpre")
    day = p.get("day") or dayq
    return TimeExpr(
        start,
        end,
        "clock",
        norm[start:end],
        hour * 60 + minute,
        _tz_of(label),
        1 if day in ("明天", "明日", "次日", "明早") else 0,
        bool(label),
    )


def _length(
    g: dict[str, str | None], start: int, end: int, kind: TimeKind, norm: str
) -> TimeExpr | None:
    text = norm[start:end]
    hh, mm_ = g.get("h"), g.get("m")
    if hh is not None and mm_ is not None:
        h, mm = cn_number(hh), cn_number(mm_)
        if h is None or mm is None:
            return None
        return TimeExpr(start, end, kind, text, h * 60 + mm)
    token = g.get("n")
    unit = g.get("unit") or ""
    value = 0.5 if token == "半" else _en_number(token)
    if value is None:
        return None
    return TimeExpr(start, end, kind, text, round(value * _unit_minutes(unit)))


def extract(norm: str, lower: str | None = None) -> list[TimeExpr]:
    """All time expressions in normalised text, leftmost-longest, non-overlapping.

    `lower` is the lowercased text (same offsets); it is computed when not given.
    """
    hay = norm.lower() if lower is None else lower
    if len(hay) != len(norm):
        hay = "".join(c.lower() if len(c.lower()) == 1 else c for c in norm)
    anchored, scanned, alts = _compiled()
    matches: list[re.Match[str]] = [m for p in scanned for m in p.finditer(hay)]
    for run in _ANCHOR.finditer(hay):
        m = anchored.match(hay, run.start())
        if m is not None:
            matches.append(m)
    matches.sort(key=lambda m: (m.start(), -m.end()))
    found: list[TimeExpr] = []
    for m in matches:
        expr = _to_expr(m, alts, hay, norm)
        if expr is None:
            continue
        if found and expr.start < found[-1].end:
            # A clock whose prefix (明天下午) was first seen as a fuzzy day replaces it.
            if not (found[-1].kind == "fuzzy" and expr.kind == "clock"):
                continue
            found.pop()
        found.append(expr)
    return _date_labels_to_clocks(found, hay)


def _date_labels_to_clocks(found: list[TimeExpr], hay: str) -> list[TimeExpr]:
    """An unlabelled clock followed by "on <date> <label>" takes the date's zone label."""
    for i in range(len(found) - 1):
        clock, date = found[i], found[i + 1]
        if (
            clock.kind == "clock"
            and not clock.has_label
            and date.kind == "date"
            and date.has_label
            and hay[clock.end : date.start].strip() == "on"
        ):
            found[i] = dataclasses.replace(clock, tz=date.tz, has_label=True)
    return found


def _to_expr(m: re.Match[str], alts: dict[str, _Alt], hay: str, norm: str) -> TimeExpr | None:
    start, end = m.start(), m.end()
    if _glued(hay, start):
        return None
    alt = alts[m.lastgroup or ""]
    g = {base: m.group(full) for full, base in alt.names}
    expr: TimeExpr | None
    if alt.kind == "clock":
        expr = _clock(g, start, end, hay, norm)
    elif alt.kind in ("relative", "duration"):
        expr = _length(g, start, end, alt.kind, norm)
    else:
        label = g.get("tz")  # only a date carries one
        expr = TimeExpr(
            start, end, alt.kind, norm[start:end], tz=_tz_of(label), has_label=bool(label)
        )
    if expr is None and alt.kind != "clock" and not hay[start].isascii():
        expr = _jionlp_fallback(norm[start:end], start, end, alt.kind)
    return expr


def _jionlp_fallback(text: str, start: int, end: int, kind: TimeKind) -> TimeExpr | None:
    """Ask jionlp about a Chinese phrase the regexes found but could not normalise."""
    parser = _jionlp()
    if parser is None:
        return None
    try:
        parsed: dict[str, Any] = parser(text, time_base=0)
    except Exception:  # jionlp raises bare ValueError/KeyError on phrases it rejects
        return None
    detail = parsed.get("time")
    kind_ = parsed.get("type")
    if kind_ == "time_delta" and isinstance(detail, dict):
        minutes = float(detail.get("hour", 0)) * 60 + float(detail.get("minute", 0))
        return TimeExpr(start, end, kind, text, round(minutes))
    if kind_ in ("time_span", "time_point") and isinstance(detail, list) and len(detail) == 2:
        # With time_base=0 a span runs from 1970-01-01 00:00 (local) to the phrase's end, and a
        # point ("三刻钟后") starts at the phrase's moment.
        base = datetime(1970, 1, 1)
        first, last = (datetime.fromisoformat(t) for t in detail)
        moment = last if kind_ == "time_span" else first
        minutes = (moment.replace(second=0) - base).total_seconds() / 60
        return TimeExpr(start, end, kind, text, round(minutes))
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


_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_DATE_PARTS = re.compile(
    r"(?:(?P<y>\d{4})\s*年\s*)?(?P<mo>\d{1,2})\s*月\s*(?P<d>\d{1,2})"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
    r"|(?P<mn>[a-z]{3})[a-z]*\.?\s+(?P<md>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<my>\d{4}))?"
)


def parse_date(text: str) -> tuple[int | None, int, int] | None:
    """(year, month, day) of a date phrase found by `extract`; year None when not written."""
    m = _DATE_PARTS.search(text.lower())
    if m is None:
        return None
    g = m.groupdict()
    if g["mo"]:
        return (int(g["y"]) if g["y"] else None), int(g["mo"]), int(g["d"])
    if g["iy"]:
        return int(g["iy"]), int(g["im"]), int(g["id"])
    month = _MONTHS.get(g["mn"] or "")
    if month is None:
        return None
    return (int(g["my"]) if g["my"] else None), month, int(g["md"])


def resolve_with_date(
    expr: TimeExpr, date: tuple[int | None, int, int], now: datetime, zone: ZoneInfo
) -> datetime | None:
    """The datetime of a clock phrase that names its date ("17:40 UTC on Apr 17").

    A date written without its year is read in the year that puts it nearest the draft time:
    "00:40 on Jan 1" written on Dec 31 is the coming Jan 1, not last January.
    """
    tz = ZoneInfo(expr.tz) if expr.tz else zone
    minutes = expr.minutes or 0
    local = now.astimezone(tz)
    year, month, day = date
    years = [year] if year is not None else [local.year - 1, local.year, local.year + 1]
    candidates = []
    for y in years:
        try:
            candidates.append(
                local.replace(
                    year=y,
                    month=month,
                    day=day,
                    hour=minutes // 60,
                    minute=minutes % 60,
                    second=0,
                    microsecond=0,
                )
            )
        except ValueError:  # no such day (Feb 30, or Feb 29 outside a leap year)
            continue
    return min(candidates, key=lambda at: abs(at - local), default=None)


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
