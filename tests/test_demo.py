"""`make demo` end to end: the synthetic export ingests without loss and every bundled rule finds its attack."""
from __future__ import annotations

from collections import Counter

from kqlhunt.demo.__main__ import main
from kqlhunt.engine import Engine
from kqlhunt.hunt.runner import hunt
from kqlhunt.rules import load_rules, rule_sources


def test_demo_end_to_end(tmp_path, capsys):
    assert main(["--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "3. Hunt with the bundled rules" in printed and "finding(s)" in printed
    engine = Engine(db=tmp_path / "demo.duckdb", read_only=True)
    try:
        assert engine.query("imProcessCreate | summarize count() by EventProduct | order by EventProduct asc").rows == [
            ("Security Events", 1332), ("Sysmon", 2083)]
        report = hunt(engine, load_rules(rule_sources([], bundled=True)), store=False)
    finally:
        engine.close()
    assert [o.status for o in report.outcomes] == ["run"] * 6
    per_rule = Counter(o.rule.name for o in report.outcomes for _ in o.findings)
    assert sum(per_rule.values()) == 14
    assert per_rule["Enumeration of users and groups (Normalized Process Events)"] == 6
