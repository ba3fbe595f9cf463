"""Facts from real data: GitHub status-page incidents and Chinese IT fault records (README.md)."""

import json
import re
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from eval.drafts.cases import Case, CaseContext, Step
from service.domain.enums import IncidentKind, Severity
from service.domain.facts import IncidentFacts, IncidentFactsPatch
from service.drafting.model import DraftKind

TABLES = Path(__file__).with_name("derive.yaml")
DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data"
GITHUB = DATA_DIR / "incidents_en_github.jsonl"
FAULTS = DATA_DIR / "facts_zh_ict_fault_records.jsonl"
_SHANGHAI = "+08:00"
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?])(?:\s|$)")
_URL = re.compile(r"https?://\S+|www\.\S+")
_WITH = re.compile(r"^Incident with (.+)$", re.I)


@cache
def tables() -> dict[str, Any]:
    """The extraction tables."""
    data: dict[str, Any] = yaml.safe_load(TABLES.read_text(encoding="utf-8"))
    return data


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSON-lines file."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _stand_in_eta(now: datetime, end: datetime) -> int:
    # The records carry no engineering estimate; use the time that was actually left, unbuffered
    # by 1.4 so the published (buffered) ETA lands near the real end.
    left = max((end - now).total_seconds() / 60, 5)
    return max(round(left / 1.4), 1)


def _steps(kind: IncidentKind, start: datetime, end: datetime) -> list[Step]:
    """Snapshots: investigating +5 min, identified at 40 %, monitoring at 80 %, then resolved."""
    span = max(end - start, timedelta(minutes=10))
    t_inv = start + min(timedelta(minutes=5), span / 4)
    t_idf = start + span * 0.4
    t_mon = start + span * 0.8
    steps: list[Step] = []
    if kind in (IncidentKind.full_outage, IncidentKind.partial_outage):
        patch = IncidentFactsPatch(engineering_eta_minutes=_stand_in_eta(t_inv, end))
        steps.append(Step(kind=DraftKind(kind.value), now=t_inv, facts=patch))
    steps.append(Step(kind=DraftKind.investigating, now=t_inv))
    steps.append(
        Step(
            kind=DraftKind.identified,
            now=t_idf,
            facts=IncidentFactsPatch(engineering_eta_minutes=_stand_in_eta(t_idf, end)),
        )
    )
    steps.append(Step(kind=DraftKind.monitoring, now=t_mon))
    steps.append(Step(kind=DraftKind.resolved, now=end + timedelta(minutes=5)))
    steps.append(Step(kind=DraftKind.postmortem, now=end + timedelta(days=1)))
    return steps


def _with_stage_facts(steps: list[Step], later: dict[DraftKind, IncidentFactsPatch]) -> list[Step]:
    out = []
    for step in steps:
        extra = later.get(step.kind)
        if extra is not None:
            merged = {
                **step.facts.model_dump(exclude_unset=True),
                **extra.model_dump(exclude_unset=True),
            }
            step = step.model_copy(update={"facts": IncidentFactsPatch(**merged)})
        out.append(step)
    return out


def github_symptom(body: str) -> str | None:
    """The user-visible symptom in an update's first sentence, without 'We are investigating'."""
    t = tables()["github"]
    text = _URL.sub("", body).strip()
    m = _FIRST_SENTENCE.match(text)
    text = (m.group(1) if m else text).rstrip(".!? ")
    for prefix in t["symptom_prefixes"]:
        text = re.sub(prefix, "", text, flags=re.I).strip()
    if not text or any(re.search(p, text, re.I) for p in t["empty_symptoms"]):
        return None
    return text[:1].lower() + text[1:]


def github_case(row: dict[str, Any]) -> Case:
    """Facts for one GitHub incident."""
    t = tables()["github"]
    severity, kind = t["impact"][row["impact"]]
    components = [c for c in row["components"] if c not in t["drop_components"]]
    if not components:
        m = _WITH.match(row["title"])
        if m:
            components = [c.strip() for c in re.split(r",\s*|\s+and\s+", m.group(1)) if c.strip()]
    start = datetime.fromisoformat(row["started_at"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(row["resolved_at"].replace("Z", "+00:00"))
    symptom = github_symptom(row["updates"][0]["body"]) if row["updates"] else None
    facts = IncidentFacts(
        symptoms=[symptom] if symptom else [],
        affected_components=components,
        detected_at=start,
        timezone="UTC",
    )
    steps = _with_stage_facts(
        _steps(IncidentKind(kind), start, end),
        {
            DraftKind.resolved: IncidentFactsPatch(recovered_at=end),
            DraftKind.postmortem: IncidentFactsPatch(recovered_at=end),
        },
    )
    return Case(
        id=f"github-{row['incident_id']}",
        context=CaseContext(
            name=row["title"], severity=Severity(severity), kind=IncidentKind(kind)
        ),
        facts=facts,
        steps=steps,
    )


def _first_match(text: str | None, table: list[list[str]], limit: int) -> list[str]:
    if not text:
        return []
    return [wording for pattern, wording in table if re.search(pattern, text)][:limit]


def fault_case(row: dict[str, Any]) -> Case:
    """Facts for one Chinese fault record, in user-level wording only."""
    t = tables()["ict"]
    severity, kind, symptom = t["subtype"].get(row.get("anomaly_subtype"), t["default_subtype"])
    system = row.get("affected_system")
    if not system or not re.search(r"[A-Za-z\u4e00-\u9fff]", system):
        system = "业务系统"  # a few records carry "0" or nothing
    component = "多个业务系统" if system == "多套系统" else system
    start = datetime.fromisoformat(row["started_at"] + _SHANGHAI)
    end = datetime.fromisoformat(row["ended_at"] + _SHANGHAI)
    sub, cat = row.get("cause_subcategory"), row.get("cause_category")
    cause = None
    if sub not in t["unknown_causes"]:
        cause = t["cause_subcategory"].get(sub) or t["cause_category"].get(cat)
    fixes = _first_match(row.get("handling_process"), t["fixes"], 2) or [t["default_fix"]]
    follow = _first_match(row.get("remediation"), t["follow_ups"], 1)
    if row.get("remediation") and not follow:
        follow = [t["default_follow_up"]]
    facts = IncidentFacts(
        symptoms=[symptom],
        affected_components=[component],
        detected_at=start,
        timezone="Asia/Shanghai",
    )
    fix = "我们" + "并".join(fixes)
    later = {
        DraftKind.identified: IncidentFactsPatch(cause=cause),
        DraftKind.monitoring: IncidentFactsPatch(fix_applied=fix),
        DraftKind.resolved: IncidentFactsPatch(recovered_at=end, follow_ups=follow),
        DraftKind.postmortem: IncidentFactsPatch(recovered_at=end),
    }
    return Case(
        id=row["id"],
        context=CaseContext(
            name=f"{component}服务异常", severity=Severity(severity), kind=IncidentKind(kind)
        ),
        facts=facts,
        steps=_with_stage_facts(_steps(IncidentKind(kind), start, end), later),
    )


def github_cases(path: Path = GITHUB) -> list[Case]:
    """Every GitHub incident as a case."""
    return [github_case(r) for r in read_jsonl(path)]


def fault_cases(path: Path = FAULTS) -> list[Case]:
    """Every fault record as a case."""
    return [fault_case(r) for r in read_jsonl(path)]
