"""The ingest run: files in, one transaction per file, ledger and report out.

Owns: `ingest_paths` (the public entry point) and `list_tables`. For every input file: hash it,
skip it if the ledger already has that sha256, otherwise stream its records through the
readers into the table writers inside one transaction, write the ledger row and commit. A file
that cannot be read is rolled back and reported; the other files go on; nothing committed
earlier is touched. Every record read is either ingested or counted as rejected with a reason.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import orjson

from . import readers, sources, workspace

MAX_REASONS = 100


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
        return {
            "files": [
                {k: v for k, v in asdict(f).items() if k != "sha256"} | {"sha256": f.sha256}
                for f in self.files
            ],
            "tables": dict(self.tables),
        }


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
                 batch_rows: int = 5000) -> "IngestReport":
    """Ingest files/folders into the DuckDB workspace at `db_path`.

    sysmon_table: "Event" (MMA shape, default) or "WindowsEvent" for Sysmon records.
    table: force the destination table of CSV / shapeless JSON rows.
    """
    if sysmon_table not in ("Event", "WindowsEvent"):
        raise ValueError("sysmon_table must be 'Event' or 'WindowsEvent'")
    t0 = time.perf_counter()
    files = list(sources.expand_paths(paths))
    report = IngestReport()
    con = workspace.connect(db_path)
    prog = _Progress(progress, len(files))
    cache: dict = {}
    try:
        for path in files:
            prog.file(str(path))
            fr = _ingest_one(con, path, sysmon_table, table, batch_rows, prog, cache)
            report.files.append(fr)
            for t, n in fr.tables.items():
                report.tables[t] = report.tables.get(t, 0) + n
            prog.done_file()
    finally:
        prog.close()
        con.close()
    report.seconds = time.perf_counter() - t0
    return report


def _ingest_one(con, path: Path, sysmon_table, table, batch_rows, prog, cache) -> FileReport:
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
    done = con.execute(f"SELECT path FROM {workspace.LEDGER} WHERE sha256 = ? LIMIT 1",
                       [fr.sha256]).fetchone()
    if done:
        fr.status = "skipped"
        fr.errors.append(f"already ingested (same sha256 as {done[0]})")
        return fr
    con.execute("BEGIN TRANSACTION")
    writers: dict[str, workspace.TableWriter] = {}
    try:
        mems = list(sources.members(path))
        formats = []
        for m in mems:
            formats.append(m.format)
            if m.format == "evtx":
                items = readers.read_evtx(m, sysmon_table)
            elif m.format == "json":
                items = readers.read_json(m, sysmon_table, table)
            elif m.format == "csv":
                items = readers.read_csv(m, table, sysmon_table, default_table=Path(m.name).stem)
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
                n += 1
                if tname is None:
                    fr.add_reason(payload)
                else:
                    w = writers.get(tname)
                    if w is None:
                        w = writers[tname] = workspace.TableWriter(con, tname, batch_rows, cache)
                    w.add(payload)
                if n == 2000:
                    prog.tick(n)
                    n = 0
            prog.tick(n)
        for w in writers.values():
            w.flush()
        for tname, w in writers.items():
            for reason in w.rejects:
                fr.add_reason(f"{tname}: {reason}")
            if w.written:
                fr.tables[tname] = w.written
        fr.ingested = sum(fr.tables.values())
        fr.records = fr.ingested + fr.rejected
        if fr.format in ("zip", "gz"):
            fr.format = f"{fr.format}({'+'.join(dict.fromkeys(formats))})"
        if fr.ingested == 0 and fr.rejected > 0 and fr.format == "evtx":
            raise readers.FileError("no readable EVTX record: " + fr.errors[0])
        _ledger(con, fr)
        con.execute("COMMIT")
    except (readers.FileError, ValueError) as exc:  # unreadable input, corrupt archive ...
        con.execute("ROLLBACK")
        cache.clear()
        return _failed(fr, str(exc))
    except BaseException:
        con.execute("ROLLBACK")
        cache.clear()
        raise
    return fr


def _failed(fr: FileReport, msg: str) -> FileReport:
    fr.status = "failed"
    fr.records = fr.ingested = fr.rejected = 0
    fr.tables = {}
    fr.errors = [f"{fr.path}: {msg}"]
    return fr


def _ledger(con, fr: FileReport) -> None:
    reasons = Counter(fr.errors)
    con.execute(
        f"INSERT INTO {workspace.LEDGER} VALUES (?, ?, ?, ?, ?, ?, ?::JSON, ?::JSON, ?)",
        [fr.path, fr.sha256, fr.format, fr.records, fr.ingested, fr.rejected,
         orjson.dumps(dict(reasons)).decode(), orjson.dumps(fr.tables).decode(),
         datetime.now(timezone.utc).replace(tzinfo=None)],
    )


def list_tables(db_path="kqlhunt.duckdb") -> list[dict]:
    """[{table, rows, min_time, max_time}] of the workspace's tables (ledger excluded)."""
    con = workspace.connect(db_path, read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()]
        out = []
        for t in names:
            if t == workspace.LEDGER:
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
