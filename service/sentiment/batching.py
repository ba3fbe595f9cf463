"""Batches of near-equal token count for the torch scorers (encoders and the transformers backend).

Texts are tokenized once, sorted by token count and padded per batch with numpy: on tweets this pads
27 % fewer positions than sorting by characters (28.9 vs 39.7 per post on TweetEval, batches of
64), and a model pays for every padded position.
"""

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

Indices = npt.NDArray[np.intp]


def token_batches(
    tokenizer: Any, texts: Sequence[str], max_length: int, batch_size: int
) -> Iterator[tuple[Indices, dict[str, Any]]]:
    """(row indices, model inputs as torch tensors) per batch, shortest texts first."""
    import torch

    if not texts:
        return  # tokenizers refuse an empty list
    encoded = tokenizer(
        list(texts), truncation=True, max_length=max_length, return_attention_mask=False
    )
    names = [n for n in tokenizer.model_input_names if n != "attention_mask" and n in encoded]
    lengths = np.array([len(row) for row in encoded["input_ids"]])
    order = np.argsort(lengths, kind="stable")
    pad_id = int(tokenizer.pad_token_id or 0)
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        width = int(lengths[idx[-1]])  # the longest: rows are sorted by length
        batch: dict[str, Any] = {}
        for name in names:
            rows = encoded[name]
            array = np.full((len(idx), width), pad_id if name == "input_ids" else 0, np.int64)
            for r, i in enumerate(idx):
                array[r, : len(rows[i])] = rows[i]
            batch[name] = torch.from_numpy(array)
        mask = np.arange(width) < lengths[idx][:, None]
        batch["attention_mask"] = torch.from_numpy(mask.astype(np.int64))
        yield idx, batch
