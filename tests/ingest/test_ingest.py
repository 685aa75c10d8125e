"""Ingest tests on the real shared datasets (../shared/datasets), real DuckDB, no mocks."""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import shutil
import zipfile
from pathlib import Path

import duckdb
import orjson
import pytest

from kqlhunt.ingest import SCHEMAS, ingest_paths, list_tables

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
DATASETS = SHARED / "datasets"
SD = DATASETS / "Security-Datasets"
SAMPLES = DATASETS / "omerbenamram-evtx" / "samples"
ENUM_JSON = SD / "extracted_json" / "empire_shell_samr_EnumDomainUsers_2020-09-21193527.json"
DISM = next((DATASETS / "SigmaHQ-regression_data").rglob("proc_creation_win_dism_remove/*.evtx"), None)

pytestmark = pytest.mark.skipif(not DATASETS.exists(), reason="../shared/datasets not present")

INGESTIBLE = ("evtx", "jsonl", "zip(jsonl)")


def manifest():
    out = []
    for ds in sorted(DATASETS.iterdir()):
        mf = ds / "MANIFEST.tsv"
        if not mf.exists():
            continue
        with open(mf, newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                if row["kind"] in INGESTIBLE:
                    out.append((ds.name, row))
    return out


MANIFEST = manifest()


def _counts(db) -> tuple[int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        eid1 = n4688 = 0
        if "Event" in tables:
            eid1 += con.execute("select count(*) from Event where Source='Microsoft-Windows-Sysmon' "
                                "and EventID=1").fetchone()[0]
        if "WindowsEvent" in tables:
            eid1 += con.execute("select count(*) from WindowsEvent where Provider='Microsoft-Windows-Sysmon' "
                                "and EventID=1").fetchone()[0]
        if "SecurityEvent" in tables:
            n4688 = con.execute("select count(*) from SecurityEvent where EventID=4688").fetchone()[0]
        return eid1, n4688
    finally:
        con.close()


@pytest.fixture(scope="session")
def per_file(tmp_path_factory, worker_id):
    """Ingest every manifest file one by one into one workspace; per-file deltas.

    Computed once per test session: under pytest-xdist the first worker builds it under a file
    lock in the directory the workers share, the others read its results (the workspace is
    only opened read-only afterwards)."""
    if worker_id == "master":
        return _per_file(tmp_path_factory.mktemp("ws") / "all.duckdb")
    import fcntl

    shared = tmp_path_factory.getbasetemp().parent / "kqlhunt-ingest-per-file"
    shared.mkdir(exist_ok=True)
    done = shared / "results.json"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            db, results = _per_file(shared / "all.duckdb")
            done.write_text(json.dumps([[k[0], k[1], v] for k, v in results.items()]))
    return shared / "all.duckdb", {(d, p): v for d, p, v in json.loads(done.read_text())}


def _per_file(db):
    by_sha: dict[str, dict] = {}
    results = {}
    before = (0, 0)
    for ds, row in MANIFEST:
        path = DATASETS / ds / row["path"]
        rep = ingest_paths([path], db, progress=False)
        fr = rep.files[0]
        after = _counts(db)
        if fr.status == "skipped":  # same bytes as an earlier file
            res = by_sha[row["sha256"]]
        else:
            res = {"status": fr.status, "ingested": fr.ingested, "rejected": fr.rejected,
                   "records": fr.records, "eid1": after[0] - before[0], "n4688": after[1] - before[1],
                   "errors": fr.errors}
            by_sha[fr.sha256] = res
        results[(ds, row["path"])] = res
        before = after
    return db, results


@pytest.mark.parametrize("ds,row", MANIFEST, ids=[f"{d}/{r['path']}" for d, r in MANIFEST])
def test_counts_match_manifest(per_file, ds, row):
    _, results = per_file
    res = results[(ds, row["path"])]
    assert res["status"] == "ingested", res["errors"]
    assert res["eid1"] == int(row["sysmon_eid1"])
    assert res["n4688"] == int(row["security_4688"])
    if row["parse_error"] == "0":
        assert res["ingested"] == int(row["records"])
        if ds != "omerbenamram-evtx":  # the crate's samples are deliberately damaged
            assert res["rejected"] == 0, res["errors"]
    else:
        # the manifest counted records up to the first bad chunk; skip_errors reads past it
        assert res["ingested"] >= int(row["records"])
        assert res["rejected"] >= 1
        assert all("chunk" in e for e in res["errors"])


def test_every_record_accounted_and_no_null_strings(per_file):
    db, results = per_file
    con = duckdb.connect(str(db), read_only=True)
    try:
        for t in ("Event", "SecurityEvent", "WindowsEvent", "Syslog", "VMConnection"):
            cols = con.execute("select column_name, data_type from information_schema.columns "
                               "where table_name=? order by ordinal_position", [t]).fetchall()
            names = [c for c, _ in cols]
            # full Sentinel schema, Sentinel's order, extras (if any) after it
            assert names[: len(SCHEMAS[t])] == [c for c, _ in SCHEMAS[t]]
            types = dict(cols)
            assert types["TimeGenerated"] == "TIMESTAMP"
            varchar = [c for c, ty in cols if ty == "VARCHAR"]
            nulls = con.execute("select " + " + ".join(f'count(*) - count("{c}")' for c in varchar)
                                + f' from "{t}"').fetchone()[0]
            assert nulls == 0, t
            assert con.execute(f'select count(*) from "{t}" where TimeGenerated is null').fetchone()[0] == 0
        assert dict(con.execute("select column_name, data_type from information_schema.columns "
                                "where table_name='WindowsEvent'").fetchall())["EventData"] == "JSON"
        ledger = con.execute("select sum(ingested), sum(rejected), sum(records) from _kqlhunt_ingest").fetchone()
        assert ledger[0] + ledger[1] == ledger[2]
    finally:
        con.close()


# ---------------------------------------------------------------------------------------
def test_malformed_evtx_and_bad_inputs_never_crash(tmp_path):
    db = tmp_path / "ws.duckdb"
    # a corrupt EVTX (valid magic, garbage after), an unknown format, a truncated JSON-lines file
    corrupt = tmp_path / "corrupt.evtx"
    corrupt.write_bytes((SAMPLES / "security.evtx").read_bytes()[:100] + b"\x00" * 5000)
    unknown = tmp_path / "blob.bin"
    unknown.write_bytes(bytes(range(256)) * 4)
    lines = ENUM_JSON.read_bytes().splitlines(keepends=True)
    trunc = tmp_path / "truncated.json"
    trunc.write_bytes(b"".join(lines[:10]) + lines[10][:200])
    first = ingest_paths([SAMPLES / "security.evtx"], db, progress=False)
    assert first.files[0].ingested == 2261
    paths = [corrupt, unknown, trunc] + sorted(SAMPLES.glob("*.evtx"))
    rep = ingest_paths(paths, db, progress=False)
    by = {Path(f.path).name: f for f in rep.files}
    assert by["corrupt.evtx"].status == "failed"
    assert "EVTX" in by["corrupt.evtx"].errors[0] and "\n" not in by["corrupt.evtx"].errors[0]
    assert by["blob.bin"].status == "failed" and "unknown format" in by["blob.bin"].errors[0]
    t = by["truncated.json"]
    assert (t.status, t.ingested, t.rejected) == ("ingested", 10, 1)
    assert "line 11: invalid JSON" in t.errors[0] and "truncated" in t.errors[0]
    assert by["security.evtx"].status == "skipped"
    assert (by["sysmon.evtx"].ingested, by["sysmon.evtx"].rejected) == (358, 8)
    assert (by["sample-with-zero-data-size-event.evtx"].ingested,
            by["sample-with-zero-data-size-event.evtx"].rejected) == (335, 1)
    assert (by["sample_with_a_bad_chunk_magic.evtx"].ingested,
            by["sample_with_a_bad_chunk_magic.evtx"].rejected) == (270, 2)
    assert "Invalid EVTX record data size" in by["sample-with-zero-data-size-event.evtx"].errors[0]
    con = duckdb.connect(str(db), read_only=True)
    # earlier files are intact; the failed files left nothing behind
    n_sec = con.execute("select count(*) from SecurityEvent").fetchone()[0]
    assert n_sec == 2261 + rep.tables["SecurityEvent"]
    assert con.execute("select count(*) from _kqlhunt_ingest where path like '%corrupt.evtx' "
                       "or path like '%blob.bin'").fetchone()[0] == 0
    con.close()


def test_reingest_is_noop(tmp_path):
    db = tmp_path / "ws.duckdb"
    r1 = ingest_paths([ENUM_JSON], db, progress=False)
    assert r1.files[0].ingested == 633
    copy = tmp_path / "copy.json"
    shutil.copy(ENUM_JSON, copy)
    r2 = ingest_paths([ENUM_JSON, copy], db, progress=False)
    assert [f.status for f in r2.files] == ["skipped", "skipped"]
    assert r2.tables == {}
    assert sum(t["rows"] for t in list_tables(db)) == 633


def test_zip_and_gz_are_transparent(tmp_path):
    db = tmp_path / "ws.duckdb"
    gz = tmp_path / "enum.json.gz"
    with gzip.open(gz, "wb") as g:
        g.write(ENUM_JSON.read_bytes())
    z = tmp_path / "evtx.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(SAMPLES / "Security_short_selected.evtx", "a/sec.evtx")
        zf.writestr("README.txt", "not a log")
    rep = ingest_paths([gz, z], db, progress=False)
    assert (rep.files[0].format, rep.files[0].ingested) == ("gz(json)", 633)
    assert rep.files[1].ingested == 7 and rep.files[1].format == "zip(evtx+unknown)"


# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def enum_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("enum") / "ws.duckdb"
    rep = ingest_paths([ENUM_JSON], db, progress=False)
    assert rep.files[0].ingested == 633
    return db


def test_pinned_4688_net_user_domain(enum_db):
    con = duckdb.connect(str(enum_db), read_only=True)
    rows = con.execute(
        "select TimeGenerated, Computer, Account, AccountType, SubjectUserName, SubjectDomainName, "
        "SubjectLogonId, NewProcessName, NewProcessId, CommandLine, ParentProcessName, ProcessId, "
        "TokenElevationType, MandatoryLabel, TargetUserName, Activity, Process, EventSourceName, "
        "Channel, Type, SubjectAccount "
        "from SecurityEvent where EventID = 4688 and CommandLine like '%user /domain' order by NewProcessId"
    ).fetchall()
    assert rows == [
        (dt.datetime(2020, 9, 21, 23, 35, 38, 956000), "WORKSTATION5.theshire.local", "THESHIRE\\pgustavo",
         "User", "pgustavo", "THESHIRE", "0x10a7df", "C:\\Windows\\System32\\net.exe", "0x1404",
         '"C:\\windows\\system32\\net.exe" user /domain',
         "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "0x1d20", "%%1937",
         "S-1-16-12288", "-", "4688 - A new process has been created.", "net.exe",
         "Microsoft-Windows-Security-Auditing", "Security", "SecurityEvent", "THESHIRE\\pgustavo"),
        (dt.datetime(2020, 9, 21, 23, 35, 38, 956000), "WORKSTATION5.theshire.local", "THESHIRE\\pgustavo",
         "User", "pgustavo", "THESHIRE", "0x10a7df", "C:\\Windows\\System32\\net1.exe", "0x15c8",
         "C:\\windows\\system32\\net1 user /domain", "C:\\Windows\\System32\\net.exe", "0x1404", "%%1937",
         "S-1-16-12288", "-", "4688 - A new process has been created.", "net1.exe",
         "Microsoft-Windows-Security-Auditing", "Security", "SecurityEvent", "THESHIRE\\pgustavo"),
    ]
    con.close()


NET1_EVENTDATA = (
    '<DataItem type="System.XmlData" time="2020-09-21T23:35:37.9310000Z" '
    'sourceHealthServiceId="00000000-0000-0000-0000-000000000000">'
    '<EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event">'
    '<Data Name="RuleName">-</Data><Data Name="UtcTime">2020-09-21 23:35:37.159</Data>'
    '<Data Name="ProcessGuid">{b34bc01c-38c9-5f69-8301-000000000900}</Data>'
    '<Data Name="Image">C:\\Windows\\System32\\net1.exe</Data>'
    '<Data Name="FileVersion">10.0.18362.997 (WinBuild.160101.0800)</Data>'
    '<Data Name="Description">Net Command</Data>'
    '<Data Name="Product">Microsoft® Windows® Operating System</Data>'
    '<Data Name="Company">Microsoft Corporation</Data><Data Name="OriginalFileName">net1.exe</Data>'
    '<Data Name="CommandLine">C:\\windows\\system32\\net1 user /domain</Data>'
    '<Data Name="CurrentDirectory">C:\\windows\\system32\\</Data>'
    '<Data Name="User">THESHIRE\\pgustavo</Data>'
    '<Data Name="LogonGuid">{b34bc01c-22a7-5f69-dfa7-100000000000}</Data>'
    '<Data Name="LogonId">0x10a7df</Data><Data Name="TerminalSessionId">2</Data>'
    '<Data Name="IntegrityLevel">High</Data>'
    '<Data Name="Hashes">SHA1=F926F9421606D1AAADAF798DB2B3A0BD3009A2C3,MD5=3315CF38117D3CCBAC0B40EECC633FBB,'
    'SHA256=195A557E92A631E29ECF789C360A99C0F5D2D1BECEA33153CCA60E63D04CEE01,'
    'IMPHASH=D115CDECBD7EB553182EAD3D45F5816C</Data>'
    '<Data Name="ParentProcessGuid">{b34bc01c-38c9-5f69-8201-000000000900}</Data>'
    '<Data Name="ParentProcessId">5124</Data>'
    '<Data Name="ParentImage">C:\\Windows\\System32\\net.exe</Data>'
    '<Data Name="ParentCommandLine">"C:\\windows\\system32\\net.exe" user /domain</Data>'
    "</EventData></DataItem>"
)


def test_pinned_sysmon1_event_xml(enum_db):
    con = duckdb.connect(str(enum_db), read_only=True)
    rows = con.execute(
        "select TimeGenerated, Computer, Source, EventLog, EventID, EventLevel, EventLevelName, UserName, "
        "Type, EventData from Event where EventID = 1 and EventData like '%user /domain</Data>%' "
        "order by TimeGenerated").fetchall()
    assert len(rows) == 2
    assert rows[1] == (dt.datetime(2020, 9, 21, 23, 35, 37, 931000), "WORKSTATION5.theshire.local",
                       "Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational", 1, 4,
                       "Information", "NT AUTHORITY\\SYSTEM", "Event", NET1_EVENTDATA)
    assert '<Data Name="Image">C:\\Windows\\System32\\net.exe</Data>' in rows[0][-1]
    # the ASIM Sysmon parser's parse-kv regex must find the fields (GUID braces stripped by it)
    import re
    kv = dict(re.findall(r'<Data Name="(\w+)">{?([^<]*?)}?</Data>', rows[1][-1]))
    assert kv["Image"] == "C:\\Windows\\System32\\net1.exe"
    assert kv["ProcessGuid"] == "b34bc01c-38c9-5f69-8301-000000000900"
    assert kv["ParentProcessId"] == "5124"
    con.close()


@pytest.mark.skipif(DISM is None, reason="SigmaHQ sample missing")
def test_evtx_sysmon_event_and_windowsevent_option(tmp_path):
    db = tmp_path / "a.duckdb"
    ingest_paths([DISM], db, progress=False)
    con = duckdb.connect(str(db), read_only=True)
    ed, comp, t = con.execute("select EventData, Computer, TimeGenerated from Event where EventID=1").fetchone()
    assert comp == "ar-win-dc.attackrange.local"
    assert t == dt.datetime(2025, 10, 25, 13, 47, 34, 903176)
    assert '<Data Name="ProcessGuid">{5aa13a44-d4f6-68fc-f430-000000004002}</Data>' in ed
    assert '<Data Name="ProcessId">7808</Data>' in ed
    assert ('<Data Name="CommandLine">Dism  /online /Disable-Feature /FeatureName:Windows-Defender '
            '/Remove /NoRestart /quiet</Data>') in ed
    con.close()
    db2 = tmp_path / "b.duckdb"
    ingest_paths([DISM], db2, sysmon_table="WindowsEvent", progress=False)
    con = duckdb.connect(str(db2), read_only=True)
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert "Event" not in tables  # never both
    row = con.execute("select Provider, EventID, EventData->>'ProcessGuid', EventData->>'ProcessId', "
                      "EventData->>'ParentUser', SystemUserId from WindowsEvent").fetchone()
    assert row == ("Microsoft-Windows-Sysmon", 1, "{5aa13a44-d4f6-68fc-f430-000000004002}", "7808",
                   "ATTACKRANGE\\Administrator", "S-1-5-18")
    con.close()


def test_sentinel_export_json_and_csv(tmp_path):
    db = tmp_path / "ws.duckdb"
    export = tmp_path / "export.json"
    export.write_text(json.dumps([{
        "TenantId": "t", "TimeGenerated": "2024-01-02T03:04:05.123Z", "Computer": "WS1.corp.local",
        "EventID": 4688, "Activity": "4688 - A new process has been created.", "Account": "CORP\\bob",
        "SubjectUserName": "bob", "SubjectDomainName": "CORP", "NewProcessName": "C:\\Windows\\System32\\net.exe",
        "NewProcessId": "0x1a2c", "CommandLine": "net  user administrator /domain", "Type": "SecurityEvent",
        "Custom_s": "x"}]))
    csvf = tmp_path / "DeviceProcessEvents.csv"
    csvf.write_text("Timestamp,DeviceName,ActionType,FileName,FolderPath,ProcessId,ProcessCommandLine\n"
                    "2024-01-02 03:04:05,ws1.corp.local,ProcessCreated,net.exe,C:\\Windows\\System32\\net.exe,"
                    "6700,net user /domain\n")
    rep = ingest_paths([export, csvf], db, progress=False)
    assert [f.ingested for f in rep.files] == [1, 1]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select TimeGenerated, NewProcessId, CommandLine, Account, Custom_s, Level "
                       "from SecurityEvent").fetchone() == (
        dt.datetime(2024, 1, 2, 3, 4, 5, 123000), "0x1a2c", "net  user administrator /domain", "CORP\\bob", "x", "")
    assert con.execute("select TimeGenerated, Timestamp, ProcessId, FolderPath, Type, AdditionalFields "
                       "from DeviceProcessEvents").fetchone() == (
        dt.datetime(2024, 1, 2, 3, 4, 5), dt.datetime(2024, 1, 2, 3, 4, 5), 6700,
        "C:\\Windows\\System32\\net.exe", "DeviceProcessEvents", None)
    con.close()


def test_cli_json_and_tables(tmp_path):
    from typer.testing import CliRunner
    import typer

    from kqlhunt.ingest.cli_commands import ingest_command, tables_command

    app = typer.Typer()
    app.command("ingest")(ingest_command)
    app.command("tables")(tables_command)
    db = tmp_path / "ws.duckdb"
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x01garbage")
    res = CliRunner().invoke(app, ["ingest", "--db", str(db), "--format", "json",
                                   str(SAMPLES / "Security_short_selected.evtx"), str(bad)])
    assert res.exit_code == 0, res.output
    out = orjson.loads(res.stdout)
    assert out["tables"] == {"SecurityEvent": 7}
    f0 = out["files"][0]
    assert {k: f0[k] for k in ("format", "records", "ingested", "rejected", "errors")} == {
        "format": "evtx", "records": 7, "ingested": 7, "rejected": 0, "errors": []}
    assert out["files"][1]["errors"][0].endswith("unknown format: not EVTX, JSON/JSON lines, CSV, zip or gz "
                                                 "(sniffed from content); nothing ingested")
    res = CliRunner().invoke(app, ["tables", "--db", str(db), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert orjson.loads(res.stdout)[0]["table"] == "SecurityEvent"
    assert orjson.loads(res.stdout)[0]["rows"] == 7


# ---------------------------------------------------------------------------------------
# the SQL mapping of EVTX records (evtxsql) against the Python reference (windows.py)
def _table_rows(db) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for r in list_tables(db):
            t = r["table"]
            cols = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_name=? "
                "order by ordinal_position", [t]).fetchall()]
            out[t] = sorted(con.execute(f'select * from "{t}"').fetchall(), key=repr), cols
        return out
    finally:
        con.close()


@pytest.mark.parametrize("sysmon_table", ["Event", "WindowsEvent"])
def test_evtx_sql_mapping_equals_python_mapping(tmp_path, sysmon_table):
    files = sorted(SAMPLES.glob("*.evtx")) + sorted((DATASETS / "EVTX-ATTACK-SAMPLES").rglob("*.evtx"))[::7]
    if DISM is not None:
        files.append(DISM)
    sql = ingest_paths(files, tmp_path / "sql.duckdb", sysmon_table=sysmon_table, progress=False)
    py = ingest_paths(files, tmp_path / "py.duckdb", sysmon_table=sysmon_table, progress=False, evtx_sql=False)
    assert sql.ingested > 5000
    assert [(f.status, f.ingested, f.rejected, f.tables) for f in sql.files] == \
        [(f.status, f.ingested, f.rejected, f.tables) for f in py.files]
    assert sorted(sql.files[0].errors) == sorted(py.files[0].errors)
    a, b = _table_rows(tmp_path / "sql.duckdb"), _table_rows(tmp_path / "py.duckdb")
    assert a.keys() == b.keys()
    for t in a:
        assert a[t][1] == b[t][1], t
        assert a[t][0] == b[t][0], t


# ---------------------------------------------------------------------------------------
# large files: chunks committed to per-file staging tables, one final move
def _snapshot(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        tabs = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        ledger = con.execute("select path, records, ingested, rejected, tables::VARCHAR from _kqlhunt_ingest "
                             "order by path").fetchall()
    finally:
        con.close()
    return tabs, ledger


def test_large_file_goes_through_staging_and_matches(tmp_path, monkeypatch):
    from kqlhunt.ingest import pipeline

    files = [ENUM_JSON, SAMPLES / "security.evtx", SAMPLES / "sysmon.evtx"]
    ref = ingest_paths(files, tmp_path / "ref.duckdb", progress=False)
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 64 << 10)  # every file spills in many chunks
    spills = []
    orig = pipeline._Run._spill
    monkeypatch.setattr(pipeline._Run, "_spill", lambda self, job: (spills.append(job.fr.path), orig(self, job))[1])
    rep = ingest_paths(files, tmp_path / "staged.duckdb", progress=False, batch_rows=100)
    assert len(spills) > 6 and set(spills) == {str(f) for f in files}
    assert [(f.status, f.ingested, f.rejected, f.tables) for f in rep.files] == \
        [(f.status, f.ingested, f.rejected, f.tables) for f in ref.files]
    a, b = _table_rows(tmp_path / "ref.duckdb"), _table_rows(tmp_path / "staged.duckdb")
    assert a == b
    tabs, ledger = _snapshot(tmp_path / "staged.duckdb")
    assert not [t for t in tabs if t.startswith("_kqlhunt_stage_")]
    assert ledger == _snapshot(tmp_path / "ref.duckdb")[1]
    # re-ingest is still a no-op
    again = ingest_paths(files, tmp_path / "staged.duckdb", progress=False)
    assert [f.status for f in again.files] == ["skipped"] * 3


def test_staged_file_failing_late_leaves_nothing(tmp_path, monkeypatch):
    from kqlhunt.ingest import pipeline

    db = tmp_path / "ws.duckdb"
    ingest_paths([SAMPLES / "Security_short_selected.evtx"], db, progress=False)
    z = tmp_path / "mixed.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(ENUM_JSON, "a/enum.json")  # spills to staging first ...
        zf.writestr("b/corrupt.evtx", (SAMPLES / "security.evtx").read_bytes()[:100] + b"\x00" * 5000)
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 64 << 10)
    rep = ingest_paths([z], db, progress=False)
    f = rep.files[0]
    assert f.status == "failed" and "EVTX" in f.errors[0]  # ... then the member fails: all or nothing
    tabs, ledger = _snapshot(db)
    assert not [t for t in tabs if t.startswith("_kqlhunt_stage_")]
    assert [r[0] for r in ledger] == [str(SAMPLES / "Security_short_selected.evtx")]
    assert {r["table"]: r["rows"] for r in list_tables(db)} == {"SecurityEvent": 7}


def test_interrupted_run_staging_is_dropped_at_start(tmp_path):
    db = tmp_path / "ws.duckdb"
    ingest_paths([SAMPLES / "Security_short_selected.evtx"], db, progress=False)
    con = duckdb.connect(str(db))
    stale = "_kqlhunt_stage_0123456789abcdef_SecurityEvent"
    con.execute(f'create table "{stale}" as select * from SecurityEvent')  # as a killed run leaves it
    con.close()
    assert [r["table"] for r in list_tables(db)] == ["SecurityEvent"]  # never shown as a table
    rep = ingest_paths([ENUM_JSON], db, progress=False)
    assert rep.dropped_staging == [stale]
    assert rep.to_dict()["dropped_staging"] == [stale]
    tabs, _ = _snapshot(db)
    assert stale not in tabs
    assert {r["table"]: r["rows"] for r in list_tables(db)}["SecurityEvent"] == 7 + rep.tables["SecurityEvent"]
