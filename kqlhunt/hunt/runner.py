"""Run a set of rules over a workspace.

For each rule: check that the tables/functions it reads exist (skip with the missing names otherwise), compile
it with its time window (hunting queries: all data or --since/--until; analytic rules: their queryPeriod ending
at the reference time), run it, apply the trigger threshold and turn every row into a Finding. Rules compile one
after the other and run in parallel on separate DuckDB cursors. The reference time (`now()`) is the latest
TimeGenerated in the workspace unless given.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import duckdb

from ..compile.compiler import Compiled
from ..engine import macros
from ..engine.result import Result
from ..errors import KqlError
from ..rules.loader import RuleSet
from ..rules.model import Rule
from .compiling import TimeColumns, Window, compile_body, naive_utc, prepare
from .findings import Finding, jsonable, make_finding

UTC = dt.timezone.utc


@dataclass
class Outcome:
    id: str
    name: str
    path: str
    status: str                          # run | skipped | failed
    reason: str = ""
    rule: Rule | None = None
    rows: int = 0                        # result rows (before the trigger threshold)
    triggered: bool = False
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    window: Window | None = None
    kind: str = ""                       # for failures: the KqlError kind (syntax, unsupported, ...)


@dataclass
class HuntReport:
    run_id: str
    reference_time: dt.datetime
    outcomes: list[Outcome]
    started: dt.datetime
    seconds: float = 0.0
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    @property
    def findings(self) -> list[Finding]:
        return [f for o in self.outcomes for f in o.findings]

    def by_status(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def exit_code(self) -> int:
        """0 no findings, 3 findings, 1 when rules failed and nothing was found."""
        if self.findings:
            return 3
        return 1 if self.by_status("failed") else 0

    def to_dict(self) -> dict:
        """The `hunt --format json` document."""
        return {
            "reference_time": jsonable(self.reference_time),
            "rules": {
                "run": len(self.by_status("run")),
                "skipped": [{"id": o.id, "name": o.name, "reason": o.reason} for o in self.by_status("skipped")],
                "failed": [{"id": o.id, "name": o.name, "reason": o.reason} for o in self.by_status("failed")],
            },
            "findings": [f.to_dict() for f in self.findings],
        }


# ---------------------------------------------------------------------------------------------- helpers
def latest_time(engine) -> dt.datetime | None:
    """The latest TimeGenerated over every table of the workspace that has one (naive UTC)."""
    best = None
    for name in engine.catalog.table_names():
        cols = engine.catalog.table(name) or {}
        if cols.get("TimeGenerated") != "datetime":
            continue
        q = '"' + name.replace('"', '""') + '"'
        try:
            v = engine.con.execute(f'SELECT max(CAST("TimeGenerated" AS TIMESTAMP)) FROM {q}').fetchall()[0][0]
        except duckdb.Error:
            continue
        if v is not None:
            v = naive_utc(v)
            best = v if best is None or v > best else best
    return best


def _exists(engine, name: str) -> bool:
    return engine.catalog.table(name) is not None or engine.catalog.function(name) is not None


def missing_reason(engine, reads) -> str | None:
    """Why a rule cannot run on this workspace (None if it can)."""
    if reads.watchlists:
        return "needs watchlist " + ", ".join(sorted(reads.watchlists)) + " (_GetWatchlist is not available locally)"
    missing = sorted(n for n in reads.required if not _exists(engine, n))
    if missing:
        return "missing table: " + ", ".join(missing)
    if not reads.required and reads.optional and not any(_exists(engine, n) for n in reads.optional):
        return "missing table: none of " + ", ".join(sorted(reads.optional)) + " (union isfuzzy=true)"
    return None


def rule_window(rule: Rule, reference: dt.datetime, since=None, until=None) -> Window:
    if rule.is_analytic and rule.query_period is not None:
        return Window(reference - rule.query_period, reference)
    return Window(naive_utc(since), naive_utc(until))


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def error_reason(err: KqlError) -> str:
    label = {"syntax": "parse error", "unsupported": "unsupported", "semantic": "semantic error",
             "missing_table": "missing table", "runtime": "runtime error"}.get(err.kind, err.kind)
    msg = one_line(str(err))
    if msg.startswith("unsupported: "):
        msg = msg[len("unsupported: "):]
    return f"{label}: {msg}"


def _cursor_factory(engine, sqls=()):
    """A function giving a new cursor that sees what the engine sees (registered tables, the run-time macros
    `sqls` need: temporary objects are per connection), or None if that is not possible."""
    registered = dict(getattr(engine, "_registered", {}))
    for obj in registered.values():
        if isinstance(obj, duckdb.DuckDBPyRelation):
            return None

    def make():
        cur = engine.con.cursor()
        cur.execute("SET TimeZone = 'UTC'")
        for name, obj in registered.items():
            if isinstance(obj, (str, os.PathLike)):
                path = str(obj).replace("'", "''")
                cur.execute(f'CREATE OR REPLACE TEMP VIEW "{name}" AS SELECT * FROM read_parquet(\'{path}\')')
            else:
                cur.register(name, obj)
        if any("kql_" in s for s in sqls):
            try:
                macros.install(cur, list(sqls))
            except TypeError:       # an engine whose install() takes only the connection
                macros.install(cur)
        return cur
    return make


def _ensure_macros(engine, sqls) -> None:
    engine.ensure_macros(sqls)


# ---------------------------------------------------------------------------------------------- the run
def hunt(engine, rules: RuleSet | list[Rule], *, now=None, since=None, until=None, workers: int | None = None,
         progress=None, store: bool | None = None) -> HuntReport:
    """Run `rules` on `engine`'s workspace. `now` (datetime/ISO string) overrides the reference time;
    `progress(done, total, label)` is called as rules finish; `store` writes the run into the workspace tables
    (default: when the engine has a writable workspace file)."""
    started = dt.datetime.now(UTC)
    t0 = time.perf_counter()
    ruleset = rules if isinstance(rules, RuleSet) else RuleSet(list(rules))
    if now is not None:
        engine.now = now
        reference = engine.now
    else:
        reference = latest_time(engine) or dt.datetime.now(UTC).replace(tzinfo=None)
        engine.now = reference
    since, until = naive_utc(since), naive_utc(until)

    outcomes: list[Outcome] = []
    for inv in ruleset.invalid:
        outcomes.append(Outcome(inv.id, inv.name, inv.path, "failed", f"{inv.path}: {inv.reason}", kind="invalid"))
    for dropped, kept in ruleset.duplicates:
        outcomes.append(Outcome(dropped.id, dropped.name, dropped.path, "skipped",
                                f"same id as {kept.path} (duplicate)", rule=dropped))

    has_time = TimeColumns(engine)
    pending: list[tuple[Outcome, Compiled]] = []
    for rule in ruleset.rules:
        o = Outcome(rule.id, rule.name, rule.path, "run", rule=rule, kind="")
        outcomes.append(o)
        o.window = rule_window(rule, reference, since, until)
        try:
            body, reads = prepare(rule.query, o.window, has_time)
            reason = missing_reason(engine, reads)
            if reason:
                o.status, o.reason = "skipped", reason
                continue
            compiled = compile_body(engine, body, rule.query)
        except KqlError as err:
            if err.kind == "missing_table":
                o.status, o.reason = "skipped", error_reason(err)
            else:
                o.status, o.reason, o.kind = "failed", error_reason(err), err.kind
            continue
        except Exception as exc:  # an engine bug in one rule must not stop the others
            o.status, o.kind = "failed", "internal"
            o.reason = f"internal error: {type(exc).__name__}: {one_line(str(exc))}"
            continue
        pending.append((o, compiled))

    total = len(outcomes)
    done = total - len(pending)
    lock = threading.Lock()
    if progress:
        progress(done, total, "")
    _ensure_macros(engine, [c.sql for _, c in pending])
    make_cursor = _cursor_factory(engine, [c.sql for _, c in pending])
    local = threading.local()

    def execute(item):
        o, compiled = item
        t = time.perf_counter()
        try:
            if make_cursor is None:
                with lock:
                    table = engine.con.sql(compiled.sql).to_arrow_table()
            else:
                cur = getattr(local, "cur", None)
                if cur is None:
                    cur = local.cur = make_cursor()
                table = cur.sql(compiled.sql).to_arrow_table()
            result = Result(compiled.columns, compiled.types, table, compiled.sql)
            rows = result.to_dicts()
            o.rows = len(rows)
            o.triggered = o.rule.triggered(len(rows))
            if o.triggered:
                o.findings = [make_finding(o.rule, r) for r in rows]
        except duckdb.Error as exc:
            o.status, o.kind = "failed", "runtime"
            o.reason = "runtime error: " + one_line(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        except Exception as exc:  # a bug must not stop the other rules
            o.status, o.kind = "failed", "internal"
            o.reason = f"internal error: {type(exc).__name__}: {one_line(str(exc))}"
        o.seconds = time.perf_counter() - t
        return o

    n_workers = workers or min(4, os.cpu_count() or 1)
    if make_cursor is None or n_workers <= 1 or len(pending) <= 1:
        results = map(execute, pending)
    else:
        pool = ThreadPoolExecutor(max_workers=n_workers)
        results = pool.map(execute, pending)
    for o in results:
        done += 1
        if progress:
            progress(done, total, o.name)
    if make_cursor is not None and n_workers > 1 and len(pending) > 1:
        pool.shutdown()

    report = HuntReport(uuid.uuid4().hex, reference, outcomes, started, time.perf_counter() - t0, since, until)
    if store is None:
        store = engine.db != ":memory:"
    if store:
        from .store import save_report
        save_report(engine.con, report)
    return report
