"""Research sweep: train named n-gram configurations and print each one's dev macro-F1.

Usage: python -m eval.sentiment.sweep [--lang zh en] [--data ../shared/data]

Every variant is trained on the train split only (plus the packaged corpus) and measured on the
fixed dev split, as `python -m service.sentiment.train` measures the shipped networks; the data
card's "every configuration measured" rows for the v2 networks come from this list.
"""

import argparse
import dataclasses
import json
import time
from collections.abc import Sequence
from pathlib import Path

from service.sentiment.corpus import Example
from service.sentiment.train import DEFAULTS, TrainConfig, dev_metrics, fit, training_set


def variants(lang: str) -> dict[str, TrainConfig]:
    """The configurations compared for one language; `shipped` is `train.DEFAULTS`."""
    shipped = DEFAULTS[lang]
    if lang == "zh":
        return {
            "v1 char 1-3 net (32 hidden, 4 epochs)": TrainConfig(lang="zh"),
            "char 1-3 linear, balanced": dataclasses.replace(
                shipped, analyzer="", nb_scaling=False
            ),
            "+ jieba words": dataclasses.replace(shipped, nb_scaling=False),
            "+ jieba words + NB scaling (shipped)": shipped,
            "shipped, C=1": dataclasses.replace(shipped, c=1.0),
            "shipped, shared x6": dataclasses.replace(shipped, shared_repeat=6),
        }
    return {
        "v1 net + VADER tokens (32 hidden, 3 epochs)": TrainConfig(lang="en", epochs=3),
        "linear, CrowdFlower weight 1, shared x3": dataclasses.replace(
            shipped, packaged_weight=1.0, shared_repeat=3, class_weight=None
        ),
        "linear, CrowdFlower weight 0.1": dataclasses.replace(shipped, packaged_weight=0.1),
        "linear, CrowdFlower weight 0.25, balanced (shipped)": shipped,
        "linear, CrowdFlower weight 0.5": dataclasses.replace(shipped, packaged_weight=0.5),
        "shipped, C=4": dataclasses.replace(shipped, c=4.0),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Train every variant and print one JSON line each."""
    parser = argparse.ArgumentParser(prog="python -m eval.sentiment.sweep")
    parser.add_argument("--lang", nargs="+", default=["zh", "en"], choices=sorted(DEFAULTS))
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    args = parser.parse_args(argv)
    for lang in args.lang:
        sets: dict[int, tuple[list[Example], list[Path]]] = {}
        for name, config in variants(lang).items():
            started = time.monotonic()
            if config.shared_repeat not in sets:
                sets[config.shared_repeat] = training_set(lang, args.data, config.shared_repeat)
            examples, files = sets[config.shared_repeat]
            scores = dev_metrics(fit(config, examples), files)
            seconds = round(time.monotonic() - started, 1)
            line = {"lang": lang, "variant": name, "dev_macro_f1": scores, "seconds": seconds}
            print(json.dumps(line, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
