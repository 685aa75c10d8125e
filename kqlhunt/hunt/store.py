"""Hunt results in the workspace, for the web UI and later runs:

    _kqlhunt_runs      one row per hunt: run_id, times, counts, and the skipped/failed lists (JSON)
    _kqlhunt_rules     one row per rule id: its metadata (JSON) and the status of its latest run
    _kqlhunt_findings  one row per finding: rule, severity, tactics, techniques, time range, entities, custom
                       details and the result row (JSON)

The engine's catalog hides `_kqlhunt*` tables from KQL queries.
"""
from __future__ import annotations

import datetime as dt
import json

from .findings import jsonable

DDL = [
    """CREATE TABLE IF NOT EXISTS _kqlhunt_runs (
        run_id VARCHAR PRIMARY KEY, started TIMESTAMP, seconds DOUBLE, reference_time TIMESTAMP,
        since TIMESTAMP, until TIMESTAMP, rules_run INTEGER, rules_skipped INTEGER, rules_failed INTEGER,
        findings INTEGER, skipped JSON, failed JSON)""",
    """CREATE TABLE IF NOT EXISTS _kqlhunt_rules (
        rule_id VARCHAR PRIMARY KEY, name VARCHAR, kind VARCHAR, severity VARCHAR, tactics JSON,
        techniques JSON, path VARCHAR, query VARCHAR, metadata JSON, last_run_id VARCHAR, last_status VARCHAR,
        last_reason VARCHAR, last_rows BIGINT, last_findings BIGINT, last_seconds DOUBLE, updated TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS _kqlhunt_findings (
        run_id VARCHAR, finding_no INTEGER, rule_id VARCHAR, rule_name VARCHAR, kind VARCHAR, severity VARCHAR,
        tactics JSON, techniques JSON, time_start TIMESTAMP, time_end TIMESTAMP, entities JSON,
        custom_details JSON, alert_name VARCHAR, row JSON)""",
]


def _j(v) -> str:
    return json.dumps(jsonable(v), ensure_ascii=False, default=str)


def _ts(v):
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return v


def ensure_tables(con) -> None:
    for stmt in DDL:
        con.execute(stmt)


def save_report(con, report) -> None:
    ensure_tables(con)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    con.execute("BEGIN TRANSACTION")
    try:
        skipped = [{"id": o.id, "name": o.name, "reason": o.reason} for o in report.by_status("skipped")]
        failed = [{"id": o.id, "name": o.name, "reason": o.reason} for o in report.by_status("failed")]
        con.execute("INSERT INTO _kqlhunt_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            report.run_id, _ts(report.started), report.seconds, _ts(report.reference_time), _ts(report.since),
            _ts(report.until), len(report.by_status("run")), len(skipped), len(failed), len(report.findings),
            _j(skipped), _j(failed)])
        rule_rows = []
        for o in report.outcomes:
            if o.rule is None or not o.id:
                continue
            r = o.rule
            rule_rows.append([r.id, r.name, r.kind, r.severity, _j(r.tactics), _j(r.techniques), r.path, r.query,
                              _j(r.metadata()), report.run_id, o.status, o.reason, o.rows, len(o.findings),
                              o.seconds, now])
        if rule_rows:
            seen = {}
            for row in rule_rows:
                seen.setdefault(row[0], row)
            con.executemany("DELETE FROM _kqlhunt_rules WHERE rule_id = ?", [[k] for k in seen])
            con.executemany("INSERT INTO _kqlhunt_rules VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            list(seen.values()))
        frows = []
        for i, f in enumerate(report.findings):
            r = f.rule
            frows.append([report.run_id, i, r.id, r.name, r.kind, r.severity, _j(r.tactics), _j(r.techniques),
                          _ts(f.time_start), _ts(f.time_end), _j([e.to_dict() for e in f.entities]),
                          _j(f.custom_details), f.alert_name, _j(f.row)])
        if frows:
            con.executemany("INSERT INTO _kqlhunt_findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            frows)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def latest_run(con) -> dict | None:
    """The latest stored run (as a dict), or None."""
    try:
        rows = con.execute("SELECT * FROM _kqlhunt_runs ORDER BY started DESC LIMIT 1").fetchall()
        row = rows[0] if rows else None
    except Exception:
        return None
    if row is None:
        return None
    cols = [d[0] for d in con.description]
    return dict(zip(cols, row))
