"""Where the alert → draft time goes: the two use cases in-process, timed and profiled.

The HTTP benchmark (draft_http.py) cannot profile the server: FastAPI runs these sync endpoints in
worker threads, which a sampling profiler started in the main thread does not see. This runs the
same use cases (alert intake, draft creation, each with its commit) on a fresh SQLite file in the
main thread: first timed, then under pyinstrument. HTTP time minus this time is the cost of
uvicorn, FastAPI (validation, dependencies, serialisation) and the loopback.

python -m eval.bench.draft_profile [--iterations 300] [--profile OUT.txt] [--json OUT]
"""

import argparse
import json
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eval.bench.draft_http import ALERT, DRAFT_BODY, alert_payload
from eval.stats import summary


def _session_loop(workdir: Path) -> Callable[[str], tuple[float, float]]:
    from service import alerts, drafts
    from service.app import build_drafters
    from service.config import Settings
    from service.domain.draft import DraftCreate
    from service.intake.mapping import load_mapping
    from service.store.db import make_engine, make_session_factory
    from service.store.migrate import upgrade

    settings = Settings(database_url=f"sqlite:///{workdir / 'herald.db'}")
    upgrade(settings.database_url)
    factory = make_session_factory(make_engine(settings.database_url))
    mapping = load_mapping(settings.alert_mapping_path)
    drafters = build_drafters(settings)
    template = json.loads(ALERT.read_text(encoding="utf-8"))
    body = DraftCreate.model_validate(DRAFT_BODY)
    contacts = settings.support_contacts()

    def once(tag: str) -> tuple[float, float]:
        t0 = time.perf_counter()
        with factory() as session:
            result = alerts.ingest(
                session, "alertmanager", alert_payload(template, tag), mapping, actor="bench"
            )
            session.commit()
            t1 = time.perf_counter()
            incident = result.incidents[0].incident_id
            drafts.create_draft(
                session, incident, body, drafters, actor="bench", support_contact=contacts
            )
            session.commit()
        t2 = time.perf_counter()
        return (t1 - t0) * 1000, (t2 - t1) * 1000

    return once


def run(iterations: int = 300, warmup: int = 30, profile_to: Path | None = None) -> dict[str, Any]:
    """Time the use cases, then profile another `iterations` of them when asked."""
    with tempfile.TemporaryDirectory(prefix="herald-profile-") as tmp:
        once = _session_loop(Path(tmp))
        run_id = uuid.uuid4().hex[:8]
        for i in range(warmup):
            once(f"{run_id}-w{i}")
        alert_ms, draft_ms = [], []
        for i in range(iterations):
            a, d = once(f"{run_id}-{i}")
            alert_ms.append(a)
            draft_ms.append(d)
        result: dict[str, Any] = {
            "iterations": iterations,
            "in_process_alert_ms": summary(alert_ms),
            "in_process_draft_ms": summary(draft_ms),
        }
        if profile_to is not None:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
            for i in range(iterations):
                once(f"{run_id}-p{i}")
            profiler.stop()
            profile_to.write_text(profiler.output_text(unicode=True, color=False))
            result["profile"] = str(profile_to)
    return result


def main(argv: list[str] | None = None) -> int:
    """Print the in-process figures; write the profile and JSON when asked."""
    parser = argparse.ArgumentParser(prog="python -m eval.bench.draft_profile")
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    result = run(args.iterations, profile_to=args.profile)
    for name in ("in_process_alert_ms", "in_process_draft_ms"):
        s = result[name]
        print(f"{name:22} p50 {s['p50']:7.2f}  p95 {s['p95']:7.2f}  p99 {s['p99']:7.2f}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
