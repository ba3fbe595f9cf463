"""`python -m eval.drafts --suite seed|incidents|faults [--data FILE] [--lang zh|en|both]`."""

import argparse
import statistics
import sys
from pathlib import Path

from eval.drafts.cases import seed_cases
from eval.drafts.derive import FAULTS, GITHUB, fault_cases, github_cases
from eval.drafts.runner import Tally, run
from service.domain.enums import Language
from service.drafting.template import TemplateDrafter


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(suite: str, tally: Tally, show: int) -> str:
    """A plain-text table of the run."""
    ms = tally.per_rendition_ms
    lines = [
        f"suite {suite}: {tally.drafts} drafts, {tally.renditions} renditions",
        f"pass rate (0 error-level findings): {tally.passed}/{tally.renditions} "
        f"= {tally.pass_rate:.1%}",
        f"latency per rendition incl. guard: mean {statistics.fmean(ms):.2f} ms, "
        f"p50 {_pct(ms, 0.5):.2f} ms, p99 {_pct(ms, 0.99):.2f} ms"
        if ms
        else "latency: n/a",
        "errors by rule:" + ("" if tally.errors_by_rule else " none"),
    ]
    lines += [f"  {rule:40} {n}" for rule, n in tally.errors_by_rule.most_common()]
    lines.append("warnings by rule:" + ("" if tally.warnings_by_rule else " none"))
    lines += [f"  {rule:40} {n}" for rule, n in tally.warnings_by_rule.most_common()]
    lines.append(
        "cross-rendition consistency errors:" + ("" if tally.consistency_by_rule else " none")
    )
    lines += [f"  {rule:40} {n}" for rule, n in tally.consistency_by_rule.most_common()]
    if tally.failures and show:
        lines.append(f"first {min(show, len(tally.failures))} failures:")
        lines += [f"  {f}" for f in tally.failures[:show]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run one suite and print its table; exit 1 when any rendition has an error."""
    parser = argparse.ArgumentParser(prog="python -m eval.drafts", description=__doc__)
    parser.add_argument("--suite", choices=["seed", "incidents", "faults"], required=True)
    parser.add_argument("--data", type=Path, help="override the suite's data file or folder")
    parser.add_argument("--lang", choices=["zh", "en", "both"], default="both")
    parser.add_argument("--show", type=int, default=20, help="failures to list")
    args = parser.parse_args(argv)
    if args.suite == "seed":
        cases = seed_cases(args.data) if args.data else seed_cases()
    elif args.suite == "incidents":
        cases = github_cases(args.data or GITHUB)
    else:
        cases = fault_cases(args.data or FAULTS)
    languages = [Language.zh, Language.en] if args.lang == "both" else [Language(args.lang)]
    tally = run(TemplateDrafter(), cases, languages)
    print(report(args.suite, tally, args.show))
    return 0 if tally.passed == tally.renditions else 1


if __name__ == "__main__":
    sys.exit(main())
