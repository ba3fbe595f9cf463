"""Normalised text with an offset map back to the original, and its segmentation."""

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache

from guards.models import Span

# Sentence ends: CJK terminators anywhere; Latin ones only before whitespace or the end, so that
# "1.5" and "v2.3" are not split. Line breaks end sentences too.
_TERMINATOR = re.compile(r"[。！？]+[”」』)]?|[.!?]+(?=\s|$)|\n")
_CLAUSE_BREAK = re.compile(r"[，,；;]")
_LINES = re.compile(r"[^\n]*\S[^\n]*")
_NEWLINE = re.compile("\n")


@dataclass(frozen=True, slots=True)
class _Tables:
    one_to_one: dict[str, str]
    unstable: re.Pattern[str]
    multi: re.Pattern[str]


@cache
def _tables() -> _Tables:
    """NFKC per BMP code point: a translate table for 1:1 mappings and a class of the rest."""
    one: dict[str, str] = {}
    multi: list[str] = []
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        n = unicodedata.normalize("NFKC", ch)
        if n == ch:
            continue
        if len(n) == 1:
            one[ch] = n
        else:
            multi.append(re.escape(ch))
    unstable = re.compile("[" + "".join(re.escape(c) for c in one) + "]")
    return _Tables(one, unstable, re.compile("[" + "".join(multi) + "]|[\U00010000-\U0010ffff]"))


def _lower(norm: str) -> str:
    low = norm.lower()
    if len(low) == len(norm):
        return low
    # A few code points lower to two; keep those as they are so offsets stay aligned.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in norm)


@dataclass(frozen=True, slots=True)
class Segment:
    """A [start, end) range of the normalised text."""

    start: int
    end: int


@dataclass(slots=True)
class Text:
    """One field of a draft: original, NFKC-normalised (and lowercased), and the offset map."""

    original: str
    norm: str = ""
    lower: str = ""
    to_orig: list[int] | None = None  # None: offsets are the same in both
    line_starts: list[int] = field(default_factory=list)
    _sentences: list[Segment] | None = None
    _paragraphs: list[Segment] | None = None

    def __post_init__(self) -> None:
        src = self.original
        tables = _tables()
        if src.isascii():
            self.norm = src
        elif tables.multi.search(src) is None:
            # Fast path: every change is one code point for one, so offsets do not move.
            table = tables.one_to_one
            self.norm = tables.unstable.sub(lambda m: table[m.group()], src)
        else:
            self.norm, self.to_orig = _slow_normalise(src)
        self.lower = _lower(self.norm)
        self.line_starts = [0] + [m.end() for m in _NEWLINE.finditer(src)]

    def orig(self, i: int) -> int:
        """Original offset of a normalised offset."""
        return i if self.to_orig is None else self.to_orig[i]

    def span(self, start: int, end: int) -> Span:
        """Map a normalised [start, end) to a span of the original text."""
        o_start = self.orig(start)
        o_end = self.orig(end - 1) + 1 if end > start else o_start
        line = bisect_right(self.line_starts, o_start)
        column = o_start - self.line_starts[line - 1] + 1
        return Span(start=o_start, end=o_end, line=line, column=column)

    def paragraphs(self) -> list[Segment]:
        """Non-blank lines: headings, bullets and paragraphs are each one block."""
        if self._paragraphs is None:
            self._paragraphs = [Segment(m.start(), m.end()) for m in _LINES.finditer(self.norm)]
        return self._paragraphs

    def sentences(self) -> list[Segment]:
        """Sentences, never crossing a line break."""
        if self._sentences is None:
            out: list[Segment] = []
            text = self.norm
            start = 0
            for m in _TERMINATOR.finditer(text):
                end = m.start() if m.group() == "\n" else m.end()
                _add_segment(out, text, start, end)
                start = m.end()
            _add_segment(out, text, start, len(text))
            self._sentences = out
        return self._sentences

    def clauses(self, seg: Segment) -> list[Segment]:
        """Comma-separated clauses of one sentence."""
        out: list[Segment] = []
        start = seg.start
        text = self.norm
        for m in _CLAUSE_BREAK.finditer(text, seg.start, seg.end):
            # A comma between digits is a thousands separator, not a clause break.
            i = m.start()
            if 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
                continue
            out.append(Segment(start, i))
            start = m.end()
        out.append(Segment(start, seg.end))
        return out

    def segment_of(self, pos: int, segments: list[Segment]) -> Segment | None:
        """The segment containing a position, if any."""
        for seg in segments:
            if seg.start <= pos < seg.end:
                return seg
        return None


def _add_segment(out: list[Segment], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Segment(start, end))


def _slow_normalise(src: str) -> tuple[str, list[int]]:
    pieces: list[str] = []
    to_orig: list[int] = []
    for i, ch in enumerate(src):
        rep = unicodedata.normalize("NFKC", ch)
        pieces.append(rep)
        to_orig.extend([i] * len(rep))
    to_orig.append(len(src))
    return "".join(pieces), to_orig
