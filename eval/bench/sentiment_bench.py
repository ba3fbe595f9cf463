"""Benchmark: default-model posts/s on short posts; transformers batched vs naive pipeline().

The default is `default_model()` (the hybrid when the English encoder is built); the n-gram
network is measured beside it then.

Usage: python eval/bench/sentiment_bench.py [--data ../shared/data] [--transformer PATH]
       [--rows 300] [--out eval/bench/sentiment_bench.json]
"""

import argparse
import json
import time
from collections.abc import Callable, Sequence
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


def rate(fn: Callable[[list[str]], object], texts: list[str]) -> float:
    """Posts per second of one call over all texts (after one warm-up call)."""
    fn(texts[:8])
    start = time.perf_counter()
    fn(texts)
    return len(texts) / (time.perf_counter() - start)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print and write JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--transformer", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--rows", type=int, default=300, help="rows for the transformers part")
    parser.add_argument("--out", type=Path, default=Path("eval/bench/sentiment_bench.json"))
    args = parser.parse_args(argv)
    report: dict[str, object] = {}
    default = default_model()
    report["default model"] = default.name
    models = {"default": default}
    if not isinstance(default, NgramNetSentiment):
        models["ngram"] = NgramNetSentiment()
    for stem in SHORT_SETS:
        rows = corpus.load_jsonl(args.data / f"{stem}.jsonl")
        texts, lang = [e.text for e in rows], rows[0].lang
        for key, model in models.items():
            posts_per_s = rate(partial(model.score, lang=lang), texts)
            report[f"{key} {stem} posts/s"] = round(posts_per_s, 1)
    if args.transformer.exists():
        from transformers import pipeline

        from service.sentiment.transformers_backend import TransformersSentiment

        tweets = [e.text for e in corpus.load_jsonl(args.data / "sentiment_en_tweeteval.jsonl")]
        texts = tweets[: args.rows]
        batched = TransformersSentiment(args.transformer, batch_size=32)
        naive = pipeline("text-classification", model=str(args.transformer), device="cpu")
        report["transformers model"] = str(args.transformer)
        report["transformers batched posts/s"] = round(rate(batched.score, texts), 1)
        report["pipeline batch-1 posts/s"] = round(rate(lambda t: [naive(x) for x in t], texts), 1)
        ratio = float(str(report["transformers batched posts/s"])) / float(
            str(report["pipeline batch-1 posts/s"])
        )
        report["batched / naive"] = round(ratio, 2)
    else:
        report["transformers"] = f"skipped: {args.transformer} missing (make sentiment-model)"
    print(json.dumps(report, indent=2, ensure_ascii=False))
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
