"""Style metrics: BLUF, paragraph and sentence length, channel length, SMS segments, acronyms."""

import math
import re
from bisect import bisect_left
from functools import cache
from typing import Any

from guards.compiled import Compiled
from guards.doc import Doc, Hit
from guards.schema import MetricRule

# GSM 03.38 basic set; the extension set costs two septets each.
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXT = set("^{}\\[~]|€\f")
_WORDS = re.compile(r"[A-Za-z0-9][\w'’-]*")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ACRONYM = re.compile(r"[A-Z](?<![A-Za-z0-9][A-Z])[A-Z0-9]{1,5}s?(?![A-Za-z0-9])")
_TWO_CAPS = re.compile(r"[A-Z][A-Z0-9]")


def sms_segments(text: str) -> tuple[str, int]:
    """Encoding and segment count of an SMS body (GSM-7: 160/153, UCS-2: 70/67 per segment)."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXT for ch in text):
        units = sum(2 if ch in _GSM_EXT else 1 for ch in text)
        return "GSM-7", 1 if units <= 160 else math.ceil(units / 153)
    units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
    return "UCS-2", 1 if units <= 70 else math.ceil(units / 67)


@cache
def _pattern(parts: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(parts), re.I) if parts else None


def metric(c: Compiled, doc: Doc) -> list[Hit]:
    """Dispatch on the rule's `check`."""
    rule = c.rule
    assert isinstance(rule, MetricRule)
    return _CHECKS[rule.check](rule.params, doc)


def _bluf(params: dict[str, Any], doc: Doc) -> list[Hit]:
    skip = _pattern(tuple(params.get("skip", [])))
    sents = [
        s
        for s in doc.body.sentences()
        if skip is None or not skip.match(doc.body.norm, s.start, s.end)
    ]
    if not sents:
        return []
    first = sents[0]
    pattern = _pattern(tuple(params.get("patterns", {}).get(doc.ctx.lang, [])))
    if pattern is None or pattern.search(doc.body.norm, first.start, first.end):
        return []
    return [Hit("body", first.start, first.end)]


def _sentence_count(starts: list[int], start: int, end: int) -> int:
    return bisect_left(starts, end) - bisect_left(starts, start)


def _paragraph_sentences(params: dict[str, Any], doc: Doc) -> list[Hit]:
    limit = int(params.get("max", 3))
    hits: list[Hit] = []
    starts = [s.start for s in doc.body.sentences()]
    for p in doc.body.paragraphs():
        n = _sentence_count(starts, p.start, p.end)
        if n > limit:
            hits.append(Hit("body", p.start, p.end, {"count": str(n), "limit": str(limit)}))
    return hits


def _sentence_length(params: dict[str, Any], doc: Doc) -> list[Hit]:
    hits: list[Hit] = []
    zh_max = int(params.get("max_chars_zh", 60))
    en_max = int(params.get("max_words_en", 40))
    for s in doc.body.sentences():
        chunk = doc.body.norm[s.start : s.end]
        if doc.ctx.lang == "zh":
            n = len(chunk)  # characters, punctuation included: cheap and close enough
            limit = zh_max
        else:
            n = len(_WORDS.findall(chunk))
            limit = en_max
        if n > limit:
            hits.append(Hit("body", s.start, s.end, {"count": str(n), "limit": str(limit)}))
    return hits


def _full_text(doc: Doc) -> str:
    title = doc.draft.title
    return f"{title}\n{doc.draft.body}" if title else doc.draft.body


def _channel_length(params: dict[str, Any], doc: Doc) -> list[Hit]:
    limits: dict[str, int] = params.get("max_chars", {})
    limit = limits.get(doc.ctx.channel)
    n = len(_full_text(doc))
    if limit is None or n <= limit:
        return []
    return [Hit("body", 0, len(doc.body.norm), {"count": str(n), "limit": str(limit)})]


def _sms_segments(params: dict[str, Any], doc: Doc) -> list[Hit]:
    encoding, segments = sms_segments(_full_text(doc))
    limit = int(params.get("max_segments", 2))
    if segments <= limit:
        return []
    values = {"count": str(segments), "limit": str(limit), "encoding": encoding}
    return [Hit("body", 0, len(doc.body.norm), values)]


def _acronym_density(params: dict[str, Any], doc: Doc) -> list[Hit]:
    minimum = int(params.get("min_count", 3))
    text = doc.body.norm
    if len(_TWO_CAPS.findall(text)) < minimum:
        return []
    allow = {a.upper() for a in params.get("allow", [])}
    found = [m for m in _ACRONYM.finditer(text) if m.group().rstrip("s") not in allow]
    if doc.ctx.lang == "zh":
        units = len(_CJK.findall(text)) / 2 + len(_WORDS.findall(text))
    else:
        units = len(_WORDS.findall(text))
    limit = float(params.get("max_per_100_words", 5))
    if len(found) < minimum or units <= 0 or len(found) * 100 / units <= limit:
        return []
    first = found[0]
    values = {"count": str(len(found)), "terms": ", ".join(sorted({m.group() for m in found}))}
    return [Hit("body", first.start(), first.end(), values)]


_CHECKS = {
    "bluf": _bluf,
    "paragraph_sentences": _paragraph_sentences,
    "sentence_length": _sentence_length,
    "channel_length": _channel_length,
    "sms_segments": _sms_segments,
    "acronym_density": _acronym_density,
}
