"""`kqlhunt hunt` end to end over real workspaces: Security-Datasets (every shared rule reported run / skipped /
failed with its reason; the seed runs and, faithfully, finds nothing) and the path-less `net  user administrator
/domain` 4688 fixture (the seed's finding with Account and Host entities)."""
from __future__ import annotations

import csv
import io
import json
import shutil

import duckdb
from typer.testing import CliRunner

from tests.hunt.conftest import NET_USER, RULES, SEED
from kqlhunt.cli import app

SEED_ID = "7b3ed03a-7474-4dad-9c6a-92e7b69f6584"
SEED_NAME = "Enumeration of users and groups (Normalized Process Events)"


def run(*args):
    res = CliRunner().invoke(app, [str(a) for a in args])
    return res


def test_security_datasets_every_rule_reported(sd_copy):
    res = run("hunt", "--db", sd_copy, "--rules", RULES, "--rules", SEED, "--no-bundled", "--format", "json")
    assert res.exit_code == 3, res.output
    doc = json.loads(res.stdout)
    assert set(doc) == {"reference_time", "rules", "findings"}
    assert set(doc["rules"]) == {"run", "skipped", "failed"}
    assert doc["reference_time"] == "2023-08-15T10:07:54.066000Z"
    skipped = {s["name"]: s["reason"] for s in doc["rules"]["skipped"]}
    failed = {s["name"]: s["reason"] for s in doc["rules"]["failed"]}
    assert skipped == {
        SEED_NAME: f"same id as {RULES / 'Hunting Queries/ASimProcess/imProcess_enumeration_user_and_group.yaml'} "
                   "(duplicate)",
        "Dev-0228 File Path Hashes November 2021 (ASIM Version)": "missing table: SecurityAlert",
        "Network endpoint to host executable correlation (Normalized Process Events)":
            "missing table: CommonSecurityLog",
        "Dev-0056 Command Line Activity November 2021 (ASIM Version)": "missing table: SecurityAlert",
        "New processes observed in last 24 hours (Normalized Process)": "missing table: imProcessCreation",
        "Dev-0322 Command Line Activity November 2021 (ASIM Version)": "missing table: SecurityAlert",
        "Dev-0322 File Drop Activity November 2021 (ASIM Version)": "missing table: SecurityAlert, imFileEvent",
    }
    bad = RULES / "Detections/ASimProcess/imProcess_PotentialBuildProcessCompromise.yaml"
    assert failed["imProcess_PotentialBuildProcessCompromise.yaml"] == (
        f"{bad}: invalid YAML at line 21:3: expected <block end>, but found '<scalar>'")
    # its SecurityEvent leg compares the int EventID with the string '4688', which Kusto rejects; isfuzzy only
    # drops legs over missing tables (union-operator.md), so the whole query fails as it would in Sentinel
    assert failed["Nylon Typhoon Command Line Activity November 2021"] == (
        "semantic error: cannot compare int with string using '==' at line 22:17")
    assert failed["Entropy for Processes for a given Host (Normalized Process Events)"] == (
        "semantic error: Failed to resolve scalar expression named 'TargetProcessFilePath' at line 14:56")
    assert all("\n" not in r for r in list(failed.values()) + list(skipped.values()))
    # every rule file (28) plus the seed is accounted for exactly once
    assert doc["rules"]["run"] + len(skipped) + len(failed) == 29
    assert doc["rules"]["run"] == 29 - 7 - len(failed)
    # the seed ran (it is not skipped or failed) and found nothing: every command line there has a path
    assert SEED_NAME not in failed
    assert [f for f in doc["findings"] if f["rule_id"] == SEED_ID] == []
    assert {f["rule_name"] for f in doc["findings"]} >= {
        "Certutil (LOLBins and LOLScripts, Normalized Process Events)"}
    for f in doc["findings"]:
        assert set(f) == {"rule_id", "rule_name", "kind", "severity", "tactics", "techniques", "time_start",
                          "time_end", "entities", "row"}
        assert all(set(e) == {"type", "identifier", "value"} for e in f["entities"])


def test_net_user_fixture_finding_json_shape(net_db):
    res = run("hunt", "--db", net_db, "--rules", SEED, "--no-bundled", "--format", "json")
    assert res.exit_code == 3, res.output
    assert json.loads(res.stdout) == {
        "reference_time": "2024-01-02T03:05:00Z",
        "rules": {"run": 1, "skipped": [], "failed": []},
        "findings": [{
            "rule_id": SEED_ID, "rule_name": SEED_NAME, "kind": "hunting", "severity": "Medium",
            "tactics": ["Discovery"], "techniques": [],
            "time_start": "2024-01-02T03:04:05.123000Z", "time_end": "2024-01-02T03:04:05.123000Z",
            "entities": [{"type": "Account", "identifier": "FullName", "value": "CORP\\bob"},
                         {"type": "Host", "identifier": "FullName", "value": "WS1.corp.local"}],
            "row": {"ActorUsername": "CORP\\bob", "Target": "administrator ",
                    "CommandLine": "net  user administrator /domain", "Dvc": "WS1.corp.local",
                    "EventVendor": "Microsoft", "EventProduct": "Security Events",
                    "minTimeGenerated": "2024-01-02T03:04:05.123000Z",
                    "maxTimeGenerated": "2024-01-02T03:04:05.123000Z", "count_": 1,
                    "timestamp": "2024-01-02T03:04:05.123000Z", "AccountCustomEntity": "CORP\\bob",
                    "HostCustomEntity": "WS1.corp.local"},
        }],
    }
    # stored in the workspace for the web UI
    con = duckdb.connect(str(net_db), read_only=True)
    assert con.execute("SELECT rules_run, rules_skipped, rules_failed, findings FROM _kqlhunt_runs").fetchall() == [
        (1, 0, 0, 1)]
    assert con.execute("SELECT rule_id, severity, entities->>'$[0].value', row->>'Target' "
                       "FROM _kqlhunt_findings").fetchall() == [(SEED_ID, "Medium", "CORP\\bob", "administrator ")]
    assert con.execute("SELECT rule_id, last_status, last_findings FROM _kqlhunt_rules").fetchall() == [
        (SEED_ID, "run", 1)]
    con.close()


def test_broken_rules_do_not_stop_the_others(net_db, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(SEED / "rule.yaml", rules / "seed.yaml")
    (rules / "bad_yaml.yaml").write_text("id: 1\nname: Bad YAML\nquery: |\n  SecurityEvent\n tactics: [\n")
    (rules / "bad_kql.yaml").write_text("id: 2\nname: Bad KQL\nquery: |\n  SecurityEvent | where (EventID == \n")
    (rules / "no_table.yaml").write_text("id: 3\nname: No table\nquery: |\n  AWSCloudTrail | take 1\n")
    res = run("hunt", "--db", net_db, "--rules", rules, "--no-bundled", "--format", "json")
    assert res.exit_code == 3, res.output
    doc = json.loads(res.stdout)
    assert doc["rules"]["run"] == 1
    assert doc["rules"]["skipped"] == [{"id": "3", "name": "No table", "reason": "missing table: AWSCloudTrail"}]
    assert doc["rules"]["failed"] == [
        {"id": "", "name": "bad_yaml.yaml",
         "reason": f"{rules / 'bad_yaml.yaml'}: invalid YAML at line 5:2: expected <block end>, but found "
                   "'<block mapping start>'"},
        {"id": "2", "name": "Bad KQL", "reason": "parse error: expected an expression but found end of query at line 2:1"},
    ]
    assert [f["rule_id"] for f in doc["findings"]] == [SEED_ID]


def test_analytic_window_and_threshold(net_db, tmp_path):
    from kqlhunt import Engine
    from kqlhunt.hunt import hunt
    from kqlhunt.rules.loader import rule_from_dict
    q = "SecurityEvent | where EventID == 4688 | project TimeGenerated, Computer, Account, CommandLine"
    base = {"name": "r", "query": q, "kind": "Scheduled", "queryFrequency": "1h", "triggerOperator": "gt"}
    wide = rule_from_dict({**base, "id": "wide", "queryPeriod": "1h", "triggerThreshold": 0})
    narrow = rule_from_dict({**base, "id": "narrow", "queryPeriod": "30s", "triggerThreshold": 0})
    high = rule_from_dict({**base, "id": "high", "queryPeriod": "1h", "triggerThreshold": 2})
    hunting = rule_from_dict({"id": "h", "name": "h", "query": q})
    with Engine(db=net_db) as e:
        rep = hunt(e, [wide, narrow, high, hunting], store=False)
        got = {o.id: (o.status, o.rows, len(o.findings)) for o in rep.outcomes}
        assert got == {"wide": ("run", 2, 2), "narrow": ("run", 1, 1), "high": ("run", 2, 0), "h": ("run", 2, 2)}
        assert [f.row["CommandLine"] for o in rep.outcomes if o.id == "narrow" for f in o.findings] == ["whoami /all"]
        # old-style entities are absent here: Account/Computer are not *CustomEntity columns
        assert rep.findings[0].entities == []
        import datetime as dt
        rep = hunt(e, [hunting], since=dt.datetime(2024, 1, 2, 3, 4, 30), store=False)
        assert [f.row["CommandLine"] for f in rep.findings] == ["whoami /all"]
        rep = hunt(e, [hunting], now="2024-01-03T00:00:00Z", store=False)
        assert rep.reference_time == dt.datetime(2024, 1, 3)


def test_other_formats(net_db):
    res = run("hunt", "--db", net_db, "--rules", SEED, "--no-bundled", "--format", "csv")
    assert res.exit_code == 3
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert rows[0] == ["rule_id", "rule_name", "kind", "severity", "tactics", "techniques", "time_start",
                       "time_end", "alert_name", "entities", "custom_details", "row"]
    assert rows[1][:10] == [SEED_ID, SEED_NAME, "hunting", "Medium", "Discovery", "", "2024-01-02T03:04:05.123000Z",
                            "2024-01-02T03:04:05.123000Z", SEED_NAME,
                            "Account.FullName=CORP\\bob; Host.FullName=WS1.corp.local"]
    res = run("hunt", "--db", net_db, "--rules", SEED, "--no-bundled", "--format", "jsonl")
    lines = res.stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["row"]["Target"] == "administrator "
    res = run("hunt", "--db", net_db, "--rules", SEED, "--no-bundled", "--format", "sarif")
    sarif = json.loads(res.stdout)
    assert sarif["version"] == "2.1.0"
    run0 = sarif["runs"][0]
    assert [r["id"] for r in run0["tool"]["driver"]["rules"]] == [SEED_ID]
    assert [(r["ruleId"], r["level"], r["message"]["text"]) for r in run0["results"]] == [
        (SEED_ID, "warning", f"{SEED_NAME} (Account CORP\\bob, Host WS1.corp.local)")]
    res = run("hunt", "--db", net_db, "--rules", SEED, "--no-bundled")
    assert res.exit_code == 3
    assert "reference time (now()): 2024-01-02T03:05:00Z" in res.stdout
    assert "Medium: 1 finding(s)" in res.stdout


def test_exit_codes(net_db, tmp_path):
    res = run("hunt", "--db", net_db, "--no-bundled", "--rules", RULES / "Hunting Queries/ASimProcess/"
              "imProcess_PowerCatDownload.yaml", "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["rules"]["run"] == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nname: x\nquery: |\n  SecurityEvent | where\n")
    assert run("hunt", "--db", net_db, "--no-bundled", "--rules", bad, "--format", "json").exit_code == 1
    assert run("hunt", "--db", tmp_path / "missing.duckdb").exit_code == 1


def test_bundled_rules_fire_on_the_demo_workspace():
    from kqlhunt import Engine
    from kqlhunt.demo.synth import sentinel_tables
    from kqlhunt.hunt import hunt
    from kqlhunt.rules import BUNDLED_DIR, load_rules
    with Engine() as e:
        for name, table in sentinel_tables().items():
            e.con.register("_src", table)
            e.con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _src')
            e.con.unregister("_src")
        e.refresh()
        rep = hunt(e, load_rules([BUNDLED_DIR]), store=False)
    got = {o.name: (o.status, len(o.findings)) for o in rep.outcomes}
    assert got == {
        SEED_NAME: ("run", 6),
        "Certutil used to download a file (Normalized Process Events)": ("run", 2),
        "LSASS memory dumped with comsvcs.dll MiniDump (Normalized Process Events)": ("run", 1),
        "Encoded PowerShell command line (Normalized Process Events)": ("run", 2),
        "Scheduled task created to run from a user-writable folder (Security Events 4688)": ("run", 1),
        "Volume shadow copies deleted (Security Events 4688)": ("run", 2),
    }
    lsass = [f for f in rep.findings if f.rule.id == "ba12e355-cebd-43e5-8390-bc7f61bebcf9"][0]
    assert [(x.type, x.value) for x in lsass.entities] == [
        ("Account", "CONTOSO\\admin.bob"), ("Host", "FS01.contoso.local"), ("File", "C:\\Windows\\Temp\\lsass.dmp")]
    assert lsass.custom_details == {"DumpFile": "C:\\Windows\\Temp\\lsass.dmp"}
    ps = [f for f in rep.findings if f.rule.id == "679d6ff0-22f3-4955-965f-99e921f7e419"][0]
    assert ps.alert_name == "Encoded PowerShell on WKS-0012.contoso.local by CONTOSO\\erin"
