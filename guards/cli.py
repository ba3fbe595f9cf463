"""`herald lint`: check a draft file from the command line; exit 1 on any error-level finding."""

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

from pydantic import ValidationError

from guards.engine import check
from guards.fixture import context_from, parse_draft
from guards.models import Channel, GuardFacts, GuardReport, NoticeKind, Stage


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="herald lint", description="Check an update draft.")
    p.add_argument("file", nargs="?", default="-", help="draft file ('-' for stdin)")
    p.add_argument("--lang", choices=["zh", "en"])
    p.add_argument("--stage", choices=list(get_args(Stage)))
    p.add_argument("--kind", choices=list(get_args(NoticeKind)))
    p.add_argument("--channel", choices=list(get_args(Channel)))
    p.add_argument("--severity", choices=["P0", "P1", "P2", "P3"])
    p.add_argument("--timezone", help="IANA zone of the audience")
    p.add_argument("--facts", type=Path, help="facts JSON (IncidentFacts fields)")
    p.add_argument("--now", help="draft time, ISO 8601 with offset (default: now)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    return p


def _human(report: GuardReport, name: str) -> str:
    lines = []
    for f in report.findings:
        where = f"{name}:{f.span.line}:{f.span.column}" if f.field == "body" else f"{name}:title"
        extra = f" → {f.fix or f.suggestion}" if (f.fix or f.suggestion) else ""
        lines.append(f"{where}: {f.level}: {f.message} [{f.rule_id}]{extra}")
    c = report.counts
    verdict = "passed" if report.passed else "failed"
    lines.append(
        f"{verdict}: {c['error']} errors, {c['warning']} warnings, {c['suggestion']} suggestions"
    )
    return "\n".join(lines)


def lint_main(argv: list[str]) -> int:
    """Run the linter; 0 when passed, 1 when an error-level finding remains, 2 on bad input."""
    args = _parser().parse_args(argv)
    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    draft, meta = parse_draft(text)
    try:
        facts = (
            GuardFacts.model_validate_json(args.facts.read_text(encoding="utf-8"))
            if args.facts
            else None
        )
        now = datetime.fromisoformat(args.now) if args.now else meta.get("now")
        ctx = context_from(
            meta,
            lang=args.lang,
            stage=args.stage,
            kind=args.kind,
            channel=args.channel,
            severity=args.severity,
            timezone=args.timezone,
            facts=facts,
            now=now or datetime.now(UTC),
        )
    except (ValidationError, ValueError) as exc:
        print(f"herald lint: {exc}", file=sys.stderr)
        return 2
    report = check(draft, ctx)
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print(_human(report, "-" if args.file == "-" else args.file))
    return 0 if report.passed else 1


def main() -> None:
    """Console entry point."""
    sys.exit(lint_main(sys.argv[1:]))


if __name__ == "__main__":
    main()
