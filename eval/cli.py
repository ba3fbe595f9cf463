"""`herald eval …` and `herald bench …` (also `python -m eval …`): one command per measurement.

Each evaluation calls its one runner (eval.drafts, eval.guards, eval.sentiment), turns the result
into a report section (eval.views) and prints it, writes it as JSON and, when asked, as HTML.
"""

import json
import time
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from eval.report.model import Section

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"
GITHUB = DATA_DIR / "incidents_en_github.jsonl"
BENCH_DIR = Path(__file__).resolve().parent / "bench"

eval_app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Evaluations on real data: each prints its tables; --json and --html write them.",
)
bench_app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Benchmarks: each prints its figures and writes JSON.",
)


class Suite(StrEnum):
    """Draft suites."""

    seed = "seed"
    incidents = "incidents"
    faults = "faults"


class DrafterName(StrEnum):
    """Which drafter writes the drafts."""

    template = "template"
    llm = "llm"


class Lang(StrEnum):
    """Languages to draft in."""

    zh = "zh"
    en = "en"
    both = "both"


class SplitName(StrEnum):
    """Rows of the shared sentiment files (the split is fixed, see the sentiment data card)."""

    dev = "dev"
    train = "train"
    all = "all"


JsonOut = Annotated[Path | None, typer.Option("--json", help="Also write the results as JSON.")]
HtmlOut = Annotated[
    Path | None, typer.Option("--html", help="Also write a self-contained HTML report.")
]
DataFiles = Annotated[
    list[Path] | None,
    typer.Option("--data", help="Data file(s): --data A.jsonl B.jsonl, or --data A --data B."),
]
MoreFiles = Annotated[
    list[Path] | None, typer.Argument(help="More data files.", show_default=False)
]


def emit(sections: Sequence[Section], json_out: Path | None, html_out: Path | None) -> None:
    """Print the sections; write them as JSON and HTML when asked."""
    from eval.report import html
    from eval.report.console import print_sections

    print_sections(sections)
    if json_out is not None:
        data = {s.title: s.data for s in sections}
        json_out.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str) + "\n")
        typer.echo(f"wrote {json_out}", err=True)
    if html_out is not None:
        html.write(html_out, sections)
        typer.echo(f"wrote {html_out}", err=True)


def _files(data: list[Path] | None, more: list[Path] | None, default: list[Path]) -> list[Path]:
    paths = [*(data or []), *(more or [])] or default
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise typer.BadParameter(f"no such file: {', '.join(missing)}", param_hint="--data")
    return paths


def drafts_sections(
    suite: Suite,
    data: Path | None = None,
    drafter: DrafterName = DrafterName.template,
    lang: Lang = Lang.both,
    baseline: Path | None = GITHUB,
) -> list[Section]:
    """Draft a suite, run the guard over the human-written baseline, build the section."""
    from eval.drafts.cases import seed_cases
    from eval.drafts.derive import FAULTS, fault_cases, github_cases
    from eval.drafts.runner import run
    from eval.guards.runner import evaluate
    from eval.report.console import progress
    from eval.views import drafts_section
    from service.domain.enums import Language

    if suite is Suite.seed:
        cases = seed_cases(data) if data else seed_cases()
    elif suite is Suite.incidents:
        cases = github_cases(data or GITHUB)
    else:
        cases = fault_cases(data or FAULTS)
    languages = [Language.zh, Language.en] if lang is Lang.both else [Language(lang.value)]
    chosen = _drafter(drafter)
    with progress(f"drafting {suite.value}", len(cases)) as tick:
        tally = run(chosen, cases, languages, progress=tick)
    human = None
    if baseline is not None:
        with progress("guarding human-written updates", None) as tick:
            human = evaluate(baseline, progress=tick)
    return [drafts_section(suite.value, chosen.name, tally, human, [x.value for x in languages])]


def _drafter(name: DrafterName) -> Any:
    from service.app import build_drafters
    from service.config import get_settings

    drafters = build_drafters(get_settings())
    if name.value not in drafters:
        raise typer.BadParameter(
            "the LLM drafter needs HERALD_LLM_BASE_URL (an OpenAI-compatible endpoint)",
            param_hint="--drafter",
        )
    return drafters[name.value]


@eval_app.command("drafts")
def drafts(
    suite: Annotated[Suite, typer.Option(help="seed cases, GitHub incidents or zh fault records.")],
    data: Annotated[
        Path | None, typer.Option(help="Run the suite on this file (a folder for seed).")
    ] = None,
    drafter: Annotated[DrafterName, typer.Option(help="template or llm.")] = DrafterName.template,
    lang: Annotated[Lang, typer.Option(help="zh, en or both.")] = Lang.both,
    baseline: Annotated[
        Path | None,
        typer.Option(help="Incidents file whose human-written updates are the baseline."),
    ] = None,
    no_baseline: Annotated[bool, typer.Option(help="Skip the human-written baseline.")] = False,
    strict: Annotated[bool, typer.Option(help="Exit 1 when any rendition has an error.")] = False,
    json_out: JsonOut = None,
    html_out: HtmlOut = None,
) -> None:
    """Draft every stage × channel × language of a suite; guard, coverage, lengths, latency."""
    if baseline is None and not no_baseline:
        baseline = data if suite is Suite.incidents and data else GITHUB
    sections = drafts_sections(suite, data, drafter, lang, None if no_baseline else baseline)
    emit(sections, json_out, html_out)
    if strict and sections[0].data["passed"] != sections[0].data["renditions"]:
        raise typer.Exit(1)


def sentiment_sections(
    paths: Sequence[Path], model: str = "default", split: SplitName = SplitName.dev
) -> list[Section]:
    """The configured model and the lexicon baseline on each file."""
    from eval.report.console import progress
    from eval.sentiment import runner
    from eval.sentiment.__main__ import make_model
    from eval.views import sentiment_section
    from service.sentiment.lexicon import LexiconSentiment

    models = [make_model(model)]
    if model != "lexicon":
        models.append(LexiconSentiment())
    results = []
    with progress("scoring", len(paths)) as tick:
        for path in paths:
            results += runner.evaluate(models, [path], split.value)
            tick()
    return [sentiment_section(results, split.value)]


@eval_app.command("sentiment")
def sentiment(
    data: DataFiles = None,
    files: MoreFiles = None,
    model: Annotated[
        str, typer.Option(help="default, lexicon or transformers:PATH; the lexicon runs beside.")
    ] = "default",
    split: Annotated[SplitName, typer.Option(help="Rows of each file to score.")] = SplitName.dev,
    json_out: JsonOut = None,
    html_out: HtmlOut = None,
) -> None:
    """Accuracy, macro-F1, confusion matrix and posts/s per file, model beside the lexicon."""
    paths = _files(data, files, sorted(DATA_DIR.glob("sentiment_*.jsonl")))
    emit(sentiment_sections(paths, model, split), json_out, html_out)


def concerns_sections(paths: Sequence[Path]) -> list[Section]:
    """The concern classifier on each concern set beside a majority-class baseline."""
    from collections import Counter

    from eval.sentiment.concern_eval import gold_and_pred
    from eval.sentiment.metrics import Metrics, compute
    from eval.views import concerns_section
    from service.sentiment.concerns import RuleConcernModel

    model = RuleConcernModel()
    rows: list[tuple[str, str, int, Metrics, float | None]] = []
    for path in paths:
        start = time.perf_counter()
        gold, pred = gold_and_pred(path, model)
        rate = len(gold) / (time.perf_counter() - start) if gold else None
        rows.append((path.stem, "rules", len(gold), compute(gold, pred), rate))
        majority = Counter(gold).most_common(1)[0][0] if gold else "other"
        rows.append(
            (path.stem, "majority class", len(gold), compute(gold, [majority] * len(gold)), None)
        )
    return [concerns_section(rows)]


@eval_app.command("concerns")
def concerns(
    data: DataFiles = None,
    files: MoreFiles = None,
    json_out: JsonOut = None,
    html_out: HtmlOut = None,
) -> None:
    """Concern accuracy, macro-F1 and confusion per concern set, beside the majority class."""
    paths = _files(data, files, sorted(DATA_DIR.glob("concerns_*.jsonl")))
    emit(concerns_sections(paths), json_out, html_out)


def guards_sections(path: Path) -> list[Section]:
    """The guard over every human-written update of an incidents file."""
    from eval.guards.runner import evaluate
    from eval.report.console import progress
    from eval.views import guards_section

    with progress("guarding", None) as tick:
        result = evaluate(path, progress=tick)
    return [guards_section(result)]


@eval_app.command("guards")
def guards(
    data: Annotated[
        Path, typer.Option(help="An incidents file (incidents_en_github format).")
    ] = GITHUB,
    json_out: JsonOut = None,
    html_out: HtmlOut = None,
) -> None:
    """Findings per rule and required-element coverage on real human-written updates."""
    emit(guards_sections(_files([data], None, [])[0]), json_out, html_out)


@eval_app.command("all")
def everything(
    json_out: JsonOut = None,
    html_out: HtmlOut = Path("eval-report.html"),
) -> None:
    """Every evaluation on the shared dev data, in one report."""
    sections = [
        *drafts_sections(Suite.seed),
        *drafts_sections(Suite.incidents),
        *drafts_sections(Suite.faults),
        *guards_sections(GITHUB),
        *sentiment_sections(sorted(DATA_DIR.glob("sentiment_*.jsonl"))),
        *concerns_sections(sorted(DATA_DIR.glob("concerns_*.jsonl"))),
    ]
    emit(sections, json_out, html_out)


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    typer.echo(f"wrote {path}", err=True)


@bench_app.command("drafts")
def bench_drafts(
    iterations: Annotated[int, typer.Option(min=1)] = 500,
    warmup: Annotated[int, typer.Option(min=0)] = 50,
    json_out: Annotated[Path, typer.Option("--json")] = BENCH_DIR / "draft_http.json",
) -> None:
    """Alert → first guarded draft over HTTP against a real server: p50/p95/p99/max."""
    from eval.bench import draft_http
    from eval.report.console import progress

    with progress("alert → draft", warmup + iterations) as tick:
        result = draft_http.run(iterations, warmup, tick=tick)
    typer.echo(draft_http.render(result))
    _write(json_out, result)
    if result["failures"]:
        raise typer.Exit(1)


@bench_app.command("guards")
def bench_guards(
    seconds: Annotated[float, typer.Option(min=0.1, help="Per language.")] = 3.0,
    json_out: Annotated[Path, typer.Option("--json")] = BENCH_DIR / "guard_bench.json",
) -> None:
    """Guard checks per second on a 600-character zh and en draft, on one core."""
    import os

    from eval.bench import guard_bench
    from guards import load_packs

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the script does
    start = time.perf_counter()
    rules = load_packs()
    load_s = time.perf_counter() - start
    results = {lang: guard_bench.bench(lang, seconds) for lang in ("zh", "en")}
    typer.echo(f"packs loaded in {load_s:.2f}s ({len(rules.rules)} rules, {rules.version})")
    for lang, r in results.items():
        typer.echo(
            f"{lang}: {r['checks_per_s']:.0f} checks/s wall, "
            f"{r['checks_per_cpu_s']:.0f} checks per CPU-second ({r['chars']} chars)"
        )
    _write(json_out, {"load_s": load_s, "results": results})


def _one_by_one(model: Any, lang: str, texts: list[str]) -> list[Any]:
    """The naive pipeline: one post per call."""
    return [model.score([t], lang=lang) for t in texts]


@bench_app.command("sentiment")
def bench_sentiment(
    data: Annotated[Path, typer.Option(help="Folder of the shared data.")] = DATA_DIR,
    rows: Annotated[int, typer.Option(help="Rows for the transformers part.")] = 300,
    transformer: Annotated[
        Path | None,
        typer.Option(help="Local transformers model (default: make sentiment-model's)."),
    ] = None,
    json_out: Annotated[Path, typer.Option("--json")] = BENCH_DIR / "sentiment_bench.json",
) -> None:
    """Posts/s: the default model batched and one post per call; transformers vs pipeline()."""
    from functools import partial

    from eval.bench import sentiment_bench
    from service.sentiment import corpus
    from service.sentiment.ngramnet import NgramNetSentiment

    # The script measures the default model batched and, when the transformers model is built,
    # transformers batched vs a batch-1 pipeline(); add the default model one post per call.
    argv = ["--data", str(data), "--rows", str(rows), "--out", str(json_out)]
    sentiment_bench.main(argv + (["--transformer", str(transformer)] if transformer else []))
    report: dict[str, Any] = json.loads(json_out.read_text(encoding="utf-8"))
    model = NgramNetSentiment()
    for stem in sentiment_bench.SHORT_SETS:
        examples = corpus.load_jsonl(data / f"{stem}.jsonl")[:rows]
        texts, lang = [e.text for e in examples], examples[0].lang
        batched = sentiment_bench.rate(partial(model.score, lang=lang), texts)
        one = sentiment_bench.rate(partial(_one_by_one, model, lang), texts)
        report[f"default {stem} batch-1 posts/s"] = round(one, 1)
        report[f"default {stem} batched / batch-1 ({len(texts)} rows)"] = round(batched / one, 2)
    for key in [k for k in report if "batch-1" in k]:
        typer.echo(f"{key}: {report[key]}")
    _write(json_out, report)


@bench_app.command(
    "ingest", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def bench_ingest(ctx: typer.Context) -> None:
    """Feedback ingest posts/s over loopback with a loss count (eval/bench/feedback_ingest.py)."""
    try:
        from eval.bench import feedback_ingest
    except ImportError as exc:
        typer.echo(f"the ingest benchmark is not installed: {exc}", err=True)
        raise typer.Exit(2) from exc
    raise typer.Exit(feedback_ingest.main(list(ctx.args)))
