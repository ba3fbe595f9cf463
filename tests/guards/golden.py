"""Render a guard report as the stable text stored in tests/golden/<pack>/<case>.expected."""

from pathlib import Path

from guards import check
from guards.fixture import context_from, parse_draft

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def render(md: Path) -> str:
    """One line for the verdict, then one per finding: level, rule, position, match."""
    draft, meta = parse_draft(md.read_text(encoding="utf-8"))
    report = check(draft, context_from(meta))
    lines = [f"passed: {str(report.passed).lower()}"]
    for f in report.findings:
        where = "title" if f.field == "title" else f"{f.span.line}:{f.span.column}"
        lines.append(f"{f.level} {f.rule_id} {where} {f.match!r}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    # Regenerate after an intended rule change; review the diff before committing.
    for case in sorted(GOLDEN.glob("*/*.md")):
        case.with_suffix(".expected").write_text(render(case), encoding="utf-8")
