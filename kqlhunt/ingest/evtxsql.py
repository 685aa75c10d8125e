"""EVTX record mapping in DuckDB SQL (the fast path), equivalent to windows.from_evtx + to_row.

Owns: turning batches of raw evtx-crate JSON strings (`records_json()`'s "data", plus the record
header time) into Event / SecurityEvent / WindowsEvent rows without decoding them in Python. One
`json_transform` per record extracts System and EventData/UserData; list lambdas render the
EventData values (GUIDs `{lowercase}`, numbers and booleans as text) and build the XML/JSON
columns exactly as windows.py does.

windows.py stays the reference: a record the SQL cannot map *exactly* the same way (no usable
System.TimeCreated, duplicate or nested EventData values, floats, mixed named/unnamed Data, odd
integers...) is flagged `ok = false` and handed back to the Python mapping by the caller, which also
produces the reject reasons. tests/ingest compare both paths row for row on every dataset file.

Use: `stage(con, raw_name, stage_name, sysmon_table)` builds a temp table from a registered Arrow
table `raw(fid, seq, data, ts)`; `insert_sql(route, dest, stage_name, columns, where)` gives the
INSERT for one destination table; `security_columns(con, stage_name)` lists the SecurityEvent
EventData columns present in a stage.
"""
from __future__ import annotations

from .schemas import COLUMN_TYPES, quote_ident
from .windows import (AMA_LEVEL_NAME, EVENT_XMLNS, NULL_GUID, SECURITY_ACTIVITY, SYSMON_CHANNEL,
                      SYSMON_PROVIDER, WELL_KNOWN_SIDS, _SE_DATA_COLUMNS)

_SPEC = ('{"Event":{"System":{"Provider":{"#attributes":{"Name":"VARCHAR","EventSourceName":"VARCHAR"}},'
         '"EventID":"JSON","TimeCreated":{"#attributes":{"SystemTime":"VARCHAR"}},"Computer":"VARCHAR",'
         '"Channel":"VARCHAR","Level":"VARCHAR","Task":"VARCHAR","Opcode":"VARCHAR","Keywords":"VARCHAR",'
         '"EventRecordID":"VARCHAR","Version":"VARCHAR",'
         '"Execution":{"#attributes":{"ProcessID":"VARCHAR","ThreadID":"VARCHAR"}},'
         '"Security":{"#attributes":{"UserID":"VARCHAR"}},"Correlation":{"#attributes":"JSON"}},'
         '"EventData":"JSON","UserData":"JSON"}}')

_INT_RE = "-?[0-9]{1,18}"
_HEX_RE = "0[xX][0-9a-fA-F]{1,15}"

MACROS = [
    # Python's render() of a scalar JSON value (GUIDs as Windows renders them)
    "CREATE OR REPLACE TEMP MACRO _kq_guid(s) AS CASE WHEN length(s) = 36 AND regexp_full_match(s, "
    "'[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}') THEN '{' || lower(s) || '}' ELSE s END",
    "CREATE OR REPLACE TEMP MACRO _kq_render(v) AS CASE WHEN v IS NULL THEN '' "
    "WHEN json_type(v) = 'VARCHAR' THEN _kq_guid(v->>'$') ELSE COALESCE(v->>'$', '') END",
    "CREATE OR REPLACE TEMP MACRO _kq_scalar(v) AS v IS NULL OR "
    "json_type(v) IN ('VARCHAR', 'BOOLEAN', 'UBIGINT', 'BIGINT', 'NULL')",
    "CREATE OR REPLACE TEMP MACRO _kq_esc(s) AS "
    "replace(replace(replace(s, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')",
    # windows._int on text: decimal or 0x-hex, else NULL; _kq_intok: the SQL agrees with Python
    f"CREATE OR REPLACE TEMP MACRO _kq_int(v) AS CASE WHEN regexp_full_match(v, '{_INT_RE}') "
    f"THEN v::BIGINT WHEN regexp_full_match(v, '{_HEX_RE}') THEN TRY_CAST(v AS BIGINT) END",
    f"CREATE OR REPLACE TEMP MACRO _kq_intok(v) AS v IS NULL OR regexp_full_match(v, '{_INT_RE}') "
    f"OR regexp_full_match(v, '{_HEX_RE}') OR NOT regexp_matches(v, '[0-9]')",
    "CREATE OR REPLACE TEMP MACRO _kq_acct(d, u) AS CASE WHEN u = '' THEN '' WHEN d <> '' "
    "THEN d || '\\' || u ELSE u END",
    "CREATE OR REPLACE TEMP MACRO _kq_accttype(d, u) AS CASE WHEN u = '' THEN '' WHEN suffix(u, '$') "
    "OR upper(d) IN ('NT AUTHORITY', 'WINDOW MANAGER', 'FONT DRIVER HOST') THEN 'Machine' ELSE 'User' END",
]


def install_macros(con) -> None:
    for m in MACROS:
        con.execute(m)


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def stage_sql(raw: str, stage: str, sysmon_table: str) -> str:
    """CREATE TEMP TABLE stage: one row per raw record with the System fields, the rendered
    EventData list `dl` [{k, v}] (k NULL for unnamed <Data>), the UserData element name, the
    destination `route` and `ok` (false: map this record in Python instead)."""
    sysmon_route = _lit(sysmon_table)
    return f"""
CREATE OR REPLACE TEMP TABLE {stage} AS
WITH a AS (
    SELECT fid, seq, json_transform(data, '{_SPEC}') AS j FROM {raw}
), b AS (
    SELECT fid, seq, j.Event.System AS s, j.Event.EventData AS ed, json_type(j.Event.EventData) AS edt,
           j.Event.UserData AS ud, json_type(j.Event.UserData) AS udt
    FROM a
), c AS (
    SELECT *,
        CASE WHEN edt = 'OBJECT' THEN map_entries(json_transform(ed, '"MAP(VARCHAR, JSON)"')) END AS ede,
        CASE WHEN edt IS DISTINCT FROM 'OBJECT' AND udt = 'OBJECT'
             THEN map_entries(json_transform(ud, '"MAP(VARCHAR, JSON)"')) END AS ude
    FROM b
), d AS (
    SELECT fid, seq, s,
        (edt IS DISTINCT FROM 'OBJECT' AND udt = 'OBJECT' AND len(ude) > 0) AS isud,
        CASE WHEN edt = 'OBJECT' THEN list_filter(ede, lambda e: e.key <> '#attributes' AND e.key <> 'Binary')
             WHEN udt = 'OBJECT' AND len(ude) > 0 AND json_type(ude[1].value) = 'OBJECT'
             THEN list_filter(map_entries(json_transform(ude[1].value, '"MAP(VARCHAR, JSON)"')),
                              lambda e: e.key <> '#attributes')
             WHEN edt = 'OBJECT' OR udt = 'OBJECT' THEN NULL
             ELSE [] END AS ents,
        CASE WHEN edt IS DISTINCT FROM 'OBJECT' AND udt = 'OBJECT' AND len(ude) > 0 THEN ude[1].key ELSE '' END AS udname,
        COALESCE((edt = 'OBJECT' AND ede IS NULL)
                 OR (udt = 'OBJECT' AND edt IS DISTINCT FROM 'OBJECT' AND ude IS NULL), false) AS dup
    FROM c
), d2 AS (
    SELECT * REPLACE (
        -- <Data> with attributes: {{"#text": ...}} (windows.from_evtx unwraps it)
        list_transform(ents, lambda x: CASE WHEN NOT isud AND x.key = 'Data' AND json_type(x.value) = 'OBJECT'
            AND json_exists(x.value, '$."#text"') THEN {{'key': x.key, 'value': json_extract(x.value, '$."#text"')}}
            ELSE x END) AS ents)
    FROM d
), e AS (
    SELECT *,
        flatten(list_transform(ents, lambda x:
            CASE WHEN NOT isud AND x.key = 'Data' AND json_type(x.value) = 'ARRAY'
                 THEN list_transform(json_transform(x.value, '["JSON"]'),
                                     lambda y: {{'k': NULL::VARCHAR, 'v': _kq_render(y), 'ok': _kq_scalar(y)}})
                 ELSE [{{'k': CASE WHEN NOT isud AND x.key = 'Data' THEN NULL ELSE x.key END,
                        'v': _kq_render(x.value), 'ok': _kq_scalar(x.value)}}] END)) AS dl0,
        s.TimeCreated."#attributes".SystemTime AS st,
        CASE WHEN json_type(s.EventID) = 'OBJECT' THEN json_extract_string(s.EventID, '$."#text"')
             ELSE s.EventID->>'$' END AS eids
    FROM d2
), f AS (
    SELECT fid, seq, dl0, isud, udname, dup, ents,
        CASE WHEN regexp_full_match(st, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}(\\.[0-9]+)?Z')
             THEN TRY_CAST(regexp_extract(st, '^[^.Z]*(\\.[0-9]{{1,6}})?') AS TIMESTAMP) END AS t,
        COALESCE(NULLIF(s.Provider."#attributes".Name, ''), NULLIF(s.Provider."#attributes".EventSourceName, ''), '') AS provider,
        COALESCE(s.Channel, '') AS channel, COALESCE(s.Computer, '') AS computer,
        eids, s.Level AS levels, s.Task AS tasks, s.Opcode AS opcodes, s.Version AS versions,
        s.Execution."#attributes".ProcessID AS pids, s.Execution."#attributes".ThreadID AS tids,
        COALESCE(s.Keywords, '') AS keywords, COALESCE(s.EventRecordID, '') AS recid,
        COALESCE(s.Security."#attributes".UserID, '') AS usid,
        CASE WHEN s.Correlation."#attributes" IS NULL OR s.Correlation."#attributes" IN ('{{}}', '""', 'null', 'false', '0', '[]')
             THEN '' ELSE s.Correlation."#attributes"::VARCHAR END AS corr,
        s IS NOT NULL AS has_sys
    FROM e
)
SELECT fid, seq, t, provider, channel, computer, keywords, recid, usid, corr, udname,
    COALESCE(_kq_int(eids), 0)::INTEGER AS eid,
    _kq_int(levels) AS level, _kq_int(tasks)::INTEGER AS task, _kq_int(opcodes) AS opcode,
    _kq_int(versions)::INTEGER AS version, _kq_int(pids)::INTEGER AS pid, _kq_int(tids)::INTEGER AS tid,
    list_transform(dl0, lambda x: {{'k': x.k, 'v': x.v}}) AS dl,
    CASE WHEN channel = 'Security' THEN 'SecurityEvent'
         WHEN provider = {_lit(SYSMON_PROVIDER)} OR channel = {_lit(SYSMON_CHANNEL)} THEN {sysmon_route}
         ELSE 'WindowsEvent' END AS route,
    (has_sys AND t IS NOT NULL AND year(t) >= 1970 AND NOT dup AND ents IS NOT NULL
     AND COALESCE(list_bool_and(list_transform(dl0, lambda x: x.ok)), true)
     AND NOT (COALESCE(list_bool_or(list_transform(dl0, lambda x: x.k IS NULL)), false)
              AND COALESCE(list_bool_or(list_transform(dl0, lambda x: x.k IS NOT NULL)), false))
     AND _kq_intok(eids) AND _kq_intok(levels) AND _kq_intok(tasks) AND _kq_intok(opcodes)
     AND _kq_intok(versions) AND _kq_intok(pids) AND _kq_intok(tids)) IS TRUE AS ok
FROM f
"""


def security_columns(con, stage: str, where: str) -> list[str]:
    """SecurityEvent EventData columns (exact names, as windows.security_event_row matches them)
    present in the stage's SecurityEvent rows."""
    keys = con.execute(
        f"SELECT DISTINCT x.k FROM (SELECT unnest(dl) AS x FROM {stage} "
        f"WHERE route = 'SecurityEvent' AND {where}) WHERE x.k IS NOT NULL").fetchall()
    return sorted(k for (k,) in keys if k in _SE_DATA_COLUMNS)


_CRLF = "chr(13) || chr(10)"


def _user_name() -> str:
    cases = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in WELL_KNOWN_SIDS.items())
    return f"CASE usid WHEN '' THEN 'N/A' {cases} ELSE usid END"


def _activity() -> str:
    cases = " ".join(f"WHEN {k} THEN {_lit(f'{k} - {v}')}" for k, v in SECURITY_ACTIVITY.items())
    return f"CASE eid {cases} ELSE eid::VARCHAR END"


def insert_sql(route: str, dest: str, stage: str, where: str, se_columns: list[str] = ()) -> str:
    """INSERT INTO dest BY NAME the `route` rows of the stage selected by `where`."""
    if route == "Event":
        event_data = (
            "'<DataItem type=\"System.XmlData\" time=\"' || strftime(t, '%Y-%m-%dT%H:%M:%S.%f') || "
            f"'0Z\" sourceHealthServiceId=\"{NULL_GUID}\"><EventData xmlns=\"{EVENT_XMLNS}\">' || "
            "array_to_string(list_transform(dl, lambda x: CASE WHEN x.k IS NULL THEN '<Data>' || _kq_esc(x.v) "
            "|| '</Data>' ELSE '<Data Name=\"' || x.k || '\">' || _kq_esc(x.v) || '</Data>' END), '') || "
            "'</EventData></DataItem>'")
        cols = [
            "'OpsManager' AS SourceSystem", "t AS TimeGenerated", "provider AS Source",
            "channel AS EventLog", "computer AS Computer",
            "CASE WHEN level IN (1, 2) THEN 1 WHEN level = 3 THEN 2 ELSE 4 END AS EventLevel",
            "CASE WHEN level IN (1, 2) THEN 'Error' WHEN level = 3 THEN 'Warning' ELSE 'Information' END "
            "AS EventLevelName",
            "array_to_string(list_transform(dl, lambda x: '<Param>' || _kq_esc(x.v) || '</Param>'), '') "
            "AS ParameterXml",
            f"{event_data} AS EventData", "eid AS EventID", "'' AS RenderedDescription",
            "task AS EventCategory", f"{_user_name()} AS UserName", "'Event' AS Type",
        ]
    elif route == "WindowsEvent":
        names = " ".join(f"WHEN {k} THEN {_lit(v)}" for k, v in AMA_LEVEL_NAME.items())
        cols = [
            "'OpsManager' AS SourceSystem", "t AS TimeGenerated", "provider AS Provider",
            "channel AS Channel", "computer AS Computer", "task AS Task", "level::INTEGER AS EventLevel",
            f"CASE level {names} ELSE '' END AS EventLevelName",
            "CASE WHEN len(dl) = 0 THEN NULL "
            "WHEN list_bool_and(list_transform(dl, lambda x: x.k IS NULL)) "
            "THEN to_json(list_transform(dl, lambda x: x.v))::VARCHAR "
            "ELSE '{' || array_to_string(list_transform(dl, lambda x: to_json(x.k)::VARCHAR || ':' || "
            "to_json(x.v)::VARCHAR), ',') || '}' END::JSON AS EventData",
            "eid AS EventID", "keywords AS Keywords", "COALESCE(opcode::VARCHAR, '') AS Opcode",
            "recid AS EventRecordId", "pid AS SystemProcessId", "tid AS SystemThreadId",
            "usid AS SystemUserId", "corr AS Correlation", "version AS Version", "'WindowsEvent' AS Type",
        ]
    elif route == "SecurityEvent":
        se_types = COLUMN_TYPES["SecurityEvent"]
        cols = [
            "'OpsManager' AS SourceSystem", "t AS TimeGenerated", "computer AS Computer",
            "provider AS EventSourceName", "channel AS Channel", "task AS Task",
            "COALESCE(level::VARCHAR, '') AS Level", "eid AS EventID", "'SecurityEvent' AS Type",
            f"{_activity()} AS Activity",
        ]
        for c in se_columns:
            v = f"dm[{_lit(c)}]"
            if se_types[c] == "int":
                cols.append(f"_kq_int({v})::INTEGER AS {quote_ident(c)}")
            else:
                cols.append(f"COALESCE({v}, '') AS {quote_ident(c)}")
        parts_ud = ("array_to_string(list_transform(dl, lambda x: CASE WHEN x.k IS NULL THEN "
                    f"{_CRLF} || '  <Data>' || _kq_esc(x.v) || '</Data>' ELSE '<' || x.k || '>' || "
                    "_kq_esc(x.v) || '</' || x.k || '>' END), '')")
        parts_ed = ("array_to_string(list_transform(dl, lambda x: "
                    f"{_CRLF} || '  <Data' || CASE WHEN x.k IS NULL THEN '>' ELSE ' Name=\"' || x.k || '\">' END "
                    "|| _kq_esc(x.v) || '</Data>'), '')")
        cols += [
            f"CASE WHEN udname <> '' THEN '<UserData><' || udname || ' xmlns=\"{EVENT_XMLNS}\">' || {parts_ud} "
            "|| '</' || udname || '></UserData>' "
            f"WHEN len(dl) > 0 THEN '<EventData xmlns=\"{EVENT_XMLNS}\">' || {parts_ed} || {_CRLF} || "
            "'</EventData>' ELSE '' END AS EventData",
            "CASE WHEN su <> '' THEN _kq_acct(sd, su) ELSE '' END AS SubjectAccount",
            "CASE WHEN tu <> '' THEN _kq_acct(td, tu) ELSE '' END AS TargetAccount",
            "CASE WHEN tu <> '' AND tu <> '-' AND eid NOT IN (4688, 4689) THEN _kq_acct(td, tu) "
            "WHEN su <> '' THEN _kq_acct(sd, su) ELSE '' END AS Account",
            "CASE WHEN tu <> '' AND tu <> '-' AND eid NOT IN (4688, 4689) THEN _kq_accttype(td, tu) "
            "WHEN su <> '' THEN _kq_accttype(sd, su) ELSE '' END AS AccountType",
            "CASE WHEN pth <> '' THEN string_split(pth, '\\')[-1] ELSE '' END AS Process",
        ]
        inner = (
            f"SELECT *, COALESCE(dm['SubjectUserName'], '') AS su, COALESCE(dm['SubjectDomainName'], '') AS sd, "
            "COALESCE(dm['TargetUserName'], '') AS tu, COALESCE(dm['TargetDomainName'], '') AS td, "
            "COALESCE(NULLIF(dm['NewProcessName'], ''), NULLIF(dm['ProcessName'], ''), '') AS pth "
            f"FROM (SELECT *, map_from_entries(list_filter(dl, lambda x: x.k IS NOT NULL)) AS dm FROM {stage} "
            f"WHERE route = 'SecurityEvent' AND {where})")
        return (f"INSERT INTO {quote_ident(dest)} BY NAME SELECT {', '.join(cols)} FROM ({inner}) "
                "ORDER BY fid, seq")
    else:
        raise ValueError(route)
    return (f"INSERT INTO {quote_ident(dest)} BY NAME SELECT {', '.join(cols)} FROM {stage} "
            f"WHERE route = {_lit(route)} AND {where} ORDER BY fid, seq")
