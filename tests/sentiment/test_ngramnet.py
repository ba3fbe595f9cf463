from pathlib import Path

import numpy as np
import pytest

from eval.sentiment.metrics import compute
from service.sentiment import corpus
from service.sentiment.lexicon import LexiconSentiment
from service.sentiment.model import SentimentLabel
from service.sentiment.ngramnet import MODELS_DIR, NgramNetSentiment, NgramNetwork

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
MAX_ARTIFACT_BYTES = 5 * 1024 * 1024


def test_network_round_trips_through_npz(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    net = NgramNetwork(
        lang="zh",
        vocabulary={"好": 0, "差": 1, "好吃": 2},
        idf=np.ones(3, np.float32),
        layers=(
            (rng.normal(size=(3, 4)).astype(np.float32), np.zeros(4, np.float32)),
            (rng.normal(size=(4, 2)).astype(np.float32), np.zeros(2, np.float32)),
        ),
        classes=(SentimentLabel.negative, SentimentLabel.positive),
    )
    net.save(tmp_path / "n.npz")
    loaded = NgramNetwork.load(tmp_path / "n.npz")
    texts = ["好吃", "太差", "无关"]
    assert np.allclose(net.predict_proba(texts), loaded.predict_proba(texts), atol=1e-2)
    assert np.allclose(loaded.predict_proba(texts).sum(axis=1), 1.0, atol=1e-5)


def test_network_written_before_analyzer_names_loads_with_its_language_features(
    tmp_path: Path,
) -> None:
    net = NgramNetwork(
        lang="zh",
        vocabulary={"好": 0, "差": 1},
        idf=np.ones(2, np.float32),
        layers=((np.array([[-1.0, 1.0], [1.0, -1.0]], np.float32), np.zeros(2, np.float32)),),
        classes=(SentimentLabel.negative, SentimentLabel.positive),
    )
    net.save(tmp_path / "new.npz")
    with np.load(tmp_path / "new.npz") as data:
        old = {key: data[key] for key in data.files if key != "analyzer"}
    np.savez_compressed(tmp_path / "old.npz", **old)
    loaded = NgramNetwork.load(tmp_path / "old.npz")
    assert loaded.analyzer is None
    assert loaded.predict_proba(["好"])[0].argmax() == 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_committed_artifacts_are_small_and_documented(lang: str) -> None:
    model = NgramNetSentiment()
    assert (MODELS_DIR / f"sentiment-{lang}.npz").stat().st_size <= MAX_ARTIFACT_BYTES
    meta = model.metadata(lang)
    assert meta["lang"] == lang
    assert isinstance(meta["seed"], int)
    assert meta["dev_macro_f1"]


def test_default_reads_clear_posts() -> None:
    scores = NgramNetSentiment().score(
        [
            "太难吃了，送得又慢，再也不点了",
            "非常好吃，送餐很快，好评",
            "worst airline ever, lost my bag",
            "thank you so much, great crew!",
        ]
    )
    labels = [s.label for s in scores]
    assert labels[0] is SentimentLabel.negative
    assert labels[1] is SentimentLabel.positive
    assert labels[2] is SentimentLabel.negative
    assert labels[3] is SentimentLabel.positive
    assert all(-1 <= s.score <= 1 and 0 <= s.confidence <= 1 for s in scores)


@pytest.mark.skipif(not DATA.exists(), reason="needs ../shared/data")
def test_default_beats_the_lexicon_on_unseen_waimai_rows() -> None:
    rows = corpus.load_jsonl(DATA / "sentiment_zh_waimai_10k.jsonl", "dev")[:300]
    texts, gold = [e.text for e in rows], [e.label.value for e in rows]
    ours = compute(gold, [s.label.value for s in NgramNetSentiment().score(texts, "zh")])
    floor = compute(gold, [s.label.value for s in LexiconSentiment().score(texts, "zh")])
    assert ours.macro_f1 > floor.macro_f1
