"""Benchmark: default-model posts/s on short posts; transformers batched vs naive pipeline().

The default is `default_model()` (the hybrid when the English encoder is built); the n-gram
network is measured beside it then. Every figure is the best of `--rounds` timed runs after a
warm-up, and the two sides of a comparison alternate within each round (A B, then B A), so a
burst of load from other processes on the shared machine hits both rather than one.

Usage: python eval/bench/sentiment_bench.py [--data ../shared/data] [--transformer PATH]
       [--rows 500] [--rounds 5] [--out eval/bench/sentiment_bench.json]
"""

import argparse
import json
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path

from service.sentiment import corpus
from service.sentiment.build_transformer import DEFAULT_OUT
from service.sentiment.default import default_model
from service.sentiment.ngramnet import NgramNetSentiment

SHORT_SETS = (
    "sentiment_en_tweeteval",
    "sentiment_en_twitter_us_airline",
    "sentiment_zh_weibo_senti_100k",
)
Scorer = Callable[[list[str]], object]


def rate(fn: Scorer, texts: list[str]) -> float:
    """Posts per second of one call over all texts (after one warm-up call)."""
    fn(texts[:8])
    start = time.perf_counter()
    fn(texts)
    return len(texts) / (time.perf_counter() - start)


def rates(sides: Mapping[str, Scorer], texts: list[str], rounds: int) -> dict[str, list[float]]:
    """Posts/s of each side in each round; sides alternate order per round, all warmed up first."""
    for fn in sides.values():
        fn(texts[:32])
    out: dict[str, list[float]] = {key: [] for key in sides}
    keys = list(sides)
    for n in range(rounds):
        for key in keys if n % 2 == 0 else keys[::-1]:
            start = time.perf_counter()
            sides[key](texts)
            out[key].append(len(texts) / (time.perf_counter() - start))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print and write JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--transformer", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--rows", type=int, default=500, help="rows for the transformers part")
    parser.add_argument("--rounds", type=int, default=5, help="timed runs per side (best kept)")
    parser.add_argument("--out", type=Path, default=Path("eval/bench/sentiment_bench.json"))
    args = parser.parse_args(argv)
    report: dict[str, object] = {"rounds (best kept)": args.rounds}
    default = default_model()
    report["default model"] = default.name
    models = {"default": default}
    if not isinstance(default, NgramNetSentiment):
        models["ngram"] = NgramNetSentiment()
    for stem in SHORT_SETS:
        rows = corpus.load_jsonl(args.data / f"{stem}.jsonl")
        texts, lang = [e.text for e in rows], rows[0].lang
        sides = {key: partial(model.score, lang=lang) for key, model in models.items()}
        for key, measured in rates(sides, texts, args.rounds).items():
            report[f"{key} {stem} posts/s"] = round(max(measured), 1)
    if args.transformer.exists():
        from transformers import pipeline

        from service.sentiment.transformers_backend import TransformersSentiment

        tweets = [e.text for e in corpus.load_jsonl(args.data / "sentiment_en_tweeteval.jsonl")]
        texts = tweets[: args.rows]
        # The same weights, texts, process and torch threads on both sides.
        batched = TransformersSentiment(args.transformer)
        naive = pipeline("text-classification", model=str(args.transformer), device="cpu")
        paired = rates(
            {"batched": batched.score, "naive": lambda t: [naive(x) for x in t]},
            texts,
            args.rounds,
        )
        best_batched, best_naive = max(paired["batched"]), max(paired["naive"])
        report["transformers model"] = str(args.transformer)
        report["transformers rows"] = len(texts)
        report["transformers batched posts/s"] = round(best_batched, 1)
        report["pipeline batch-1 posts/s"] = round(best_naive, 1)
        report["batched / naive"] = round(best_batched / best_naive, 2)
        report["batched / naive per round"] = [
            round(b / n, 2) for b, n in zip(paired["batched"], paired["naive"], strict=True)
        ]
    else:
        report["transformers"] = f"skipped: {args.transformer} missing (make sentiment-model)"
    print(json.dumps(report, indent=2, ensure_ascii=False))
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
