"""Detection-as-code: pin a rule's behaviour on sample logs.

    kqlhunt test RULE.yaml --data FILE... --expect N
    kqlhunt test RULE.yaml                 # reads RULE.tests.yaml next to it:

    tests:
      - name: path-less net user is found
        data: [samples/net_user.json]      # relative to the sidecar file
        expect: 1                          # number of findings
        now: 2024-01-02T04:00:00Z          # optional reference time
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..rules.loader import load_rule


@dataclass
class TestCase:
    name: str
    data: list[Path]
    expect: int
    now: str | None = None


@dataclass
class TestResult:
    case: TestCase
    findings: int | None
    passed: bool
    message: str


def sidecar_path(rule_path: Path) -> Path:
    stem = rule_path.name.rsplit(".", 1)[0]
    return rule_path.with_name(stem + ".tests.yaml")


def load_sidecar(path: Path) -> list[TestCase]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cases = []
    for i, t in enumerate(doc.get("tests") or []):
        if "expect" not in t or not t.get("data"):
            raise ValueError(f"{path}: test {i + 1} needs 'data' and 'expect'")
        data = [p if Path(p).is_absolute() else path.parent / p for p in
                ([t["data"]] if isinstance(t["data"], str) else t["data"])]
        cases.append(TestCase(str(t.get("name") or f"test {i + 1}"), [Path(p) for p in data], int(t["expect"]),
                              str(t["now"]) if t.get("now") else None))
    return cases


def run_case(rule_path: Path, case: TestCase) -> TestResult:
    from ..engine import Engine
    from ..ingest import ingest_paths
    from .runner import hunt
    rule = load_rule(rule_path)
    missing = [str(p) for p in case.data if not Path(p).exists()]
    if missing:
        return TestResult(case, None, False, "no such data file: " + ", ".join(missing))
    with tempfile.TemporaryDirectory(prefix="kqlhunt-test-") as tmp:
        db = Path(tmp) / "ws.duckdb"
        ingest_paths([str(p) for p in case.data], db, progress=False)
        with Engine(db=db) as engine:
            report = hunt(engine, [rule], now=case.now, store=False, workers=1)
    o = [o for o in report.outcomes if o.id == rule.id][0]
    if o.status != "run":
        return TestResult(case, None, False, f"rule {o.status}: {o.reason}")
    n = len(o.findings)
    ok = n == case.expect
    return TestResult(case, n, ok, f"{n} finding(s), expected {case.expect}")
