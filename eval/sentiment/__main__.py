"""CLI: evaluate a sentiment model beside the lexicon baseline, or the concern classifier."""

import argparse
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from eval.sentiment import concern_eval, runner
from service.sentiment.concerns import RuleConcernModel
from service.sentiment.lexicon import LexiconSentiment
from service.sentiment.port import SentimentModel


def make_model(spec: str) -> SentimentModel:
    """`default`, `ngram`, `lexicon` or `transformers:PATH_OR_ID`."""
    if spec == "default":
        from service.sentiment.default import default_model

        return default_model()
    if spec == "ngram":
        from service.sentiment.ngramnet import NgramNetSentiment

        return NgramNetSentiment()
    if spec == "lexicon":
        return LexiconSentiment()
    if spec.startswith("transformers:"):
        from service.sentiment.transformers_backend import TransformersSentiment

        return TransformersSentiment(spec.split(":", 1)[1])
    raise SystemExit(f"unknown model {spec!r}: use default, ngram, lexicon or transformers:PATH")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation and print its table."""
    parser = argparse.ArgumentParser(prog="python -m eval.sentiment")
    parser.add_argument("--data", nargs="+", type=Path, required=True)
    parser.add_argument("--model", default="default")
    parser.add_argument("--split", choices=["dev", "train", "all"], default="dev")
    parser.add_argument("--concerns", action="store_true", help="evaluate concern classification")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if args.concerns:
        rows = concern_eval.evaluate(RuleConcernModel(), args.data)
        print(f"{'dataset':44} {'rows':>5} {'acc':>6} {'macroF1':>8}")
        for name, n, m in rows:
            print(f"{name:44} {n:5d} {m.accuracy:6.3f} {m.macro_f1:8.3f}")
        if args.json:
            args.json.write_text(json.dumps([asdict(m) | {"dataset": d} for d, _, m in rows]))
        return 0
    models = [make_model(args.model)]
    if args.model != "lexicon":
        models.append(LexiconSentiment())
    results = runner.evaluate(models, args.data, args.split)
    print(f"split: {args.split} (fixed, see docs/data-card-sentiment.md)")
    print(runner.render(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
