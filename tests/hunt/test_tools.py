"""`rules check` statuses, `rules update` against a local git repository, and `kqlhunt test` (detection as
code)."""
from __future__ import annotations

import json
import shutil
import subprocess

from typer.testing import CliRunner

from tests.hunt.conftest import NET_USER, RULES, SEED
from kqlhunt.cli import app
from kqlhunt.rules.check import check_paths, summary
from kqlhunt.rules.update import UpdateError, update


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_check_statuses_for_known_cases(tmp_path):
    (tmp_path / "bad.yaml").write_text("id: 1\nname: bad\nquery: |\n  x\n tactics: [\n")
    (tmp_path / "parse.yaml").write_text("id: 2\nname: parse\nquery: |\n  SecurityEvent | where (\n")
    (tmp_path / "column.yaml").write_text("id: 3\nname: column\nquery: |\n  SecurityEvent | where NoSuchColumn == 1\n")
    (tmp_path / "table.yaml").write_text("id: 4\nname: table\nquery: |\n  AWSCloudTrail | take 1\n")
    (tmp_path / "ok.yaml").write_text("id: 5\nname: ok\nquery: |\n  SecurityEvent | where EventID == 4688\n")
    res = {r.name: (r.status, r.reason) for r in check_paths([tmp_path])}
    assert res["bad.yaml"][0] == "invalid"
    assert res["parse"] == ("parse_error", "expected an expression but found end of query at line 2:1")
    assert res["column"][0] == "semantic_error" and "NoSuchColumn" in res["column"][1]
    assert res["table"] == ("missing_table", "AWSCloudTrail (no table schema or ASIM function for it in kqlhunt)")
    assert res["ok"] == ("ok", "")


def test_check_shared_rules_json(tmp_path):
    res = invoke("rules", "check", RULES, SEED, "--format", "json")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert set(doc) == {"rules", "summary"}
    assert len(doc["rules"]) == 29
    assert all(set(r) == {"path", "id", "name", "status", "reason"} for r in doc["rules"])
    assert sum(doc["summary"].values()) == 29
    by_file = {r["path"].rsplit("/", 1)[-1]: (r["status"], r["reason"]) for r in doc["rules"]}
    assert by_file["rule.yaml"] == ("ok", "")
    assert by_file["imProcess_enumeration_user_and_group.yaml"] == ("ok", "")
    assert by_file["imProcess_PotentialBuildProcessCompromise.yaml"] == (
        "invalid", "invalid YAML at line 21:3: expected <block end>, but found '<scalar>'")
    assert by_file["NylonTyphoonCommandLineActivity-Nov2021.yaml"] == (
        "unsupported", "join without an 'on' clause (join-operator.md documents no meaning for it) at line 7:3")
    assert by_file["imProcess_ProcessEntropy.yaml"] == (
        "semantic_error", "Failed to resolve scalar expression named 'TargetProcessFilePath' at line 14:56")
    assert by_file["imProcess_new_processes.yaml"] == (
        "missing_table", "imProcessCreation (no table schema or ASIM function for it in kqlhunt)")
    assert by_file["imProcess_NetworkEndpointCorrelation.yaml"] == (
        "missing_table", "CommonSecurityLog (no table schema or ASIM function for it in kqlhunt)")
    assert doc["summary"] == summary([type("R", (), {"status": r["status"]}) for r in doc["rules"]])


def _git(*args, cwd):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True,
                   capture_output=True)


def test_rules_update_clones_then_pulls(tmp_path):
    origin = tmp_path / "origin"
    (origin / "Hunting Queries").mkdir(parents=True)
    shutil.copy(SEED / "rule.yaml", origin / "Hunting Queries" / "seed.yaml")
    _git("init", "-q", cwd=origin)
    _git("add", ".", cwd=origin)
    _git("commit", "-q", "-m", "one", cwd=origin)
    dest = tmp_path / "clone"
    res = invoke("rules", "update", "--dest", dest, "--repo", f"file://{origin}")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith(f"cloned {dest} at ")
    assert (dest / "Hunting Queries" / "seed.yaml").exists()
    shutil.copy(RULES / "Detections/ASimProcess/imProcess_AdFind_Usage.yaml", origin / "Hunting Queries" / "a.yaml")
    _git("add", ".", cwd=origin)
    _git("commit", "-q", "-m", "two", cwd=origin)
    action, commit = update(dest, f"file://{origin}")
    assert action == "updated" and (dest / "Hunting Queries" / "a.yaml").exists()
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=origin, capture_output=True, text=True).stdout.strip()
    assert commit == head
    other = tmp_path / "other"
    other.mkdir()
    (other / "x").write_text("x")
    try:
        update(other, f"file://{origin}")
        raise AssertionError("expected UpdateError")
    except UpdateError as exc:
        assert str(exc) == f"{other} exists and is not a git clone; choose another --dest"
    assert invoke("rules", "update", "--dest", tmp_path / "n", "--repo", tmp_path / "nope").exit_code == 1


def test_detection_as_code(tmp_path):
    res = invoke("test", SEED / "rule.yaml", "--data", NET_USER, "--expect", 1)
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == ["PASS command line: 1 finding(s), expected 1", "1 passed, 0 failed"]
    res = invoke("test", SEED / "rule.yaml", "--data", NET_USER, "--expect", 0)
    assert res.exit_code == 1
    assert res.stdout.splitlines()[0] == "FAIL command line: 1 finding(s), expected 0"
    rule = tmp_path / "seed.yaml"
    shutil.copy(SEED / "rule.yaml", rule)
    shutil.copy(NET_USER, tmp_path / "net.json")
    (tmp_path / "seed.tests.yaml").write_text(
        "tests:\n  - name: path-less net user\n    data: [net.json]\n    expect: 1\n"
        "  - name: nothing a day later\n    data: net.json\n    expect: 1\n    now: 2024-01-03T00:00:00Z\n")
    res = invoke("test", rule)
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == ["PASS path-less net user: 1 finding(s), expected 1",
                                       "PASS nothing a day later: 1 finding(s), expected 1", "2 passed, 0 failed"]
