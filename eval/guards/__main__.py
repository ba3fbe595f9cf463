"""Run the rule packs over real updates: per-rule hit rates and a sample for hand checking.

python -m eval.guards --data ../shared/data/incidents_en_github.jsonl \
    [--sample-findings 30 --seed N]
"""

import argparse
import json
import random
import sys
from pathlib import Path

from eval.guards.runner import evaluate
from guards import Finding


def _context(body: str, f: Finding, width: int = 70) -> str:
    start, end = f.span.start, f.span.end
    left = body[max(0, start - width) : start].replace("\n", " ")
    right = body[end : end + width].replace("\n", " ")
    return f"…{left}[[{body[start:end]}]]{right}…"


def main(argv: list[str] | None = None) -> int:
    """Print per-rule hit rates; optionally a random sample of findings with context."""
    parser = argparse.ArgumentParser(prog="python -m eval.guards")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--sample-findings", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write the hit rates here")
    args = parser.parse_args(argv)

    result = evaluate(args.data)
    n, per_rule, all_findings = result.updates, result.per_rule, result.findings
    passed = f"{result.passed} ({result.pass_rate:.1%})"
    print(f"updates: {n}  passed: {passed}  findings: {len(all_findings)}")
    print(f"stages: {dict(result.per_stage)}")
    print(f"{'rule':45} {'level':10} {'updates hit':>11} {'rate':>7}")
    for rule_id, hits in sorted(per_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{rule_id:45} {result.levels[rule_id]:10} {hits:11d} {hits / n:7.1%}")
    if args.json:
        args.json.write_text(json.dumps({"updates": n, "hit_rates": result.hit_rates()}, indent=2))

    if args.sample_findings:
        rng = random.Random(args.seed)
        sample = rng.sample(all_findings, min(args.sample_findings, len(all_findings)))
        print(f"\nrandom sample of {len(sample)} findings (seed {args.seed}):")
        for i, (label, body, f) in enumerate(sample, 1):
            print(f"\n{i:2d}. {f.rule_id} [{f.level}] {label}")
            print(f"    {f.message}")
            if f.match:
                print(f"    {_context(body, f)}")
            else:
                print(f"    body: {body[:240].replace(chr(10), ' ')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
