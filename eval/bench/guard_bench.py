"""Guard throughput: checks per second of a 600-character zh and en draft on one core.

python eval/bench/guard_bench.py [--seconds 3] [--json out.json]
"""

import argparse
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from guards import Draft, GuardContext, GuardFacts, check, load_packs

ZH_UNIT = (
    "我们已确认云存储服务在华北和华东地区出现访问异常，原因是负载均衡器配置错误导致请求分发不均。"
    "技术团队正在进行配置回滚。约40%的华北和华东地区用户无法正常上传文件，其他地区用户不受影响。"
    "我们预计在1小时内（16:00前）完成修复。如需紧急访问文件，可尝试切换到华南地区节点。\n"
    "我们将在30分钟内（15:30）提供下一次更新。\n"
)
EN_UNIT = (
    "We are investigating reports of degraded performance for Git Operations in Europe. "
    "About 40% of pushes over HTTPS fail. We have identified a configuration change as the cause "
    "and are rolling it back. In the meantime, you can push over SSH. We expect recovery by "
    "16:00 UTC.\nWe will provide an update by 15:30 UTC.\n"
)


def _sized(unit: str, size: int = 600) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _context(lang: str) -> GuardContext:
    zone = "Asia/Shanghai" if lang == "zh" else "UTC"
    offset = "+08:00" if lang == "zh" else "+00:00"
    facts = GuardFacts(
        affected_regions=["华北", "华东"] if lang == "zh" else ["Europe"],
        affected_share_pct=40,
        engineering_eta_minutes=45,
        eta_estimated_at=datetime.fromisoformat(f"2023-10-15T15:00:00{offset}"),
        workaround="切换到华南地区节点" if lang == "zh" else "push over SSH",
        timezone=zone,
    )
    return GuardContext(
        lang=lang,  # type: ignore[arg-type]
        stage="identified",
        now=datetime.fromisoformat(f"2023-10-15T15:00:00{offset}"),
        timezone=zone,
        severity="P1",
        facts=facts,
    )


def bench(lang: str, seconds: float) -> dict[str, float]:
    """Checks per second for one language."""
    draft = Draft(body=_sized(ZH_UNIT if lang == "zh" else EN_UNIT), title="云存储服务访问异常")
    ctx = _context(lang)
    rules = load_packs()
    check(draft, ctx, rules)  # warm caches
    n = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        check(draft, ctx, rules)
        n += 1
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    # CPU time is what one core spends; on a shared machine wall time also counts waiting.
    return {
        "chars": len(draft.body),
        "checks": n,
        "wall_s": elapsed,
        "cpu_s": cpu,
        "checks_per_s": n / elapsed,
        "checks_per_cpu_s": n / cpu,
    }


def main() -> int:
    """Print checks/s per language; write JSON when asked."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    t0 = time.perf_counter()
    rules = load_packs()
    load_s = time.perf_counter() - t0
    results = {lang: bench(lang, args.seconds) for lang in ("zh", "en")}
    print(f"packs loaded in {load_s:.2f}s ({len(rules.rules)} rules, {rules.version})")
    for lang, r in results.items():
        print(
            f"{lang}: {r['checks_per_s']:.0f} checks/s wall, "
            f"{r['checks_per_cpu_s']:.0f} checks per CPU-second "
            f"({r['chars']} chars, {r['checks']} checks)"
        )
    if args.json:
        args.json.write_text(json.dumps({"load_s": load_s, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
