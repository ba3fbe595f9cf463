"""Normalised text with an offset map back to the original, and its segmentation."""

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache

from guards.models import Span

# Sentence ends: CJK terminators anywhere; Latin ones only before whitespace or the end, so that
# "1.5" and "v2.3" are not split.
_SENTENCE = re.compile(r"[^\n]*?(?:[。！？]+[”」』)]?|[.!?]+(?=\s|$)|(?=\n)|$)")
_CLAUSE_BREAK = re.compile(r"[，,；;]")


@cache
def _unstable_chars() -> re.Pattern[str]:
    """A character class of every BMP code point that NFKC changes."""
    changed = [
        chr(cp)
        for cp in range(0x80, 0x10000)
        if not 0xD800 <= cp <= 0xDFFF and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    ]
    return re.compile("[" + "".join(re.escape(c) for c in changed) + "]")


@dataclass(frozen=True, slots=True)
class Segment:
    """A [start, end) range of the normalised text."""

    start: int
    end: int


@dataclass(slots=True)
class Text:
    """One field of a draft: original, NFKC-normalised, and the map between them."""

    original: str
    norm: str = ""
    to_orig: list[int] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)
    _sentences: list[Segment] | None = None
    _paragraphs: list[Segment] | None = None

    def __post_init__(self) -> None:
        src = self.original
        pieces: list[str] = []
        to_orig: list[int] = []
        last = 0
        for m in _unstable_chars().finditer(src):
            i = m.start()
            if i > last:
                pieces.append(src[last:i])
                to_orig.extend(range(last, i))
            rep = unicodedata.normalize("NFKC", src[i])
            pieces.append(rep)
            to_orig.extend([i] * len(rep))
            last = i + 1
        pieces.append(src[last:])
        to_orig.extend(range(last, len(src)))
        to_orig.append(len(src))
        self.norm = "".join(pieces)
        self.to_orig = to_orig
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", src)]

    def span(self, start: int, end: int) -> Span:
        """Map a normalised [start, end) to a span of the original text."""
        o_start = self.to_orig[start]
        o_end = self.to_orig[end - 1] + 1 if end > start else o_start
        line = bisect_right(self.line_starts, o_start)
        column = o_start - self.line_starts[line - 1] + 1
        return Span(start=o_start, end=o_end, line=line, column=column)

    def original_slice(self, start: int, end: int) -> str:
        """The original text under a normalised range."""
        sp = self.span(start, end)
        return self.original[sp.start : sp.end]

    def paragraphs(self) -> list[Segment]:
        """Non-blank lines: headings, bullets and paragraphs are each one block."""
        if self._paragraphs is None:
            self._paragraphs = [
                Segment(m.start(), m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", self.norm)
            ]
        return self._paragraphs

    def sentences(self) -> list[Segment]:
        """Sentences, never crossing a line break."""
        if self._sentences is None:
            out: list[Segment] = []
            for m in _SENTENCE.finditer(self.norm):
                seg = m.group()
                if seg.strip():
                    lead = len(seg) - len(seg.lstrip())
                    out.append(Segment(m.start() + lead, m.end()))
            self._sentences = out
        return self._sentences

    def clauses(self, seg: Segment) -> list[Segment]:
        """Comma-separated clauses of one sentence."""
        out: list[Segment] = []
        start = seg.start
        for m in _CLAUSE_BREAK.finditer(self.norm, seg.start, seg.end):
            # A comma between digits is a thousands separator, not a clause break.
            i = m.start()
            if (
                0 < i < len(self.norm) - 1
                and self.norm[i - 1].isdigit()
                and self.norm[i + 1].isdigit()
            ):
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
