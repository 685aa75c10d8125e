"""`kqlhunt explain` (the rule funnel): on Security-Datasets the seed rule loses the net.exe enumerations at
`CommandLine !contains '\\'` (every command line there carries the executable's path)."""
from __future__ import annotations

import json

import yaml
from typer.testing import CliRunner

from tests.hunt.conftest import SEED
from kqlhunt import Engine
from kqlhunt.cli import app
from kqlhunt.hunt import funnel

QUERY = yaml.safe_load((SEED / "rule.yaml").read_text())["query"]


def test_seed_funnel_on_security_datasets(sd_copy):
    with Engine(db=sd_copy, now="2023-08-15T10:07:54Z") as e:
        stages = funnel(e, QUERY)
        # which 4688 net.exe events reach the where that drops them
        before = e.query(QUERY.split("| extend FileName")[0] + "| summarize count() by EventProduct").rows
    assert [(s.index, s.operator) for s in stages] == [
        (0, "source"), (1, "where"), (2, "where"), (3, "extend"), (4, "where"), (5, "extend"), (6, "where"),
        (7, "summarize"), (8, "sort"), (9, "extend")]
    assert stages[0].text == "imProcessCreate"
    assert stages[2].text == "where Process has 'net.exe'"
    w = stages[4]
    assert w.text == ("where FileName == 'net.exe' and ActorUsername != \"\" and CommandLine !contains '\\\\' "
                      "and CommandLine !contains '/add'")
    assert w.rows_in == stages[3].rows > 0 and w.rows == 0
    conds = {c.text: (c.kept, c.dropped) for c in w.conditions}
    assert list(conds) == ["FileName == 'net.exe'", 'ActorUsername != ""', "CommandLine !contains '\\\\'",
                           "CommandLine !contains '/add'"]
    # the path condition alone drops every row; the others drop none of them
    assert conds["CommandLine !contains '\\\\'"] == (0, w.rows_in)
    assert conds["FileName == 'net.exe'"] == (w.rows_in, 0)
    assert conds["CommandLine !contains '/add'"] == (w.rows_in, 0)
    assert ("Security Events", ) in [r[:1] for r in before]
    assert [s.rows for s in stages[5:]] == [0, 0, 0, 0, 0]
    assert [c.text for c in stages[1].conditions] == [
        "(CommandLine has ' user ' or CommandLine has ' group ')",
        "(CommandLine hassuffix ' /do' or CommandLine hassuffix ' /domain')"]


def test_explain_cli_json_on_the_fixture(net_db):
    res = CliRunner().invoke(app, ["explain", str(SEED / "rule.yaml"), "--db", str(net_db), "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["reference_time"] == "2024-01-02T03:05:00Z" and doc["window"] is None
    assert [(s["operator"], s["rows_in"], s["rows"]) for s in doc["stages"]] == [
        ("source", None, 2), ("where", 2, 1), ("where", 1, 1), ("extend", 1, 1), ("where", 1, 1), ("extend", 1, 1),
        ("where", 1, 1), ("summarize", 1, 1), ("sort", 1, 1), ("extend", 1, 1)]
    assert doc["stages"][4]["conditions"][2] == {"text": "CommandLine !contains '\\\\'", "kept": 1, "dropped": 0}
    res = CliRunner().invoke(app, ["explain", "SecurityEvent | where EventID == 4688 and CommandLine has 'net'",
                                   "--db", str(net_db)])
    assert res.exit_code == 0, res.output
    assert "CommandLine has 'net'" in res.stdout
    res = CliRunner().invoke(app, ["explain", "Nope | take 1", "--db", str(net_db)])
    assert res.exit_code == 1
    assert "unknown table or function 'Nope'" in res.output
