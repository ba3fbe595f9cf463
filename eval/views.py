"""Results of each evaluation as a report section: the same numbers for console, JSON and HTML."""

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from eval.coverage import FAITHFULNESS_PREFIX
from eval.drafts.runner import Tally
from eval.guards.runner import CorpusResult
from eval.report import Cell, Pct, Section, Table, svg
from eval.sentiment.metrics import Metrics
from eval.sentiment.runner import Result
from eval.stats import percentile, summary
from guards import load_packs


def _levels() -> dict[str, str]:
    return {c.rule.id: c.rule.level for c in load_packs().rules}


def _rate(n: int, d: int) -> Pct | None:
    return Pct(n / d) if d else None


def _pct(x: float | None) -> Pct | None:
    return None if x is None else Pct(x)


def _confusion_table(title: str, m: Metrics) -> Table:
    gold = m.labels[: len(m.confusion)]
    rows: list[list[Cell]] = [[g, *row] for g, row in zip(gold, m.confusion, strict=True)]
    return Table(title, ["gold \\ predicted", *m.labels], rows, html=False)


def drafts_section(
    suite: str, drafter: str, tally: Tally, baseline: CorpusResult | None, languages: Sequence[str]
) -> Section:
    """Drafts of one suite beside the guard's verdict on real human-written updates."""
    levels = _levels()
    human = baseline
    per_draft = summary(tally.per_draft_ms)
    per_rendition = summary(tally.per_rendition_ms)
    consistency = sum(tally.consistency_by_rule.values())
    rows: list[list[Cell]] = [
        ["texts checked", tally.renditions, human.updates if human else None],
        [
            "guard pass rate (no error)",
            Pct(tally.pass_rate),
            _pct(human.pass_rate if human else None),
        ],
        [
            "required-element coverage",
            Pct(tally.required.rate),
            _pct(human.required.rate if human else None),
        ],
        ["texts with an invented number or time", tally.unfaithful, None],
        ["cross-rendition consistency errors", consistency, None],
        ["draft latency p50 ms (all renditions)", per_draft["p50"], None],
        ["draft latency p95 ms", per_draft["p95"], None],
        ["draft latency p99 ms", per_draft["p99"], None],
        ["latency per rendition p50 ms", per_rendition["p50"], None],
        ["latency per rendition p99 ms", per_rendition["p99"], None],
    ]
    source = f"human-written ({human.data.rsplit('/', 1)[-1]})" if human else "human-written"
    summary_table = Table(
        f"{suite}: {tally.cases} cases, {tally.drafts} drafts, {tally.renditions} renditions",
        ["measure", f"drafts ({drafter})", source],
        rows,
        note="Faithfulness compares every number and time with the facts; human updates have "
        "no fact record, so it and the draft-only measures do not apply to them.",
    )

    rules = sorted(
        set(tally.hits_by_rule) | set(human.per_rule if human else ()),
        key=lambda r: (-(tally.hits_by_rule[r] / max(tally.renditions, 1)), r),
    )
    rule_rows: list[list[Cell]] = []
    for r in rules:
        h = human.per_rule[r] if human else 0
        rule_rows.append(
            [
                r,
                levels.get(r, "?"),
                tally.hits_by_rule[r],
                _rate(tally.hits_by_rule[r], tally.renditions),
                h if human else None,
                _rate(h, human.updates) if human else None,
            ]
        )
    rule_table = Table(
        "findings per rule (texts hit)",
        ["rule", "level", "drafts", "drafts rate", "human", "human rate"],
        rule_rows,
    )

    required = sorted(set(tally.required.in_force) | set(human.required.in_force if human else ()))
    d_cov, h_cov = tally.required.per_rule(), human.required.per_rule() if human else {}
    req_rows: list[list[Cell]] = [
        [
            r,
            tally.required.in_force[r],
            _pct(d_cov.get(r)),
            human.required.in_force[r] if human else None,
            _pct(h_cov.get(r)),
        ]
        for r in required
    ]
    req_table = Table(
        "required elements: coverage where in force",
        ["element", "drafts in force", "drafts coverage", "human in force", "human coverage"],
        req_rows,
    )

    length_rows: list[list[Cell]] = []
    for channel, lengths in sorted(tally.chars_by_channel.items()):
        length_rows.append(
            [
                channel,
                len(lengths),
                percentile(lengths, 0.5),
                percentile(lengths, 0.95),
                max(lengths),
            ]
        )
    length_table = Table(
        "body length per channel (characters)",
        ["channel", "renditions", "p50", "p95", "max"],
        length_rows,
    )
    sms_rows: list[list[Cell]] = [[k, n] for k, n in sorted(tally.sms_segments.items())]
    sms_table = Table("SMS segments", ["segments", "renditions"], sms_rows)

    charted = [r for r in rules if not r.startswith(FAITHFULNESS_PREFIX) or tally.hits_by_rule[r]]
    charts = [
        svg.bars(
            "Findings per rule: share of texts hit",
            charted,
            {
                "drafts": [tally.hits_by_rule[r] / max(tally.renditions, 1) for r in charted],
                **(
                    {"human-written": [human.per_rule[r] / max(human.updates, 1) for r in charted]}
                    if human
                    else {}
                ),
            },
            fmt=".1%",
            max_value=1.0,
        ),
        svg.bars(
            "Required-element coverage",
            required,
            {
                "drafts": [d_cov.get(r) for r in required],
                **({"human-written": [h_cov.get(r) for r in required]} if human else {}),
            },
            fmt=".0%",
            max_value=1.0,
        ),
        svg.histogram("Draft latency (all renditions of one update)", tally.per_draft_ms),
        svg.bars(
            "Median body length per channel (characters)",
            [str(r[0]) for r in length_rows],
            {"p50": [float(r[2] or 0) for r in length_rows]},
        ),
    ]
    data: dict[str, Any] = {
        "suite": suite,
        "drafter": drafter,
        "languages": list(languages),
        "cases": tally.cases,
        "drafts": tally.drafts,
        "renditions": tally.renditions,
        "passed": tally.passed,
        "pass_rate": tally.pass_rate,
        "errors_by_rule": dict(tally.errors_by_rule),
        "warnings_by_rule": dict(tally.warnings_by_rule),
        "hits_by_rule": dict(tally.hits_by_rule),
        "consistency_by_rule": dict(tally.consistency_by_rule),
        "required_coverage": tally.required.rate,
        "required_coverage_by_rule": d_cov,
        "unfaithful_renditions": tally.unfaithful,
        "latency_ms": {"per_draft": per_draft, "per_rendition": per_rendition},
        "chars_by_channel": {
            c: summary([float(n) for n in v]) for c, v in tally.chars_by_channel.items()
        },
        "sms_segments": {str(k): n for k, n in sorted(tally.sms_segments.items())},
        "failures": tally.failures[:200],
        "baseline": guards_data(human) if human else None,
    }
    return Section(
        f"Drafts — suite {suite}, {drafter} drafter, {'+'.join(languages)}",
        [summary_table, rule_table, req_table, length_table, sms_table],
        charts,
        data,
    )


def guards_data(result: CorpusResult) -> dict[str, Any]:
    """A guard run over real updates as JSON-ready data."""
    return {
        "data": result.data,
        "updates": result.updates,
        "passed": result.passed,
        "pass_rate": result.pass_rate,
        "per_stage": dict(result.per_stage),
        "updates_hit_by_rule": dict(result.per_rule),
        "hit_rates": result.hit_rates(),
        "required_coverage": result.required.rate,
        "required_coverage_by_rule": result.required.per_rule(),
    }


def guards_section(result: CorpusResult) -> Section:
    """The guard over human-written updates: findings per rule and required-element coverage."""
    n = result.updates
    stages: list[list[Cell]] = [[f"stage {s}", k] for s, k in sorted(result.per_stage.items())]
    head = Table(
        f"guard over {n} human-written updates ({result.data.rsplit('/', 1)[-1]})",
        ["measure", "value"],
        [
            ["updates", n],
            ["passed (no error)", result.passed],
            ["pass rate", Pct(result.pass_rate)],
            ["findings", len(result.findings)],
            ["required-element coverage", Pct(result.required.rate)],
            *stages,
        ],
    )
    ordered = sorted(result.per_rule.items(), key=lambda kv: (-kv[1], kv[0]))
    rules = Table(
        "findings per rule (updates hit)",
        ["rule", "level", "updates hit", "rate"],
        [[r, result.levels.get(r, "?"), k, Pct(k / n)] for r, k in ordered],
    )
    cov = result.required.per_rule()
    req = Table(
        "required elements: coverage where in force",
        ["element", "in force", "coverage"],
        [[r, result.required.in_force[r], Pct(c)] for r, c in cov.items()],
    )
    charts = [
        svg.bars(
            "Findings per rule: share of human-written updates hit",
            [r for r, _ in ordered],
            {"updates hit": [k / n for _, k in ordered]},
            fmt=".1%",
            max_value=1.0,
        ),
        svg.bars(
            "Required-element coverage (human-written)",
            list(cov),
            {"coverage": list(cov.values())},
            fmt=".0%",
            max_value=1.0,
        ),
    ]
    return Section(
        "Guard over human-written updates", [head, rules, req], charts, guards_data(result)
    )


def sentiment_section(results: Sequence[Result], split: str) -> Section:
    """Each model beside the lexicon baseline on each dataset, with confusion matrices."""
    table = Table(
        f"sentiment on the {split} split",
        ["dataset", "model", "rows", "accuracy", "macro-F1", "posts/s"],
        [
            [r.dataset, r.model, r.rows, r.metrics.accuracy, r.metrics.macro_f1, r.posts_per_s]
            for r in results
        ],
    )
    confusions = [_confusion_table(f"{r.dataset} / {r.model}", r.metrics) for r in results]
    charts = [
        svg.confusion(f"{r.dataset} / {r.model}", r.metrics.labels, r.metrics.confusion)
        for r in results
    ]
    return Section(
        "Sentiment",
        [table, *confusions],
        charts,
        {"split": split, "results": [asdict(r) for r in results]},
    )


def concerns_section(rows: Sequence[tuple[str, str, int, Metrics, float | None]]) -> Section:
    """Concern classification per dataset beside a majority-class baseline."""
    table = Table(
        "concerns (labels mapped to Herald's concerns; see docs/data-card-sentiment.md)",
        ["dataset", "model", "rows", "accuracy", "macro-F1", "posts/s"],
        [[d, m, n, x.accuracy, x.macro_f1, rate] for d, m, n, x, rate in rows],
    )
    confusions = [_confusion_table(f"{d} / {m}", x) for d, m, _, x, _ in rows]
    charts = [svg.confusion(f"{d} / {m}", x.labels, x.confusion) for d, m, _, x, _ in rows]
    data = [
        asdict(x) | {"dataset": d, "model": m, "rows": n, "posts_per_s": rate}
        for d, m, n, x, rate in rows
    ]
    return Section("Concerns", [table, *confusions], charts, {"results": data})
