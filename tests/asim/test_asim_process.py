"""ASIM Process Event views (kqlhunt/asim/*.kql) over real Security-Datasets (Mordor) logs ingested with the real
ingest, values checked by hand against the raw JSON records.

Hand check of the raw records (empire_shell_samr_EnumDomainUsers_2020-09-21193527.json and
empire_shell_rpc_samr_smb_group_domain_admins_standard_user_2020-09-21040850.json):
- Sysmon EID 1 (Sysmon schema version 5): `net.exe` started by powershell.exe and `net1.exe` started by net.exe on
  WORKSTATION5 (user THESHIRE\\pgustavo) and WORKSTATION6 (THESHIRE\\sbeavers). The records carry ParentProcessId
  but no `ProcessId` field (the nxlog collection used for these datasets dropped it) and no `ParentUser` (that
  Sysmon version does not emit it), so TargetProcessId and ActorUsername are empty, exactly as Sentinel's Sysmon
  parser would leave them (parser_mappings.md §1a).
- Security 4688: NewProcessId / ProcessId are hex: 0x1404=5124, 0x15c8=5576, 0x1d20=7456 (WORKSTATION5);
  0xf34=3892, 0x25b8=9656, 0x165c=5724 (WORKSTATION6). SubjectDomainName\\SubjectUserName is the actor;
  TargetUserName is "-" with SID S-1-0-0, which Sentinel's 4688 parser maps to "Nobody" (type Simple).
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import time

import pytest
import yaml

from tests.asim.conftest import DOMAIN_ADMINS, ENUM_USERS, FIXTURES, SHARED

UTC = dt.timezone.utc
NET = "C:\\Windows\\System32\\net.exe"
NET1 = "C:\\Windows\\System32\\net1.exe"
PS = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
WS5 = "WORKSTATION5.theshire.local"
WS6 = "WORKSTATION6.theshire.local"
USER_CL = '"C:\\windows\\system32\\net.exe" user /domain'
USER_CL1 = "C:\\windows\\system32\\net1 user /domain"
GROUP_CL = '"C:\\windows\\system32\\net.exe" group "Domain Admins" /domain'
GROUP_CL1 = 'C:\\windows\\system32\\net1 group "Domain Admins" /domain'

PROJECTED = ("EventProduct, EventVendor, Dvc, ActorUsername, Process, CommandLine, TargetProcessId, "
             "ActingProcessName, ActingProcessId, TargetUsername, EventType")

# EventProduct, EventVendor, Dvc, ActorUsername, Process, CommandLine, TargetProcessId, ActingProcessName,
# ActingProcessId, TargetUsername, EventType   -- sorted by EventProduct, Dvc, TargetProcessId, Process
NET_ROWS = [
    ("Security Events", "Microsoft", WS5, "THESHIRE\\pgustavo", NET, USER_CL, "5124", PS, "7456", "Nobody",
     "ProcessCreated"),
    ("Security Events", "Microsoft", WS5, "THESHIRE\\pgustavo", NET1, USER_CL1, "5576", NET, "5124", "Nobody",
     "ProcessCreated"),
    ("Security Events", "Microsoft", WS6, "THESHIRE\\sbeavers", NET, GROUP_CL, "3892", PS, "5724", "Nobody",
     "ProcessCreated"),
    ("Security Events", "Microsoft", WS6, "THESHIRE\\sbeavers", NET1, GROUP_CL1, "9656", NET, "3892", "Nobody",
     "ProcessCreated"),
    ("Sysmon", "Microsoft", WS5, "", NET, USER_CL, "", PS, "7456", "THESHIRE\\pgustavo", "ProcessCreated"),
    ("Sysmon", "Microsoft", WS5, "", NET1, USER_CL1, "", NET, "5124", "THESHIRE\\pgustavo", "ProcessCreated"),
    ("Sysmon", "Microsoft", WS6, "", NET, GROUP_CL, "", PS, "5724", "THESHIRE\\sbeavers", "ProcessCreated"),
    ("Sysmon", "Microsoft", WS6, "", NET1, GROUP_CL1, "", NET, "3892", "THESHIRE\\sbeavers", "ProcessCreated"),
]

NET_QUERY = ('imProcessCreate | where CommandLine has_any ("user", "group") and Process has_any ("net.exe", "net1.exe") '
             f"| project {PROJECTED} | sort by EventProduct asc, Dvc asc, Process asc")


def rows(engine, query):
    return [tuple(r) for r in engine.query(query).rows]


def _raw(path, pred):
    with open(path, encoding="utf-8") as fh:
        return [r for r in map(json.loads, fh) if pred(r)]


# ------------------------------------------------------------------------------------------------ raw data checks
def test_raw_records_are_what_the_pins_assume():
    sysmon = _raw(ENUM_USERS, lambda r: r.get("EventID") == 1) + _raw(DOMAIN_ADMINS, lambda r: r.get("EventID") == 1)
    assert sorted(r["Image"] for r in sysmon) == sorted([NET, NET1, NET, NET1])
    assert all("ProcessId" not in r and "ParentUser" not in r for r in sysmon)
    sec = _raw(ENUM_USERS, lambda r: r.get("EventID") == 4688) + _raw(DOMAIN_ADMINS, lambda r: r.get("EventID") == 4688)
    assert sorted((r["NewProcessId"], r["ProcessId"]) for r in sec) == sorted(
        [("0x1404", "0x1d20"), ("0x15c8", "0x1404"), ("0xf34", "0x165c"), ("0x25b8", "0xf34")])
    assert [int(h, 16) for h in ("0x1404", "0x15c8", "0x1d20", "0xf34", "0x25b8", "0x165c")] == \
        [5124, 5576, 7456, 3892, 9656, 5724]


# ------------------------------------------------------------------------------------------------ imProcessCreate rows
def test_net_enumeration_rows_from_sysmon_and_4688(mordor):
    assert rows(mordor, NET_QUERY) == NET_ROWS


def test_phrase_needles_do_not_match_paths(mordor):
    # `has "net user"` is a phrase of two adjacent terms; every command line here is `...net.exe" user` or
    # `...net1 user` (terms net/exe/user or net1/user), so Kusto's has/has_any find nothing -- faithfully.
    assert rows(mordor, 'imProcessCreate | where CommandLine has_any ("net user", "net group") | count') == [(0,)]


def test_sysmon_event_fields_exactly(mordor):
    got = mordor.query(
        'imProcessCreate | where EventProduct == "Sysmon" and Process endswith @"\\net1.exe" and Dvc startswith "WORKSTATION5"'
        "| project TargetProcessGuid, TargetProcessFilename, TargetUserSessionId, TargetUserSessionGuid, "
        "TargetProcessIntegrityLevel, Hash, HashType, TargetProcessMD5, TargetProcessIMPHASH, ActingProcessGuid, "
        "TargetUsernameType, ActorUsernameType, EventOriginalType, EventSchemaVersion, EventCount, EventResult, "
        "DvcOs, TargetProcessFileDescription, TargetProcessCurrentDirectory, Type, User, DvcHostname, EventOriginalUid")
    assert len(got.rows) == 1
    assert dict(zip(got.columns, got.rows[0])) == {
        "TargetProcessGuid": "b34bc01c-38c9-5f69-8301-000000000900",        # braces stripped
        "TargetProcessFilename": "net1.exe",                                  # OriginalFileName
        "TargetUserSessionId": "0x10a7df",                                    # LogonId left hex
        "TargetUserSessionGuid": "b34bc01c-22a7-5f69-dfa7-100000000000",
        "TargetProcessIntegrityLevel": "High",
        "Hash": "195A557E92A631E29ECF789C360A99C0F5D2D1BECEA33153CCA60E63D04CEE01",
        "HashType": "SHA256",
        "TargetProcessMD5": "3315CF38117D3CCBAC0B40EECC633FBB",
        "TargetProcessIMPHASH": "D115CDECBD7EB553182EAD3D45F5816C",
        "ActingProcessGuid": "b34bc01c-38c9-5f69-8201-000000000900",
        "TargetUsernameType": "Windows",
        "ActorUsernameType": "Windows",          # constant even though ActorUsername is empty (§1c)
        "EventOriginalType": "1",
        "EventSchemaVersion": "0.1.0",
        "EventCount": 1,
        "EventResult": "Success",
        "DvcOs": "Windows",
        "TargetProcessFileDescription": "Net Command",
        "TargetProcessCurrentDirectory": "C:\\windows\\system32\\",
        "Type": "Event",
        "User": "THESHIRE\\pgustavo",
        "DvcHostname": WS5,
        "EventOriginalUid": "",
    }


def test_security_4688_fields_exactly(mordor):
    got = mordor.query(
        'imProcessCreate | where EventProduct == "Security Events" and TargetProcessId == "5576"'
        "| project ActorUserId, ActorUserIdType, ActorSessionId, ActorUserType, ActorUsernameType, ActorDomainName, "
        "TargetUserId, TargetUsernameType, TargetUserSessionId, TargetProcessTokenElevation, EventOriginalType, "
        "EventSchemaVersion, User, Type, TargetProcessCommandLine, TargetProcessName, Hash, TargetProcessFilename")
    assert len(got.rows) == 1
    assert dict(zip(got.columns, got.rows[0])) == {
        "ActorUserId": "S-1-5-21-4228717743-1032521047-1810997296-1104",
        "ActorUserIdType": "SID",
        "ActorSessionId": "0x10a7df",            # hex, not converted (§2)
        "ActorUserType": "Regular",              # AccountType User
        "ActorUsernameType": "Windows",
        "ActorDomainName": "THESHIRE",
        "TargetUserId": "S-1-0-0",
        "TargetUsernameType": "Simple",          # from the known-SID lookup
        "TargetUserSessionId": "0x0",
        "TargetProcessTokenElevation": "%%1937",
        "EventOriginalType": "4688",
        "EventSchemaVersion": "0.1.3",
        "User": "Nobody",
        "Type": "SecurityEvent",
        "TargetProcessCommandLine": USER_CL1,
        "TargetProcessName": NET1,
        "Hash": "",
        "TargetProcessFilename": "",             # not produced by the SecurityEvent parser (§2)
    }


def test_sysmon_via_windowsevent(mordor_wef_db):
    import kqlhunt
    with kqlhunt.Engine(mordor_wef_db) as e:
        got = rows(e, 'imProcessCreate | where Type == "WindowsEvent" | project EventProduct, EventVendor, Process, '
                      "TargetProcessGuid, ActingProcessId, TargetUsername, ActorUsername, Hash, HashType "
                      "| sort by Process asc")
    assert got == [
        # §1b quirks: EventProduct "Security Events", GUID braces kept
        ("Security Events", "Microsoft", NET, "{b34bc01c-38c9-5f69-8201-000000000900}", "7456", "THESHIRE\\pgustavo",
         "", "96CDFD7B263947A6A7C0DB54141A6B8D7777DB0A03A17CBF95666D98422F937B", "SHA256"),
        ("Security Events", "Microsoft", NET1, "{b34bc01c-38c9-5f69-8301-000000000900}", "5124", "THESHIRE\\pgustavo",
         "", "195A557E92A631E29ECF789C360A99C0F5D2D1BECEA33153CCA60E63D04CEE01", "SHA256"),
    ]


def test_terminate_events(mordor):
    got = rows(mordor, 'imProcessTerminate | where Process has_any ("net.exe", "net1.exe") '
                       "| project EventProduct, EventType, Dvc, Process, TargetProcessId, ActorUsername, EventOriginalType "
                       "| sort by EventProduct asc, Dvc asc, Process asc")
    assert got == [
        ("Security Events", "ProcessTerminated", WS5, NET, "5124", "THESHIRE\\pgustavo", "4689"),
        ("Security Events", "ProcessTerminated", WS5, NET1, "5576", "THESHIRE\\pgustavo", "4689"),
        ("Security Events", "ProcessTerminated", WS6, NET, "3892", "THESHIRE\\sbeavers", "4689"),
        ("Security Events", "ProcessTerminated", WS6, NET1, "9656", "THESHIRE\\sbeavers", "4689"),
        ("Sysmon", "ProcessTerminated", WS5, NET, "", "", "5"),
        ("Sysmon", "ProcessTerminated", WS5, NET1, "", "", "5"),
        ("Sysmon", "ProcessTerminated", WS6, NET, "", "", "5"),
        ("Sysmon", "ProcessTerminated", WS6, NET1, "", "", "5"),
    ]
    counts = rows(mordor, "imProcessEvent | summarize count() by EventType | sort by EventType asc")
    assert counts == [("ProcessCreated", 8), ("ProcessTerminated", 12)]


# ------------------------------------------------------------------------------------------------ schema
def _schema_fields():
    with open(SHARED / "sentinel" / "asim_process_schema.tsv", encoding="utf-8") as fh:
        out = []
        for r in csv.DictReader(fh, delimiter="\t"):
            kql = {"string", "int", "long", "datetime", "bool", "dynamic", "real"}
            typ = r["tester_type"] or (r["type"] if r["type"] in kql else "string")
            out.append((r["field"], r["class"], typ))
        return out


@pytest.mark.parametrize("view", ["imProcessCreate", "imProcessTerminate", "imProcessEvent", "_Im_ProcessCreate",
                                  "_Im_ProcessEvent", "_Im_ProcessTerminate", "ASimProcessCreate", "ASimProcessEvent",
                                  "imProcess"])
def test_schema_matches_tsv(mordor, view):
    got = {name: typ for name, _, _, typ in mordor.query(f"{view} | getschema").rows}
    fields = _schema_fields()
    wanted = [f for f in fields if f[1] in ("Mandatory", "Mandatory (create events)", "Recommended", "Alias",
                                            "Conditional")]
    assert len(wanted) >= 30
    assert {n: got.get(n) for n, _, _ in wanted} == {n: t for n, _, t in wanted}
    # every schema field, optional ones included, exists with its type
    assert {n: got.get(n) for n, _, _ in fields} == {n: t for n, _, t in fields}


def test_empty_workspace_has_full_schema_and_no_rows(tmp_path):
    import kqlhunt
    with kqlhunt.Engine(tmp_path / "empty.duckdb") as e:
        t0 = time.perf_counter()
        assert rows(e, "imProcessCreate | count") == [(0,)]
        assert time.perf_counter() - t0 < 2.0
        got = {name: typ for name, _, _, typ in e.query("imProcessCreate | getschema").rows}
    assert {n: got.get(n) for n, _, _ in _schema_fields()} == {n: t for n, _, t in _schema_fields()}


def test_every_leg_compiles_and_runs_on_all_source_tables(tmp_path):
    """isfuzzy=true skips a leg on a missing table *and* on a semantic error; run each leg alone on a workspace that
    has every source table (empty), so a mistake in a leg cannot hide behind the union."""
    import duckdb

    import kqlhunt
    from kqlhunt.ingest import SCHEMAS, create_table_sql
    db = tmp_path / "all.duckdb"
    con = duckdb.connect(str(db))
    for table in SCHEMAS:
        con.execute(create_table_sql(table))
    con.close()
    legs = ["_ASIM_ProcessCreate_SysmonEvent", "_ASIM_ProcessCreate_SysmonWindowsEvent",
            "_ASIM_ProcessCreate_SecurityEvent", "_ASIM_ProcessCreate_WindowsEvent4688",
            "_ASIM_ProcessTerminate_SysmonEvent", "_ASIM_ProcessTerminate_SysmonWindowsEvent",
            "_ASIM_ProcessTerminate_SecurityEvent", "_ASIM_ProcessEvent_M365D"]
    with kqlhunt.Engine(db) as e:
        for leg in legs:
            assert rows(e, f"{leg}() | count") == [(0,)], leg
            assert rows(e, f'{leg}(commandline_has_any=dynamic(["x"]), dvcname_has_any=dynamic(["y"])) | count') \
                == [(0,)], leg
        assert rows(e, "imProcessEvent | count") == [(0,)]


# ------------------------------------------------------------------------------------------------ the seed rule
def _seed_query():
    return yaml.safe_load((SHARED / "seed" / "rule.yaml").read_text(encoding="utf-8"))["query"]


def test_seed_rule_on_mordor_returns_nothing(mordor):
    assert mordor.query(_seed_query()).rows == []
    # ...and for the stated reason: the 4688 net.exe rows pass every other condition of the rule, but their command
    # lines carry the executable's path (a backslash); the Sysmon rows also have no ActorUsername.
    pre = rows(mordor, "imProcessCreate | where (CommandLine has ' user ' or CommandLine has ' group ') "
                       "and (CommandLine hassuffix ' /do' or CommandLine hassuffix ' /domain') "
                       "| extend FileName=tostring(split(Process, '\\\\')[-1]) "
                       "| where FileName == 'net.exe' and ActorUsername != '' "
                       "| project CommandLine, has_backslash = CommandLine contains '\\\\' | sort by CommandLine asc")
    assert pre == [(GROUP_CL, True), (USER_CL, True)]


def test_seed_rule_on_pathless_net_user(tmp_path):
    import kqlhunt
    from kqlhunt.ingest import ingest_paths
    db = tmp_path / "fixture.duckdb"
    report = ingest_paths([str(FIXTURES / "securityevent_net_user_nopath.json")], str(db), progress=False)
    assert report.tables == {"SecurityEvent": 2}
    t = dt.datetime(2024, 4, 30, 10, 15, 42, 123000, tzinfo=UTC)
    with kqlhunt.Engine(db) as e:
        got = e.query(_seed_query())
        assert got.columns == ["ActorUsername", "Target", "CommandLine", "Dvc", "EventVendor", "EventProduct",
                               "minTimeGenerated", "maxTimeGenerated", "count_", "timestamp", "AccountCustomEntity",
                               "HostCustomEntity"]
        assert [tuple(r) for r in got.rows] == [
            ("CONTOSO\\mallory", "administrator ", "net  user administrator /domain", "WS07.contoso.local",
             "Microsoft", "Security Events", t, t, 1, t, "CONTOSO\\mallory", "WS07.contoso.local")]
        # the hex ids of the export (0x1a2c, 0x2f0, 0x1b30) become decimal strings
        assert rows(e, "imProcessCreate | project TargetProcessId, ActingProcessId, DvcId, EventOriginalUid "
                       "| sort by TargetProcessId asc") == [
            ("6700", "752", "7a1c1a56-3f5e-4a4f-9d0e-0c2f6c3b1e11", "5f0d2d4e-8b7a-4c31-9a2e-6e1f2b3c4d5e"),
            ("6960", "6700", "7a1c1a56-3f5e-4a4f-9d0e-0c2f6c3b1e11", "9c8b7a6d-5e4f-4321-8765-43210fedcba9")]


# ------------------------------------------------------------------------------------------------ filtering parameters
def _count(engine, call):
    return engine.query(f"{call} | count").rows[0][0]


def _by_product(engine, call):
    return rows(engine, f"{call} | summarize n=count() by EventProduct | sort by EventProduct asc")


def test_filter_defaults_are_no_filter(mordor):
    assert _count(mordor, "imProcessCreate()") == _count(mordor, "imProcessCreate") == 8


def test_filter_starttime_endtime(mordor):
    # the EnumDomainUsers run is 2020-09-21 23:35, the Domain Admins run 08:09 the same day
    assert _count(mordor, "imProcessCreate(starttime=datetime(2020-09-21 12:00))") == 4
    assert _count(mordor, "imProcessCreate(endtime=datetime(2020-09-21 12:00))") == 4
    assert _count(mordor, "imProcessCreate(starttime=datetime(2020-09-21 23:35:37.920), "
                          "endtime=datetime(2020-09-21 23:35:38.956))") == 3
    assert _count(mordor, "imProcessCreate(datetime(2020-09-22), datetime(2020-09-23))") == 0   # positional


def test_filter_commandline_has_any_and_all(mordor):
    assert _count(mordor, 'imProcessCreate(commandline_has_any=dynamic(["group"]))') == 4
    assert _count(mordor, 'imProcessCreate(commandline_has_any=dynamic(["user", "group"]))') == 8
    assert _count(mordor, 'imProcessCreate(commandline_has_all=dynamic(["net1", "domain"]))') == 4
    assert _count(mordor, 'imProcessCreate(commandline_has_all=dynamic(["net1", "admins"]))') == 2


def test_filter_commandline_has_any_ip_prefix(tmp_path):
    import kqlhunt
    from kqlhunt.ingest import ingest_paths
    rec = json.loads((FIXTURES / "securityevent_net_user_nopath.json").read_text())[0]
    recs = []
    for i, cl in enumerate(["ping 10.1.2.3", "ping 110.1.2.3", "net use \\\\192.168.1.7\\c$", "ping 192.168.10.7"]):
        recs.append(dict(rec, CommandLine=cl, EventOriginId=f"id{i}"))
    path = tmp_path / "ips.json"
    path.write_text(json.dumps(recs))
    ingest_paths([str(path)], str(tmp_path / "ips.duckdb"), progress=False)
    with kqlhunt.Engine(tmp_path / "ips.duckdb") as e:
        got = rows(e, 'imProcessCreate(commandline_has_any_ip_prefix=dynamic(["10.1.", "192.168.1"])) '
                      "| project CommandLine | sort by CommandLine asc")
    assert got == [("net use \\\\192.168.1.7\\c$",), ("ping 10.1.2.3",)]


def test_filter_process_names(mordor):
    assert _by_product(mordor, 'imProcessCreate(targetprocess_has_any=dynamic(["net1.exe"]))') == \
        [("Security Events", 2), ("Sysmon", 2)]
    assert _by_product(mordor, 'imProcessCreate(actingprocess_has_any=dynamic(["powershell.exe"]))') == \
        [("Security Events", 2), ("Sysmon", 2)]
    # no leg over these sources knows the grand-parent process, so any parentprocess filter leaves nothing
    assert _count(mordor, 'imProcessCreate(parentprocess_has_any=dynamic(["explorer.exe"]))') == 0


def test_filter_user_names(mordor):
    # TargetUsername: Sysmon User (THESHIRE\\sbeavers); 4688 maps the "-" target to "Nobody"
    assert _by_product(mordor, 'imProcessCreate(targetusername_has="sbeavers")') == [("Sysmon", 2)]
    assert _by_product(mordor, 'imProcessCreate(targetusername_has="Nobody")') == [("Security Events", 4)]
    # ActorUsername: SubjectAccount for 4688; empty for this Sysmon version (no ParentUser)
    assert _by_product(mordor, 'imProcessCreate(actorusername_has="pgustavo")') == [("Security Events", 2)]


def test_filter_device(mordor):
    assert _count(mordor, 'imProcessCreate(dvcname_has_any=dynamic(["WORKSTATION6.theshire.local"]))') == 4
    assert _count(mordor, 'imProcessCreate(dvcname_has_any=dynamic(["workstation5"]))') == 4
    # none of these sources has a device IP address
    assert _count(mordor, 'imProcessCreate(dvcipaddr_has_any_prefix=dynamic(["10."]))') == 0


def test_filter_eventtype_and_disabled_and_hashes(mordor):
    assert _count(mordor, 'imProcessCreate(eventtype="ProcessCreated")') == 8
    assert _count(mordor, 'imProcessCreate(eventtype="ProcessTerminated")') == 0
    assert _count(mordor, 'imProcessEvent(eventtype="ProcessTerminated")') == 12
    assert _count(mordor, "imProcessCreate(disabled=true)") == 0
    assert _count(mordor, 'imProcessCreate(hashes_has_any=dynamic(["3315CF38117D3CCBAC0B40EECC633FBB"]))') == 2
