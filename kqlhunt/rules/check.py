"""`kqlhunt rules check`: can kqlhunt run these rules? Each rule is loaded, parsed, compiled and run on an empty
workspace that has the Sentinel tables kqlhunt knows (kqlhunt.ingest.schemas, plus the alert tables below) and the
ASIM functions; or compiled against a real workspace (`db=`) and run with `take 0`.

Statuses: ok, unsupported (the construct is named; also queries that compile but fail when run), parse_error
(line:col), semantic_error (e.g. an unknown column, as Kusto would reject it), missing_table (a table kqlhunt has
no schema for), invalid (bad YAML or not a rule).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import KqlError
from .loader import load_rules

STATUSES = ("ok", "unsupported", "parse_error", "semantic_error", "missing_table", "invalid")
KIND_STATUS = {"syntax": "parse_error", "unsupported": "unsupported", "semantic": "semantic_error",
               "missing_table": "missing_table", "runtime": "unsupported"}

# Sentinel tables that rules join with but kqlhunt does not ingest; their schema (Azure Monitor table reference)
# lets rules that read them compile. Empty unless the user loads data into them.
EXTRA_SCHEMAS: dict[str, list[tuple[str, str]]] = {
    "SecurityAlert": [(c, t) for c, t in (
        ("TenantId", "string"), ("TimeGenerated", "datetime"), ("DisplayName", "string"), ("AlertName", "string"),
        ("AlertSeverity", "string"), ("Description", "string"), ("ProviderName", "string"),
        ("VendorName", "string"), ("VendorOriginalId", "string"), ("SystemAlertId", "string"),
        ("ResourceId", "string"), ("SourceComputerId", "string"), ("AlertType", "string"),
        ("ConfidenceLevel", "string"), ("ConfidenceScore", "real"), ("IsIncident", "bool"),
        ("StartTime", "datetime"), ("EndTime", "datetime"), ("ProcessingEndTime", "datetime"),
        ("RemediationSteps", "string"), ("ExtendedProperties", "string"), ("Entities", "string"),
        ("SourceSystem", "string"), ("WorkspaceSubscriptionId", "string"), ("WorkspaceResourceGroup", "string"),
        ("ExtendedLinks", "string"), ("ProductName", "string"), ("ProductComponentName", "string"),
        ("AlertLink", "string"), ("Status", "string"), ("CompromisedEntity", "string"), ("Tactics", "string"),
        ("Techniques", "string"), ("SubTechniques", "string"), ("Type", "string"))],
}


@dataclass
class CheckResult:
    path: str
    id: str
    name: str
    status: str
    reason: str = ""

    def to_dict(self) -> dict:
        return {"path": self.path, "id": self.id, "name": self.name, "status": self.status, "reason": self.reason}


def empty_workspace(now=None):
    """An in-memory engine with every known Sentinel table, empty, and the ASIM functions."""
    from ..engine import Engine
    from ..ingest.schemas import SCHEMAS, create_table_sql
    engine = Engine(now=now or "2024-01-01T00:00:00Z")
    for table in SCHEMAS:
        engine.con.execute(create_table_sql(table))
    for table, cols in EXTRA_SCHEMAS.items():
        if table not in SCHEMAS:
            engine.con.execute(create_table_sql(table, cols))
    engine.refresh()
    return engine


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def check_rule(engine, rule, real_workspace: bool = False) -> CheckResult:
    from ..hunt.compiling import compile_body, prepare
    from ..kql import ast as A
    res = CheckResult(rule.path, rule.id, rule.name, "ok")
    try:
        body, reads = prepare(rule.query)
        missing = sorted(n for n in reads.required
                         if engine.catalog.table(n) is None and engine.catalog.function(n) is None)
        if reads.watchlists:
            res.status, res.reason = "missing_table", "watchlist " + ", ".join(sorted(reads.watchlists)) + \
                " (_GetWatchlist is not available locally)"
            return res
        if missing:
            res.status = "missing_table"
            res.reason = ", ".join(missing) + (" (not in the workspace)" if real_workspace else
                                               " (no table schema or ASIM function for it in kqlhunt)")
            return res
        if real_workspace and body.result is not None:
            body.result = A.Pipe(body.result.pos, body.result, [A.Take(body.result.pos, A.Literal(0, 0, "long"))])
        compiled = compile_body(engine, body, rule.query)
        engine.run(compiled)
    except KqlError as err:
        res.status = KIND_STATUS.get(err.kind, "unsupported")
        msg = _one_line(str(err))
        if err.kind == "runtime":
            msg = "compiles, but fails when run: " + msg
        elif msg.startswith("unsupported: "):
            msg = msg[len("unsupported: "):]
        res.reason = msg
    except Exception as exc:  # an engine bug: report it, keep checking the others
        res.status = "unsupported"
        res.reason = f"internal error: {type(exc).__name__}: {_one_line(str(exc))}"
    return res


def check_paths(paths, db: str | Path | None = None) -> list[CheckResult]:
    rs = load_rules(paths)
    out = [CheckResult(inv.path, inv.id, inv.name, "invalid", inv.reason) for inv in rs.invalid]
    if db is not None:
        from ..engine import Engine
        engine = Engine(db=db)
    else:
        engine = empty_workspace()
    try:
        for rule in rs.rules + [d for d, _ in rs.duplicates]:
            out.append(check_rule(engine, rule, real_workspace=db is not None))
    finally:
        engine.close()
    out.sort(key=lambda r: r.path)
    return out


def summary(results: list[CheckResult]) -> dict[str, int]:
    counts = {s: 0 for s in STATUSES}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    return counts


def to_json_doc(results: list[CheckResult]) -> dict:
    return {"rules": [r.to_dict() for r in results], "summary": summary(results)}
