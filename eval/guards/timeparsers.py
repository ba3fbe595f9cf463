"""Compare time parsers on the PLAYBOOK's and the seed's time phrases: accuracy and speed.

python -m eval.guards.timeparsers   (jionlp and dateparser are optional: missing ones are skipped)
"""

import contextlib
import io
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from guards.text import Text
from guards.timeparse import extract, resolve_clock

BASE = datetime(2023, 10, 15, 14, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
# phrase -> what a reader takes from it: the clock time it ends at ("HH:MM") or a length ("+M").
PHRASES: dict[str, str] = {
    "我们将在30分钟内提供最新进展": "15:00",
    "我们将在30分钟内（15:30）提供下一次更新": "15:30",
    "我们预计在1小时内（16:00前）完成修复": "16:00",
    "我们将在15:00前提供更新": "15:00",
    "我们预计在两小时内（18:00前）完全恢复服务": "18:00",
    "服务异常持续了约1小时30分钟": "+90",
    "（14:30-16:00）": "16:00",
    "凌晨2:00-4:00进行系统升级维护": "04:00",
    "下午3点半前提供更新": "15:30",
    "We will provide an update by 14:30 UTC": "22:30",
    "We will provide an update in 30 minutes": "15:00",
    "We expect recovery within the next hour": "15:30",
    "Next update in about 2 hours": "16:30",
    "between 16:00 and 22:27 UTC": "06:27",
    "2:00 PM PT": "05:00",
}


def _target(expected: str, found: list[str]) -> bool:
    return expected in found


def ours(phrase: str) -> list[str]:
    """Herald's extractor, resolved against BASE."""
    t = Text(phrase)
    out: list[str] = []
    for e in extract(t.norm, t.lower):
        if e.kind == "clock":
            at = resolve_clock(e, BASE, ZoneInfo("Asia/Shanghai"))
            out.append(at.astimezone(BASE.tzinfo).strftime("%H:%M"))
        elif e.kind == "relative" and e.minutes is not None:
            out.append((BASE + timedelta(minutes=e.minutes)).strftime("%H:%M"))
        elif e.kind == "duration" and e.minutes is not None:
            out.append(f"+{e.minutes}")
    return out


def jionlp_parser() -> Callable[[str], list[str]] | None:
    """jionlp.ner.extract_time, resolved against BASE (naive local time)."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import jionlp
    except ImportError:
        return None
    base = BASE.replace(tzinfo=None).timestamp()

    def run(phrase: str) -> list[str]:
        out: list[str] = []
        for item in jionlp.ner.extract_time(phrase, time_base=base):
            detail = item["detail"]
            if detail["type"] == "time_delta":
                t = detail["time"]
                out.append(f"+{round(float(t.get('hour', 0)) * 60 + float(t.get('minute', 0)))}")
            elif isinstance(detail["time"], list):
                end = datetime.fromisoformat(detail["time"][-1])
                out.append(end.strftime("%H:%M"))
        return out

    return run


def dateparser_parser() -> Callable[[str], list[str]] | None:
    """dateparser.search.search_dates, resolved against BASE."""
    try:
        from dateparser.search import search_dates  # type: ignore[import-untyped]
    except ImportError:
        return None
    settings = {
        "RELATIVE_BASE": BASE.replace(tzinfo=None),
        "TIMEZONE": "Asia/Shanghai",
        "TO_TIMEZONE": "Asia/Shanghai",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "future",
    }

    def run(phrase: str) -> list[str]:
        found = search_dates(phrase, languages=["zh", "en"], settings=settings) or []
        return [dt.strftime("%H:%M") for _, dt in found]

    return run


def main() -> int:
    """Print accuracy and mean time per phrase for each parser."""
    parsers: dict[str, Callable[[str], list[str]] | None] = {
        "herald extractor (regex + jionlp fallback)": ours,
        "jionlp.ner.extract_time": jionlp_parser(),
        "dateparser.search_dates": dateparser_parser(),
    }
    for name, parser in parsers.items():
        if parser is None:
            print(f"{name}: not installed")
            continue
        parser(next(iter(PHRASES)))  # warm up (dictionaries, caches)
        hits, misses = 0, []
        start = time.perf_counter()
        for phrase, expected in PHRASES.items():
            if _target(expected, parser(phrase)):
                hits += 1
            else:
                misses.append(phrase)
        per = (time.perf_counter() - start) / len(PHRASES) * 1e6
        print(f"{name}: {hits}/{len(PHRASES)} correct, {per:.0f} µs per phrase")
        for m in misses:
            print(f"    missed: {m!r} -> {parser(m)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
