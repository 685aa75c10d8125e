"""Hunt report writers: rich table (grouped by severity), json, jsonl, csv, sarif."""
from __future__ import annotations

import csv
import json

from .findings import jsonable

SEVERITY_ORDER = ["High", "Medium", "Low", "Informational", ""]
SARIF_LEVEL = {"High": "error", "Medium": "warning", "Low": "note", "Informational": "note", "": "warning"}
FORMATS = ("table", "json", "jsonl", "csv", "sarif")


def _dumps(doc, indent=None) -> str:
    return json.dumps(doc, ensure_ascii=False, default=str, indent=indent)


def write_json(report, out) -> None:
    out.write(_dumps(report.to_dict(), indent=2) + "\n")


def write_jsonl(report, out) -> None:
    """One finding per line (with custom details and the alert name)."""
    for f in report.findings:
        out.write(_dumps(f.to_full_dict()) + "\n")


CSV_COLUMNS = ["rule_id", "rule_name", "kind", "severity", "tactics", "techniques", "time_start", "time_end",
               "alert_name", "entities", "custom_details", "row"]


def write_csv(report, out) -> None:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for f in report.findings:
        d = f.to_full_dict()
        w.writerow([d["rule_id"], d["rule_name"], d["kind"], d["severity"], ";".join(d["tactics"]),
                    ";".join(d["techniques"]), d["time_start"] or "", d["time_end"] or "", d["alert_name"],
                    "; ".join(f"{e['type']}.{e['identifier']}={e['value']}" for e in d["entities"]),
                    _dumps(d["custom_details"]) if d["custom_details"] else "", _dumps(d["row"])])


def sarif(report) -> dict:
    """SARIF 2.1.0: one tool rule per rule that ran, one result per finding (entities as logical locations)."""
    from .. import __version__
    rules, index = [], {}
    for o in report.outcomes:
        if o.rule is None or o.status != "run" or o.id in index:
            continue
        r = o.rule
        index[o.id] = len(rules)
        rules.append({
            "id": r.id, "name": r.name,
            "shortDescription": {"text": r.name},
            "fullDescription": {"text": r.description or r.name},
            "defaultConfiguration": {"level": SARIF_LEVEL.get(r.severity, "warning")},
            "properties": {"kind": r.kind, "severity": r.severity, "tactics": r.tactics,
                           "techniques": r.techniques, "tags": ["security"] + r.tactics + r.techniques},
        })
    results = []
    for f in report.findings:
        d = f.to_full_dict()
        ents = ", ".join(f"{e['type']} {e['value']}" for e in d["entities"])
        results.append({
            "ruleId": d["rule_id"], "ruleIndex": index.get(d["rule_id"], -1),
            "level": SARIF_LEVEL.get(d["severity"], "warning"),
            "message": {"text": d["alert_name"] + (f" ({ents})" if ents else "")},
            "locations": [{"logicalLocations": [{"name": e["value"], "kind": e["type"]}
                                                for e in d["entities"]] or [{"name": "workspace"}]}],
            "properties": {"time_start": d["time_start"], "time_end": d["time_end"], "severity": d["severity"],
                           "entities": d["entities"], "custom_details": d["custom_details"], "row": d["row"]},
        })
    notes = [{"level": "warning" if o.status == "failed" else "note",
              "message": {"text": f"{o.status}: {o.name or o.path}: {o.reason}"}}
             for o in report.outcomes if o.status != "run"]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "kqlhunt", "version": __version__,
                                "informationUri": "https://github.com/Azure/Azure-Sentinel", "rules": rules}},
            "invocations": [{"executionSuccessful": not report.by_status("failed"),
                             "toolExecutionNotifications": notes,
                             "properties": {"reference_time": jsonable(report.reference_time)}}],
            "results": results,
        }],
    }


def write_sarif(report, out) -> None:
    out.write(_dumps(sarif(report), indent=2) + "\n")


def _cell(v) -> str:
    v = jsonable(v)
    if isinstance(v, (dict, list)):
        return _dumps(v)
    return "" if v is None else str(v)


def write_table(report, console) -> None:
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text
    styles = {"High": "bold red", "Medium": "yellow", "Low": "cyan", "Informational": "dim"}
    console.print(f"reference time (now()): [bold]{jsonable(report.reference_time)}[/bold]")
    findings = report.findings
    for sev in SEVERITY_ORDER:
        group = [f for f in findings if (f.rule.severity if f.rule.severity in SEVERITY_ORDER else "") == sev]
        if not group:
            continue
        t = Table(title=Text(f"{sev or 'No severity'}: {len(group)} finding(s)", style=styles.get(sev, "")),
                  title_justify="left", show_lines=False)
        for c in ("rule", "time", "entities", "details"):
            t.add_column(c, overflow="fold")
        for f in group:
            when = _cell(f.time_start) if f.time_start == f.time_end else f"{_cell(f.time_start)} .. {_cell(f.time_end)}"
            ents = "\n".join(f"{e.type}: {e.value}" for e in f.entities)
            details = "\n".join(f"{k}: {_cell(v)}" for k, v in f.custom_details.items())
            if not details:
                cmd = f.row.get("CommandLine") or f.row.get("ProcessCommandLine")
                details = f"CommandLine: {cmd}" if cmd else ""
            t.add_row(escape(f.alert_name), when, escape(ents), escape(details))
        console.print(t)
    run, skipped, failed = (report.by_status(s) for s in ("run", "skipped", "failed"))
    console.print(f"[bold]{len(run)}[/bold] rule(s) run, {len(skipped)} skipped, {len(failed)} failed; "
                  f"[bold]{len(findings)}[/bold] finding(s)")
    for o in skipped:
        console.print(f"  [dim]skipped[/dim] {escape(o.name or o.path)}: {escape(o.reason)}", highlight=False)
    for o in failed:
        console.print(f"  [red]failed[/red] {escape(o.name or o.path)}: {escape(o.reason)}", highlight=False)


def write(report, fmt: str, out, console=None) -> None:
    if fmt == "json":
        write_json(report, out)
    elif fmt == "jsonl":
        write_jsonl(report, out)
    elif fmt == "csv":
        write_csv(report, out)
    elif fmt == "sarif":
        write_sarif(report, out)
    else:
        from rich.console import Console
        write_table(report, console or Console(file=out))
