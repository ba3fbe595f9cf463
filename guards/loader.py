"""Load rule packs: validate against the schema, compile, and run every rule's examples."""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from guards.compiled import Compiled, compile_rule
from guards.errors import PackError
from guards.models import Draft, GuardContext, Lang
from guards.schema import ConsistencyRule, Example, Pack, Rule

PACK_DIR = Path(__file__).parent / "packs"
EXAMPLE_NOW = {"zh": "2023-10-15T14:30:00+08:00", "en": "2023-10-15T14:30:00+00:00"}
EXAMPLE_ZONE = {"zh": "Asia/Shanghai", "en": "UTC"}


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Compiled rules of every pack, and a digest of the pack files."""

    rules: list[Compiled]
    version: str
    when_facts: frozenset[str] = frozenset()

    def get(self, rule_id: str) -> Compiled:
        """One rule by id."""
        for c in self.rules:
            if c.rule.id == rule_id:
                return c
        raise KeyError(rule_id)


def _line(root: yaml.Node, loc: tuple[Any, ...]) -> int:
    """1-based line of the deepest node a pydantic error location reaches."""
    node = root
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            nxt = node.value[key]
        else:
            nxt = None
        if nxt is None:
            continue  # discriminator tags and union branches are not YAML keys
        node = nxt
    return node.start_mark.line + 1


def example_context(rule: Rule, lang: Lang, ex: Example) -> GuardContext:
    """The context an example runs in: the rule's first stage/kind/channel unless overridden."""
    stage = ex.stage or (rule.stages[0] if rule.stages else None)
    kind = ex.kind or (rule.kinds[0] if rule.kinds else "incident")
    channel = ex.channel or (rule.channels[0] if rule.channels else "statuspage")
    return GuardContext(
        lang=lang,
        stage=stage,
        kind=kind,
        channel=channel,
        now=ex.now or datetime.fromisoformat(EXAMPLE_NOW[lang]),
        timezone=ex.timezone or EXAMPLE_ZONE[lang],
        severity=ex.severity or "P1",
        facts=ex.facts,
    )


def _fires(c: Compiled, lang: Lang, item: str | Example) -> bool:
    from guards.checks.consistency import consistency
    from guards.doc import Doc
    from guards.engine import applies, run_rule

    ex = item if isinstance(item, Example) else Example(text=item)
    if isinstance(c.rule, ConsistencyRule):
        docs = []
        for r in ex.renditions:
            ctx = example_context(c.rule, r.lang, Example(channel=r.channel))
            docs.append(Doc(Draft(body=r.text), ctx))
        return bool(consistency(c, docs))
    ctx = example_context(c.rule, lang, ex)
    if not applies(c, ctx):
        raise ValueError("the example's context does not bring the rule into force")
    return bool(run_rule(c, Doc(Draft(body=ex.text, title=ex.title), ctx)))


def _run_examples(c: Compiled, root: yaml.Node, index: int, path: str) -> None:
    rule = c.rule
    for lang in rule.langs:
        examples = rule.examples[lang]
        for verdict, items in (("valid", examples.valid), ("invalid", examples.invalid)):
            for j, item in enumerate(items):
                line = _line(root, ("rules", index, "examples", lang, verdict, j))
                try:
                    fired = _fires(c, lang, item)
                except ValueError as exc:
                    raise PackError(
                        path, line, f"{rule.id}: {lang} {verdict} example: {exc}"
                    ) from exc
                if fired != (verdict == "invalid"):
                    what = "does not fire" if verdict == "invalid" else "fires"
                    raise PackError(
                        path, line, f"{rule.id}: {lang} {verdict} example {what}: {item!r:.80}"
                    )


def load_pack_file(path: Path) -> list[Compiled]:
    """Validate, compile and self-test one pack file; PackError names the file and line."""
    where = str(path)
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PackError(where, mark.line + 1 if mark else 1, f"invalid YAML: {exc}") from exc
    if root is None:
        raise PackError(where, 1, "empty pack")
    try:
        pack = TypeAdapter(Pack).validate_python(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise PackError(
            where, _line(root, tuple(err["loc"])), f"{err['msg']} at {err['loc']}"
        ) from exc
    if pack.pack != path.stem:
        raise PackError(where, 1, f"pack {pack.pack!r} must live in {pack.pack}.yaml")
    compiled: list[Compiled] = []
    for i, rule in enumerate(pack.rules):
        line = _line(root, ("rules", i))
        try:
            c = compile_rule(rule, where, line)
        except re.error as exc:
            raise PackError(where, line, f"{rule.id}: bad pattern: {exc}") from exc
        _run_examples(c, root, i, where)
        compiled.append(c)
    return compiled


def load_dir(directory: Path) -> RuleSet:
    """Load every *.yaml pack in a directory (uncached)."""
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise PackError(str(directory), 0, "no packs found")
    digest = hashlib.sha256()
    rules: list[Compiled] = []
    seen: set[str] = set()
    for f in files:
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
        for c in load_pack_file(f):
            if c.rule.id in seen:
                raise PackError(str(f), c.line, f"duplicate rule id {c.rule.id}")
            seen.add(c.rule.id)
            rules.append(c)
    when = frozenset(c.rule.when_fact for c in rules if c.rule.when_fact)
    return RuleSet(rules, "sha256:" + digest.hexdigest()[:16], when)


@cache
def _cached(directory: str) -> RuleSet:
    return load_dir(Path(directory))


def load_packs(directory: Path | None = None) -> RuleSet:
    """The compiled rules of a pack directory (default: the shipped packs), loaded once."""
    if directory is None:
        return _shipped()  # every check asks for these: skip resolving the path each time
    return _cached(str(directory.resolve()))


@cache
def _shipped() -> RuleSet:
    return _cached(str(PACK_DIR.resolve()))
