"""Rule loading: Azure-Sentinel YAML (shared/sentinel/rules), the enriched seed, bundled rules, folders with
non-rule and invalid files, what a query reads."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.hunt.conftest import RULES, SEED
from kqlhunt.rules import BUNDLED_DIR, load_rule, load_rules, parse_duration, query_reads, rule_sources

BAD = "Detections/ASimProcess/imProcess_PotentialBuildProcessCompromise.yaml"


def test_shared_rules_load_with_one_invalid_file():
    rs = load_rules([RULES])
    assert len(rs.rules) == 27
    assert [(i.path, i.reason) for i in rs.invalid] == [
        (str(RULES / BAD), "invalid YAML at line 21:3: expected <block end>, but found '<scalar>'")]
    kinds = {}
    for r in rs.rules:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    assert kinds == {"analytic": 8, "hunting": 19}
    assert rs.duplicates == []


def test_seed_rule_with_enrichment():
    r = load_rule(SEED / "rule.yaml")
    assert (r.id, r.kind, r.severity, r.tactics, r.techniques) == (
        "7b3ed03a-7474-4dad-9c6a-92e7b69f6584", "hunting", "Medium", ["Discovery"], [])
    assert r.name == "Enumeration of users and groups (Normalized Process Events)"
    assert r.description == "Finds attempts to list users or groups using the built-in Windows 'net' tool"
    assert r.hunt_hypothesis.startswith("Adversaries may use the 'net' tool to enumerate users and groups")
    assert r.false_positive_guidance == "" and r.references == []
    assert r.feed["sourcePath"] == "Hunting Queries/ASimProcess/imProcess_enumeration_user_and_group.yaml"
    assert r.tags == ["backdoorhunting", "microsoftofficial"]
    assert r.query_period is None and r.entity_mappings == []


def test_analytic_rule_fields():
    r = load_rule(RULES / "Detections/ASimProcess/imProcess_AdFind_Usage.yaml")
    assert (r.kind, r.source_kind, r.severity, r.version) == ("analytic", "Scheduled", "High", "1.1.6")
    assert (r.query_frequency, r.query_period) == (dt.timedelta(hours=1), dt.timedelta(hours=1))
    assert (r.trigger_operator, r.trigger_threshold) == ("gt", 0)
    assert r.techniques == ["T1018"]
    assert [(m.type, [(f.identifier, f.column) for f in m.fields]) for m in r.entity_mappings] == [
        ("Account", [("FullName", "User"), ("Name", "AccountName"), ("NTDomain", "AccountNTDomain")]),
        ("Host", [("FullName", "Dvc"), ("HostName", "HostName"), ("DnsDomain", "HostNameDomain")]),
        ("Process", [("ProcessId", "ActingProcessName"), ("CommandLine", "CommandLine")]),
        ("FileHash", [("Algorithm", "AlgorithmType"), ("Value", "TargetProcessSHA256")]),
    ]
    assert r.triggered(1) and not r.triggered(0)


def test_query_reads_tables_not_let_names():
    adfind = load_rule(RULES / "Detections/ASimProcess/imProcess_AdFind_Usage.yaml")
    reads = query_reads(adfind.query)
    assert (reads.required, reads.optional) == ({"imProcessCreate"}, set())
    backup = load_rule(RULES / "Solutions/Endpoint Threat Protection Essentials/Hunting Queries/BackupDeletion.yaml")
    reads = query_reads(backup.query)
    assert reads.required == set()
    assert reads.optional == {"SecurityEvent", "WindowsEvent", "DeviceProcessEvents", "imProcessCreate"}
    drop = load_rule(RULES / "Solutions/Legacy IOC based Threat Protection/Hunting Queries/"
                     "Dev-0322FileDropActivityNovember2021(ASIMVersion).yaml")
    assert query_reads(drop.query).all == ["SecurityAlert", "imFileEvent", "imProcess"]
    q = "let T = SecurityEvent | take 1; let f = (x:string) { Event | where EventID == 1 }; T | join (f('a')) on X"
    assert query_reads(q).all == ["Event", "SecurityEvent"]


def test_folder_walk_skips_non_rules_and_reports_invalid(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "ok.yaml").write_text("id: a1\nname: ok\nquery: |\n  SecurityEvent | take 1\n")
    (tmp_path / "sub" / "parser.yaml").write_text("Parser:\n  Title: not a rule\nParserQuery: x\n")
    (tmp_path / "sub" / "notes.yml").write_text("just: [unclosed\n")
    (tmp_path / "bad.yaml").write_text("id: b1\nname: bad\nquery: |\n  x\n tactics: [\n")
    (tmp_path / "noid.yaml").write_text("name: no id\nquery: T\n")
    (tmp_path / "ok.tests.yaml").write_text("tests: []\n")
    rs = load_rules([tmp_path])
    assert [r.id for r in rs.rules] == ["a1"]
    assert [(i.path.rsplit("/", 1)[-1], i.reason) for i in rs.invalid] == [
        ("bad.yaml", "invalid YAML at line 5:2: expected <block end>, but found '<block mapping start>'"),
        ("noid.yaml", "missing 'id'"),
    ]


def test_bundled_rules_and_sources(tmp_path):
    rs = load_rules([BUNDLED_DIR])
    assert rs.invalid == []
    assert len(rs.rules) == 6
    assert "7b3ed03a-7474-4dad-9c6a-92e7b69f6584" in {r.id for r in rs.rules}
    assert all(r.tactics and r.severity for r in rs.rules)
    assert sum(r.kind == "analytic" for r in rs.rules) == 4
    env = {"KQLHUNT_RULES": f"{tmp_path}/a:{tmp_path}/b"}
    assert rule_sources(["x"], env=env) == [BUNDLED_DIR, __import__("pathlib").Path("x"), tmp_path / "a",
                                            tmp_path / "b"]
    assert rule_sources([], bundled=False, env={}) == []
    both = load_rules([BUNDLED_DIR, SEED])
    assert [(d.path, k.path) for d, k in both.duplicates] == [
        (str(SEED / "rule.yaml"), str(BUNDLED_DIR / "imProcess_enumeration_user_and_group.yaml"))]


def test_durations():
    assert parse_duration("14d") == dt.timedelta(days=14)
    assert parse_duration("PT1H") == dt.timedelta(hours=1)
    assert parse_duration("5m") == dt.timedelta(minutes=5)
    with pytest.raises(ValueError):
        parse_duration("soon")
