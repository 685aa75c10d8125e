"""The ingest run: files in, ledger and report out; a file is committed whole or not at all.

Owns: `ingest_paths` (the public entry point) and `list_tables`. For every input file: hash it,
skip it if the ledger already has that sha256, otherwise read its records into memory buffers
(EVTX: the crate's raw JSON strings, mapped later in DuckDB SQL by evtxsql; JSON/CSV: rows in
TableWriters). Nothing reaches the database while a file is being read, so a file that cannot
be read is simply dropped and reported; the other files go on.

Transactions:
* small files are grouped: when the buffered input of the group passes GROUP_BYTES (or at the
  end), one transaction maps and inserts every file of the group and writes their ledger rows.
  If that transaction fails, it is rolled back and the files are retried one by one.
* a file whose own buffers pass CHUNK_BYTES streams into per-file staging tables
  `_kqlhunt_stage_<sha256[:16]>_<Table>`, one committed transaction per chunk (bounded memory);
  at its end one transaction moves staging -> target (`INSERT ... BY NAME SELECT *`), writes the
  ledger row and drops the staging tables. A failed file drops its staging tables; staging
  tables left by an interrupted run are dropped at the next start (IngestReport.dropped_staging).

Every record read is either ingested or counted as rejected with a reason.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa

from . import evtxsql, readers, sources, workspace

MAX_REASONS = 100
GROUP_BYTES = 32 << 20  # buffered input of a group of small files committed together
CHUNK_BYTES = 32 << 20  # a file buffering more than this streams into staging tables


@dataclass
class FileReport:
    path: str
    format: str = ""
    status: str = "ingested"  # ingested | skipped | failed
    records: int = 0
    ingested: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)
    sha256: str = ""

    def add_reason(self, reason: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_REASONS:
            self.errors.append(reason)


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    dropped_staging: list[str] = field(default_factory=list)  # left by an interrupted run

    @property
    def records(self) -> int:
        return sum(f.records for f in self.files)

    @property
    def ingested(self) -> int:
        return sum(f.ingested for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    def to_dict(self) -> dict:
        out = {
            "files": [
                {k: v for k, v in asdict(f).items() if k != "sha256"} | {"sha256": f.sha256}
                for f in self.files
            ],
            "tables": dict(self.tables),
        }
        if self.dropped_staging:
            out["dropped_staging"] = list(self.dropped_staging)
        return out


class _Progress:
    """Optional rich progress bar: files done, records read, records/s."""

    def __init__(self, enabled: bool, total_files: int):
        self.enabled = enabled
        self.records = 0
        self.t0 = time.perf_counter()
        self._last = 0.0
        if enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.p = Progress(
                TextColumn("[bold]ingest[/]"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[records]:>10,} records"),
                TextColumn("{task.fields[rate]:>9,.0f} rec/s"),
                TimeElapsedColumn(), TextColumn("{task.fields[name]}"),
                console=Console(stderr=True), transient=False,
            )
            self.task = self.p.add_task("ingest", total=total_files, records=0, rate=0.0, name="")
            self.p.start()

    def file(self, name: str):
        if self.enabled:
            self.p.update(self.task, name=Path(name).name[:40])

    def tick(self, n: int, force: bool = False):
        self.records += n
        if not self.enabled:
            return
        now = time.perf_counter()
        if force or now - self._last > 0.2:
            self._last = now
            rate = self.records / max(now - self.t0, 1e-9)
            self.p.update(self.task, records=self.records, rate=rate)

    def done_file(self):
        if self.enabled:
            self.tick(0, force=True)
            self.p.advance(self.task)

    def close(self):
        if self.enabled:
            self.tick(0, force=True)
            self.p.stop()


def ingest_paths(paths, db_path="kqlhunt.duckdb", *, sysmon_table: str = "Event",
                 progress: bool = True, table: str | None = None,
                 batch_rows: int = 5000, evtx_sql: bool = True) -> "IngestReport":
    """Ingest files/folders into the DuckDB workspace at `db_path`.

    sysmon_table: "Event" (MMA shape, default) or "WindowsEvent" for Sysmon records.
    table: force the destination table of CSV / shapeless JSON rows.
    evtx_sql: map EVTX records in DuckDB SQL (default) or, if False, all in Python (the
    reference mapping; the SQL path falls back to it record by record where needed).
    """
    if sysmon_table not in ("Event", "WindowsEvent"):
        raise ValueError("sysmon_table must be 'Event' or 'WindowsEvent'")
    t0 = time.perf_counter()
    files = list(sources.expand_paths(paths))
    report = IngestReport()
    con = workspace.connect(db_path)
    prog = _Progress(progress, len(files))
    run = _Run(con, sysmon_table, table, batch_rows, prog, evtx_sql)
    try:
        stale = workspace.stale_staging_tables(con)
        if stale:  # an interrupted run: its files were never committed (no ledger row)
            workspace.drop_tables(con, stale)
            report.dropped_staging = stale
        for path in files:
            prog.file(str(path))
            fr = run.read_file(path)
            report.files.append(fr)
            prog.done_file()
        run.flush_group()
    finally:
        prog.close()
        con.close()
    for fr in report.files:
        for t, n in fr.tables.items():
            report.tables[t] = report.tables.get(t, 0) + n
    report.seconds = time.perf_counter() - t0
    return report


class _Job:
    """One file being ingested: its report and its buffered output."""

    def __init__(self, fr: FileReport):
        self.fr = fr
        self.datas: list[str] = []   # raw EVTX records (evtxsql)
        self.times: list = []
        self.ids: list = []
        self.raw_bytes = 0
        self.writers: dict[str, workspace.TableWriter] = {}
        self.staged: dict[str, str] = {}  # table -> staging table (large files)
        self.counts: Counter = Counter()  # rows written so far (staging chunks)
        self.reasons: list[str] = []      # rejects found while writing
        self.evtx = False

    def nbytes(self) -> int:
        return self.raw_bytes + sum(w.nbytes for w in self.writers.values())

    def clear(self) -> None:
        self.datas, self.times, self.ids, self.raw_bytes = [], [], [], 0


class _Run:
    def __init__(self, con, sysmon_table, table, batch_rows, prog, evtx_sql):
        self.con = con
        self.sysmon_table = sysmon_table
        self.table = table
        self.batch_rows = batch_rows
        self.prog = prog
        self.evtx_sql = evtx_sql
        self.cache: dict = {}  # {table: {column: type}} of the connection (cleared on rollback)
        self.group: list[_Job] = []
        self.group_bytes = 0
        self.known = dict(con.execute(f"SELECT sha256, min(path) FROM {workspace.LEDGER} GROUP BY sha256").fetchall())
        evtxsql.install_macros(con)

    # -- reading ---------------------------------------------------------------------------
    def read_file(self, path: Path) -> FileReport:
        fr = FileReport(path=str(path))
        if not path.exists():
            fr.status, fr.format = "failed", "missing"
            fr.errors.append(f"{path}: no such file or directory")
            return fr
        try:
            fr.sha256 = sources.sha256_file(path)
            fr.format = sources.outer_format(path)
        except OSError as exc:
            fr.status = "failed"
            fr.errors.append(f"{path}: cannot read ({exc.strerror or exc})")
            return fr
        done = self.known.get(fr.sha256)
        if done:
            fr.status = "skipped"
            fr.errors.append(f"already ingested (same sha256 as {done})")
            return fr
        job = _Job(fr)
        try:
            self._read(job, path)
            if fr.format in ("zip", "gz"):
                fr.format = f"{fr.format}({'+'.join(dict.fromkeys(job.formats))})"
        except (readers.FileError, ValueError, workspace.RowRejected, duckdb.Error) as exc:
            self._drop_staging(job)
            return _failed(fr, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        self.known[fr.sha256] = str(path)
        if job.staged:
            self._finish_staged(job)
        else:
            self.group.append(job)
            self.group_bytes += job.nbytes()
            if self.group_bytes >= GROUP_BYTES:
                self.flush_group()
        return fr

    def _read(self, job: _Job, path: Path) -> None:
        fr, prog = job.fr, self.prog
        job.formats = []
        for m in list(sources.members(path)):
            job.formats.append(m.format)
            if m.format == "evtx":
                job.evtx = True
                items = readers.read_evtx(m, self.sysmon_table, raw=self.evtx_sql)
            elif m.format == "json":
                items = readers.read_json(m, self.sysmon_table, self.table)
            elif m.format == "csv":
                items = readers.read_csv(m, self.table, self.sysmon_table, default_table=Path(m.name).stem)
            elif m.format == "empty":
                continue
            else:
                if m.path is not None:
                    raise readers.FileError(
                        "unknown format: not EVTX, JSON/JSON lines, CSV, zip or gz "
                        "(sniffed from content); nothing ingested")
                fr.errors.append(f"skipped archive member {m.name}: unknown format")
                continue
            n = 0
            for tname, payload in items:
                if tname is None:
                    n += 1
                    fr.add_reason(payload)
                elif tname is readers.RAW:
                    datas, times, ids = payload
                    job.datas += datas
                    job.times += times
                    job.ids += ids
                    job.raw_bytes += sum(map(len, datas))
                    prog.tick(len(datas))
                    if job.nbytes() >= CHUNK_BYTES:
                        self._spill(job)
                    continue
                else:
                    n += 1
                    w = job.writers.get(tname)
                    if w is None:
                        w = job.writers[tname] = workspace.TableWriter(self.con, tname, self.batch_rows, self.cache)
                    w.add(payload)
                if n >= 500:
                    prog.tick(n)
                    n = 0
                    if job.nbytes() >= CHUNK_BYTES:
                        self._spill(job)
            prog.tick(n)
        for w in job.writers.values():
            w.convert()

    # -- writing ---------------------------------------------------------------------------
    def _write(self, jobs: list[_Job], staging: bool) -> dict[int, tuple[Counter, list[str]]]:
        """Map and insert the buffered output of `jobs` (inside the caller's transaction): into
        the target tables, or with staging=True (one job) into its staging tables. Returns
        {job index: (rows per table, rejects found)}; nothing is changed on the jobs."""
        con = self.con
        out = {i: (Counter(), []) for i in range(len(jobs))}
        fallback: dict[int, dict[str, workspace.TableWriter]] = {}

        def dest(job, table):
            if not staging:
                return table
            name = job.staged.get(table)
            if name is None:
                name = job.staged[table] = workspace.stage_name(job.fr.sha256, table)
            return name

        datas, fids = [], []
        times, ids = [], []
        for i, j in enumerate(jobs):
            if j.datas:
                datas += j.datas
                times += j.times
                ids += j.ids
                fids += [i] * len(j.datas)
        if datas:
            raw = pa.table({"fid": pa.array(fids, pa.int32()), "seq": pa.array(range(len(datas)), pa.int64()),
                            "data": pa.array(datas, pa.string())})
            con.register("_kq_raw", raw)
            try:
                con.execute(evtxsql.stage_sql("_kq_raw", "_kq_stage", self.sysmon_table))
            finally:
                con.unregister("_kq_raw")
            del raw
            # records the SQL cannot map exactly: the Python mapping (and its reject reasons)
            for fid, seq in con.execute("SELECT fid, seq FROM _kq_stage WHERE NOT ok ORDER BY seq").fetchall():
                tname, payload = readers.map_evtx_json(datas[seq], times[seq], ids[seq], self.sysmon_table)
                if tname is None:
                    out[fid][1].append(payload)
                    continue
                ws = fallback.setdefault(fid, {})
                w = ws.get(tname)
                if w is None:
                    w = ws[tname] = workspace.TableWriter(con, tname, self.batch_rows, self.cache)
                w.add(payload)
            counts = con.execute("SELECT fid, route, count(*) FROM _kq_stage WHERE ok GROUP BY ALL").fetchall()
            routes = sorted({r for _, r, _ in counts})
            for fid, route, n in counts:
                out[fid][0][route] += n
            for route in routes:
                se_cols = (evtxsql.security_columns(con, "_kq_stage", "ok")
                           if route == "SecurityEvent" else ())
                if staging:
                    d = dest(jobs[0], route)
                    workspace.create_like(con, d, like=route, cache=self.cache)
                else:
                    d = route
                    workspace.create_like(con, d, cache=self.cache)
                con.execute(evtxsql.insert_sql(route, d, "_kq_stage", "ok", se_cols))
            con.execute("DROP TABLE _kq_stage")
        for i, j in enumerate(jobs):
            writers = list(j.writers.items()) + list(fallback.get(i, {}).items())
            for tname, w in writers:
                out[i][0][tname] += w.write(con, dest(j, tname), self.cache)
                out[i][1].extend(f"{tname}: {r}" for r in w.rejects)
        return out

    def flush_group(self) -> None:
        jobs, self.group, self.group_bytes = self.group, [], 0
        if not jobs:
            return
        con = self.con
        try:
            con.execute("BEGIN TRANSACTION")
            res = self._write(jobs, staging=False)
            done = []
            for i, j in enumerate(jobs):
                counts, reasons = res[i]
                err = self._complete(j, counts, reasons)
                if err:  # e.g. an EVTX file with no readable record: not ingested
                    raise _JobFailed(i, err)
                done.append(j)
            _ledger(con, *(j.fr for j in done))
            con.execute("COMMIT")
        except _JobFailed as exc:
            con.execute("ROLLBACK")
            self.cache.clear()
            bad = jobs[exc.index]
            self._reset(bad)
            _failed(bad.fr, exc.msg)
            self.known.pop(bad.fr.sha256, None)
            rest = jobs[:exc.index] + jobs[exc.index + 1:]
            for j in rest:
                self._reset(j)
            self.group = rest
            self.flush_group()
        except (duckdb.Error, workspace.RowRejected) as exc:
            con.execute("ROLLBACK")
            self.cache.clear()
            if len(jobs) == 1:
                self._reset(jobs[0])
                _failed(jobs[0].fr, f"cannot write: {str(exc).splitlines()[0]}")
                self.known.pop(jobs[0].fr.sha256, None)
                return
            for j in jobs:  # find the culprit: one transaction per file
                self._reset(j)
                self.group = [j]
                self.flush_group()
        except BaseException:
            con.execute("ROLLBACK")
            self.cache.clear()
            raise

    def _reset(self, job: _Job) -> None:
        """Undo what _complete did to a job's report (its transaction was rolled back)."""
        fr = job.fr
        fr.tables = {}
        fr.ingested = 0
        fr.records = 0
        if hasattr(job, "_nreasons"):
            fr.errors = fr.errors[: job._nerrors]
            fr.rejected = job._nreasons

    def _complete(self, job: _Job, counts: Counter, reasons: list[str]) -> str | None:
        """Fill the job's report from the rows written; returns an error if the file is unusable."""
        fr = job.fr
        if not hasattr(job, "_nreasons"):
            job._nreasons, job._nerrors = fr.rejected, len(fr.errors)
        for r in reasons:
            fr.add_reason(r)
        total = job.counts + counts
        fr.tables = {t: n for t, n in total.items() if n}
        fr.ingested = sum(fr.tables.values())
        fr.records = fr.ingested + fr.rejected
        if fr.ingested == 0 and fr.rejected > 0 and fr.format == "evtx":
            return "no readable EVTX record: " + fr.errors[0]
        return None

    def _spill(self, job: _Job) -> None:
        """Commit the job's buffers to its staging tables (large file, bounded memory)."""
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            res = self._write([job], staging=True)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            self.cache.clear()
            raise
        counts, reasons = res[0]
        job.counts += counts
        job.reasons += reasons
        job.clear()
        for w in job.writers.values():
            w.clear()

    def _finish_staged(self, job: _Job) -> None:
        con = self.con
        fr = job.fr
        try:
            self._spill(job)
        except (duckdb.Error, workspace.RowRejected) as exc:
            self._drop_staging(job)
            _failed(fr, f"cannot write: {str(exc).splitlines()[0]}")
            self.known.pop(fr.sha256, None)
            return
        err = self._complete(job, Counter(), job.reasons)
        if err:
            self._drop_staging(job)
            _failed(fr, err)
            self.known.pop(fr.sha256, None)
            return
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("SET preserve_insertion_order = false")
            for table, stage in job.staged.items():
                workspace.move(con, stage, table, self.cache)
            _ledger(con, fr)
            workspace.drop_tables(con, job.staged.values())
            con.execute("COMMIT")
        except (duckdb.Error, workspace.RowRejected) as exc:
            con.execute("ROLLBACK")
            self.cache.clear()
            self._drop_staging(job)
            self._reset(job)
            _failed(fr, f"cannot write: {str(exc).splitlines()[0]}")
            self.known.pop(fr.sha256, None)
        except BaseException:
            con.execute("ROLLBACK")
            self.cache.clear()
            raise
        finally:
            con.execute("SET preserve_insertion_order = true")
        for t in job.staged:
            self.cache.pop(workspace.stage_name(fr.sha256, t), None)
        job.staged = {}

    def _drop_staging(self, job: _Job) -> None:
        if job.staged:
            try:
                self.con.execute("ROLLBACK")
            except duckdb.Error:
                pass
            workspace.drop_tables(self.con, job.staged.values())
            for name in job.staged.values():
                self.cache.pop(name, None)
            job.staged = {}


class _JobFailed(Exception):
    def __init__(self, index: int, msg: str):
        super().__init__(msg)
        self.index, self.msg = index, msg


def _failed(fr: FileReport, msg: str) -> FileReport:
    fr.status = "failed"
    fr.records = fr.ingested = fr.rejected = 0
    fr.tables = {}
    fr.errors = [f"{fr.path}: {msg}"]
    return fr


def _ledger(con, *frs: FileReport) -> None:
    """Ledger rows of the given files, one INSERT."""
    if not frs:
        return
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = {
        "path": [f.path for f in frs], "sha256": [f.sha256 for f in frs], "format": [f.format for f in frs],
        "records": [f.records for f in frs], "ingested": [f.ingested for f in frs],
        "rejected": [f.rejected for f in frs],
        "reasons": [orjson.dumps(dict(Counter(f.errors))).decode() for f in frs],
        "tables": [orjson.dumps(f.tables).decode() for f in frs],
        "ingested_at": [now] * len(frs),
    }
    con.register("_kq_ledger_rows", pa.table(rows))
    try:
        con.execute(f"INSERT INTO {workspace.LEDGER} SELECT path, sha256, format, records, ingested, rejected, "
                    "reasons::JSON, tables::JSON, ingested_at FROM _kq_ledger_rows")
    finally:
        con.unregister("_kq_ledger_rows")


def list_tables(db_path="kqlhunt.duckdb") -> list[dict]:
    """[{table, rows, min_time, max_time}] of the workspace's tables (ledger excluded)."""
    con = workspace.connect(db_path, read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()]
        out = []
        for t in names:
            if t == workspace.LEDGER or t.startswith(workspace.STAGE_PREFIX):
                continue
            cols = workspace.table_columns(con, t)
            q = workspace.quote_ident(t)
            if cols.get("TimeGenerated") == "TIMESTAMP":
                n, lo, hi = con.execute(
                    f'SELECT count(*), min("TimeGenerated"), max("TimeGenerated") FROM {q}').fetchone()
            else:
                n, lo, hi = con.execute(f"SELECT count(*) FROM {q}").fetchone()[0], None, None
            out.append({"table": t, "rows": n, "min_time": lo, "max_time": hi})
        return out
    finally:
        con.close()
