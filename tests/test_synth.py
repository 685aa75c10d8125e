"""kqlhunt.demo.synth: determinism, schema, never-null strings, and the seed rule's planted matches."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from kqlhunt.demo import synth

ROOT = Path(__file__).resolve().parents[1]
N = 60_000


def _bench():
    spec = importlib.util.spec_from_file_location("bench_seed_rule", ROOT / "bench" / "seed_rule.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_seed_rule", mod)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return synth.normalized_process_events(N, seed=3, match_rate=0.02)


# ---- a reference evaluator of the seed rule, written from Kusto's documented semantics ---------------------------

_TERM = re.compile(r"[^\W_]")  # a Unicode letter or digit


def _fold(s: str) -> str:  # Kusto folds ASCII case only
    return s.translate({c: c + 32 for c in range(65, 91)})


def _has(hay: str, needle: str) -> bool:
    return _hassuffix(hay, needle, prefix_too=True)


def _hassuffix(hay: str, needle: str, prefix_too: bool = False) -> bool:
    h, n = _fold(hay), _fold(needle)
    start = 0
    while (i := h.find(n, start)) >= 0:
        j = i + len(n)
        ok_end = not _TERM.match(n[-1]) or j == len(h) or not _TERM.match(h[j])
        ok_start = not prefix_too or not _TERM.match(n[0]) or i == 0 or not _TERM.match(h[i - 1])
        if ok_end and ok_start:
            return True
        start = i + 1
    return False


_TARGET = re.compile(r'(?i)[user|group] ("*[a-zA-Z0-9\-_ ]+"*)')


def seed_rule_reference(rows: list[dict]) -> Counter:
    """(ActorUsername, Target, CommandLine, Dvc, EventVendor, EventProduct) -> count, by Kusto semantics."""
    out: Counter = Counter()
    for r in rows:
        cl, proc = r["CommandLine"], r["Process"]
        if not ((_has(cl, " user ") or _has(cl, " group ")) and (_hassuffix(cl, " /do") or _hassuffix(cl, " /domain"))):
            continue
        if not _has(proc, "net.exe"):
            continue
        if proc.split("\\")[-1] != "net.exe" or r["ActorUsername"] == "":
            continue
        if "\\" in cl or "/add" in _fold(cl):
            continue
        m = _TARGET.search(cl)
        target = m.group(1) if m else ""
        if target == "":
            continue
        out[(r["ActorUsername"], target, cl, r["Dvc"], r["EventVendor"], r["EventProduct"])] += 1
    return out


def _candidates(table: pa.Table) -> list[dict]:
    """Rows that could possibly match (their command line mentions 'net' somewhere), as dicts."""
    mask = pc.match_substring(table["Process"], "net", ignore_case=True)
    cols = ["CommandLine", "Process", "ActorUsername", "Dvc", "EventVendor", "EventProduct"]
    return table.filter(mask).select(cols).to_pylist()


# ---- tests ---------------------------------------------------------------------------------------------------------

def test_reference_evaluator_on_the_issue_fixture():
    base = {"Process": "C:\\Windows\\System32\\net.exe", "ActorUsername": "CONTOSO\\alice", "Dvc": "h",
            "EventVendor": "Microsoft", "EventProduct": "Sysmon"}
    cases = {
        "net user /domain": False,
        'net.exe group "Domain Admins" /domain': True,
        "net user bob /add /domain": False,
        "C:\\Windows\\System32\\net.exe user /do": False,
        "net user administrator": False,
        "net user dave /domain /y": True,
        "net  user administrator /domain": True,
        "net user alice /domains": False,
    }
    for cl, expected in cases.items():
        assert bool(seed_rule_reference([dict(base, CommandLine=cl)])) is expected, cl
    assert not seed_rule_reference([dict(base, CommandLine="net group \"x\" /domain", ActorUsername="")])
    assert not seed_rule_reference([dict(base, CommandLine="net1.exe user /domain",
                                         Process="C:\\Windows\\System32\\net1.exe")])


def test_planted_labels_agree_with_the_reference():
    base = {"Process": "", "ActorUsername": "CONTOSO\\alice", "Dvc": "h", "EventVendor": "Microsoft",
            "EventProduct": "Security Events"}
    for p in synth.PLANTED:
        row = dict(base, CommandLine=p.cmd.replace("{user}", "alice.smith"), Process=p.image,
                   ActorUsername="" if p.no_actor else "CONTOSO\\alice")
        assert bool(seed_rule_reference([row])) is p.matches, p


def test_deterministic():
    a = synth.normalized_process_events(5_000, seed=11)
    b = synth.normalized_process_events(5_000, seed=11)
    c = synth.normalized_process_events(5_000, seed=12)
    assert a.equals(b)
    assert a.schema.metadata == b.schema.metadata
    assert not a.equals(c)


def test_column_subset_has_the_same_values():
    full = synth.normalized_process_events(3_000, seed=5)
    sub = synth.normalized_process_events(3_000, seed=5, columns=synth.RULE_COLUMNS)
    assert sub.column_names == synth.RULE_COLUMNS
    for name in synth.RULE_COLUMNS:
        assert sub[name].equals(full[name]), name


def test_schema_and_types(table):
    expected = {"string": pa.string(), "datetime": pa.timestamp("us"), "int": pa.int32(), "long": pa.int64(),
                "bool": pa.bool_()}
    assert table.column_names == [c for c, _ in synth.ASIM_PROCESS_COLUMNS]
    for name, kt in synth.ASIM_PROCESS_COLUMNS:
        assert table.schema.field(name).type == expected[kt], name
    assert table.schema.field("TimeGenerated").type.tz is None
    for name in ["TimeGenerated", "Type", "EventProduct", "EventVendor", "Dvc", "User", "Process", "CommandLine",
                 "ActorUsername", "ActingProcessName", "TargetProcessId", "TargetProcessName", "EventSchema"]:
        assert name in table.column_names
    assert table.num_rows == N
    assert table["EventCount"].null_count == 0 and pc.all(pc.equal(table["EventCount"], 1)).as_py()


def test_strings_never_null(table):
    for name, kt in synth.ASIM_PROCESS_COLUMNS:
        if kt == "string":
            assert table[name].null_count == 0, name


def test_aliases_and_values(table):
    assert table["CommandLine"].equals(table["TargetProcessCommandLine"])
    assert table["Process"].equals(table["TargetProcessName"])
    assert table["User"].equals(table["TargetUsername"])
    assert table["Dvc"].equals(table["DvcHostname"])
    assert set(pc.unique(table["EventProduct"]).to_pylist()) == {"Security Events", "Sysmon",
                                                                  "M365 Defender for Endpoint"}
    pids = table["TargetProcessId"].to_pylist()
    assert all(p.isdigit() for p in pids)
    times = table["TimeGenerated"]
    assert times.null_count == 0
    cl = table["CommandLine"].to_pylist()
    assert len(set(cl)) > 500
    assert any(c.startswith('"C:\\Program Files\\Google\\Chrome') for c in cl)
    assert any("svchost.exe -k" in c for c in cl)
    assert any("CONTOSO\\" in a for a in table["ActorUsername"].to_pylist()[:1000])


def test_hand_sql_finds_exactly_the_planted_matches(table):
    bench = _bench()
    planted = int(table.schema.metadata[b"kqlhunt.synth.matches"])
    near = int(table.schema.metadata[b"kqlhunt.synth.near_misses"])
    assert planted > 0.01 * N and near > 0.01 * N

    con = duckdb.connect()
    con.register("imProcessCreate", table)
    cur = con.execute(bench.HAND_SQL)
    cols = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert cols == bench.OUT_COLUMNS
    got = Counter()
    for r in rows:
        got[tuple(r[:6])] += r[8]
    assert sum(got.values()) == planted

    ref = seed_rule_reference(_candidates(table))
    assert sum(ref.values()) == planted
    assert got == ref
    assert bench.sorted_as_rule_says(cols, rows)


def test_no_benign_row_matches():
    t = synth.normalized_process_events(40_000, seed=9, match_rate=0.0)
    assert int(t.schema.metadata[b"kqlhunt.synth.matches"]) == 0
    assert not seed_rule_reference(_candidates(t))


def test_sentinel_tables():
    ws = synth.sentinel_tables(seed=1)
    again = synth.sentinel_tables(seed=1)
    assert set(ws) == {"SecurityEvent", "Event"}
    for name, t in ws.items():
        assert t.equals(again[name]), name
        assert t.num_rows > 500
        for f in t.schema:
            if f.type == pa.string():
                assert t[f.name].null_count == 0, (name, f.name)
        assert t.schema.field("TimeGenerated").type == pa.timestamp("us")
        assert t.schema.field("EventID").type == pa.int32()
    sec = ws["SecurityEvent"]
    assert set(sec["EventID"].to_pylist()) == {4688}
    assert all(x.startswith("0x") for x in sec["NewProcessId"].to_pylist())
    ev = ws["Event"]
    assert set(ev["Source"].to_pylist()) == {"Microsoft-Windows-Sysmon"}
    xml = ev["EventData"].to_pylist()
    assert all(x.startswith("<DataItem") and '<Data Name="CommandLine">' in x for x in xml)
    # the attacks are there
    all_cl = sec["CommandLine"].to_pylist() + [re.search(r'<Data Name="CommandLine">([^<]*)</Data>', x).group(1)
                                                for x in xml]
    for needle in ["net group \"Domain Admins\" /domain", "-Enc ", "certutil.exe -urlcache", "vssadmin.exe delete",
                   "comsvcs.dll, MiniDump", "schtasks /create"]:
        assert any(needle in c for c in all_cl), needle
