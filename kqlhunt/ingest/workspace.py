"""The workspace: a DuckDB file holding Sentinel-shaped tables and the ingest ledger.

Owns: opening the database (with the ingest's memory settings), creating tables with their full
Sentinel schema, the ledger table `_kqlhunt_ingest`, per-file staging tables
(`_kqlhunt_stage_<sha256 prefix>_<Table>`, see pipeline), and the TableWriter that turns rows into
Arrow record batches (strings never NULL, dynamic as JSON, datetime as naive UTC TIMESTAMP) and
appends them to a destination table with one INSERT per batch, naming only the columns the rows
fill (the table's defaults fill the rest). Columns a source has beyond the Sentinel schema are
added to the table (typed from their values) rather than dropped.
"""
from __future__ import annotations

import datetime as _dt
import os

import duckdb
import orjson
import pyarrow as pa

from .schemas import DUCKDB_TO_KQL, KQL_TO_DUCKDB, SCHEMAS, column_sql, create_table_sql, quote_ident
from .windows import parse_time

LEDGER = "_kqlhunt_ingest"
LEDGER_SQL = f"""CREATE TABLE IF NOT EXISTS {LEDGER} (
    path VARCHAR, sha256 VARCHAR, format VARCHAR, records BIGINT, ingested BIGINT,
    rejected BIGINT, reasons JSON, tables JSON, ingested_at TIMESTAMP)"""

_ARROW = {
    "VARCHAR": pa.string(),
    "JSON": pa.string(),
    "UUID": pa.string(),
    "TIMESTAMP": pa.timestamp("us"),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "INTERVAL": pa.string(),
}


STAGE_PREFIX = "_kqlhunt_stage_"
MEMORY_LIMIT = os.environ.get("KQLHUNT_INGEST_MEMORY", "512MB")


def connect(db_path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the workspace. Writers get a bounded DuckDB memory (spilling to `<db>.tmp`)."""
    con = duckdb.connect(str(db_path), read_only=read_only)
    if not read_only:
        con.execute("SET preserve_insertion_order = true")
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.execute(LEDGER_SQL)
    return con


def stage_name(sha256: str, table: str) -> str:
    return f"{STAGE_PREFIX}{sha256[:16]}_{table}"


def stale_staging_tables(con) -> list[str]:
    rows = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                       "AND table_type = 'BASE TABLE'").fetchall()
    return sorted(n for (n,) in rows if n.startswith(STAGE_PREFIX))


def drop_tables(con, names) -> None:
    for n in names:
        con.execute(f"DROP TABLE IF EXISTS {quote_ident(n)}")


def create_like(con, table: str, like: str | None = None, cache: dict | None = None) -> dict[str, str]:
    """Create `table` if missing: with the schema of existing table `like`, else the Sentinel
    schema of `table` (or of the Sentinel table `like` names), else just TimeGenerated.
    Returns {column: duckdb type}."""
    cols = table_columns(con, table) if cache is None or table not in cache else cache[table]
    if not cols:
        src = table_columns(con, like) if like else {}
        if src:
            con.execute(create_table_sql(table, [(c, DUCKDB_TO_KQL.get(t, "string")) for c, t in src.items()]))
        elif table in SCHEMAS or like in SCHEMAS:
            con.execute(create_table_sql(table, SCHEMAS[table if table in SCHEMAS else like]))
        else:
            con.execute(create_table_sql(table, [("TimeGenerated", "datetime")]))
        cols = table_columns(con, table)
    if cache is not None:
        cache[table] = cols
    return cols


def ensure_columns(con, table: str, wanted: dict[str, str], cache: dict) -> None:
    """Add to `table` the columns of `wanted` ({name: duckdb type}) it lacks (case-insensitive)."""
    cols = cache.get(table)
    if cols is None:
        cols = cache[table] = table_columns(con, table)
    lower = {c.lower() for c in cols}
    for c, duck in wanted.items():
        if c.lower() not in lower:
            kql = DUCKDB_TO_KQL.get(duck, "string")
            con.execute(f"ALTER TABLE {quote_ident(table)} ADD COLUMN {column_sql(c, kql)}")
            cols[c] = duck
            lower.add(c.lower())


def move(con, stage: str, target: str, cache: dict) -> int:
    """INSERT INTO target BY NAME every row of stage (target created / widened as needed)."""
    scols = table_columns(con, stage)
    create_like(con, target, like=target if target in SCHEMAS else stage, cache=cache)
    ensure_columns(con, target, scols, cache)
    n = con.execute(f"SELECT count(*) FROM {quote_ident(stage)}").fetchone()[0]
    con.execute(f"INSERT INTO {quote_ident(target)} BY NAME SELECT * FROM {quote_ident(stage)}")
    return n


def table_columns(con, table: str) -> dict[str, str]:
    """{column: duckdb type} in table order, or {} if the table does not exist."""
    rows = con.execute(  # duckdb_columns(): cheaper than information_schema.columns
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ? ORDER BY column_index", [table]).fetchall()
    return {n: t for n, t in rows}


def infer_kql_type(values) -> str:
    for v in values:
        if v is None:
            continue
        t = type(v)
        if t is bool:
            return "bool"
        if t is int:
            return "long"
        if t is float:
            return "real"
        if t is dict or t is list:
            return "dynamic"
        if t is _dt.datetime:
            return "datetime"
        return "string"
    return "string"


# ------------------------------------------------------------------------------------------
# value coercion to the storage type (returns (value, ok))
def _to_str(v):
    if v is None or type(v) is str:
        return v
    if type(v) is bool:
        return "true" if v else "false"
    if type(v) in (dict, list):
        return orjson.dumps(v).decode()
    if isinstance(v, _dt.datetime):
        return v.isoformat()
    return str(v)


def _to_int(v):
    if v is None or type(v) is int:
        return v
    if type(v) is bool:
        return int(v)
    if type(v) is float:
        return int(v) if v == v and v.is_integer() else None
    s = str(v).strip()
    if s == "":
        return None
    try:
        return int(s)
    except ValueError:
        try:
            return int(s, 0)
        except ValueError:
            try:
                f = float(s)
                return int(f) if f.is_integer() else None
            except ValueError:
                raise ValueError(f"not an integer: {s[:40]!r}") from None


def _to_float(v):
    if v is None or type(v) is float:
        return v
    if v == "":
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        raise ValueError(f"not a number: {str(v)[:40]!r}") from None


def _to_bool(v):
    if v is None or type(v) is bool:
        return v
    s = str(v).strip().lower()
    if s in ("true", "1", "yes"):
        return True
    if s in ("false", "0", "no"):
        return False
    if s == "":
        return None
    raise ValueError(f"not a boolean: {s[:40]!r}")


def _to_ts(v):
    if v is None or type(v) is _dt.datetime:
        return v
    if v == "":
        return None
    t = parse_time(v)
    if t is None:
        raise ValueError(f"not a datetime: {str(v)[:40]!r}")
    return t


def _to_json(v):
    if v is None:
        return None
    t = type(v)
    if t is str:
        s = v.lstrip()
        if s[:1] in ("{", "["):
            try:
                orjson.loads(v)
                return v
            except orjson.JSONDecodeError:
                pass
        return orjson.dumps(v).decode()
    return orjson.dumps(v).decode()


_COERCE = {
    "VARCHAR": _to_str, "UUID": _to_str, "INTERVAL": _to_str,
    "INTEGER": _to_int, "BIGINT": _to_int, "DOUBLE": _to_float,
    "BOOLEAN": _to_bool, "TIMESTAMP": _to_ts, "JSON": _to_json,
}
_NATIVE = {"VARCHAR": str, "INTEGER": int, "BIGINT": int, "DOUBLE": float, "BOOLEAN": bool,
           "TIMESTAMP": _dt.datetime}


class RowRejected(Exception):
    pass


class TableWriter:
    """Buffers rows for one table, converts them to Arrow batches every `batch_rows` rows, and
    appends the batches to a destination table on `write` (the table itself, or a staging table
    of the same shape). Nothing touches the database before `write`."""

    def __init__(self, con, table: str, batch_rows: int = 10000, cache: dict | None = None):
        """cache: {table: {column: type}} shared across writers of one connection; the caller
        must clear it after a rollback."""
        self.table = table
        self.batch_rows = batch_rows
        self.rows: list[dict] = []
        self.batches: list[pa.Table] = []
        self.pending = 0   # rows in self.batches
        self.nbytes = 0    # Arrow bytes in self.batches
        self.rejects: list[str] = []  # reasons of rows rejected while converting
        cols = cache.get(table) if cache is not None else None
        if cols is None:
            cols = table_columns(con, table)
            if not cols:
                cols = {c: KQL_TO_DUCKDB[t] for c, t in SCHEMAS.get(table, [("TimeGenerated", "datetime")])}
        self.columns = dict(cols)  # the target's columns plus the new ones of these rows
        self.lower = {c.lower(): c for c in self.columns}

    def add(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch_rows:
            self.convert()

    def _resolve_columns(self, rows) -> dict[str, str]:
        """Map row keys -> column names; unknown keys become new columns typed from values."""
        keys: dict[str, None] = {}
        for r in rows:
            for k in r:
                keys[k] = None
        mapping = {}
        for k in keys:
            if k in self.columns:
                mapping[k] = k
                continue
            low = k.lower()
            if low in self.lower:
                mapping[k] = self.lower[low]
                continue
            kql = infer_kql_type(r.get(k) for r in rows)
            self.columns[k] = KQL_TO_DUCKDB[kql]
            self.lower[low] = k
            mapping[k] = k
        return mapping

    def convert(self) -> None:
        """Buffered rows -> one Arrow batch; rows whose values cannot be converted go to
        self.rejects."""
        rows, self.rows = self.rows, []
        if not rows:
            return
        mapping = self._resolve_columns(rows)
        # group source keys per target column (case-variants collapse onto one column)
        targets: dict[str, list[str]] = {}
        for k, c in mapping.items():
            targets.setdefault(c, []).append(k)
        bad: dict[int, str] = {}
        arrays = {}
        for col, keys in targets.items():
            duck = self.columns[col]
            base = duck if duck in _COERCE else "VARCHAR"
            if len(keys) == 1:
                k = keys[0]
                vals = [r.get(k) for r in rows]
            else:
                vals = [next((r[k] for k in keys if r.get(k) is not None), None) for r in rows]
            native = _NATIVE.get(base)
            if native is None or any(v is not None and type(v) is not native for v in vals):
                conv = _COERCE[base]
                out = []
                for i, v in enumerate(vals):
                    try:
                        out.append(conv(v))
                    except (ValueError, TypeError, OverflowError) as exc:
                        bad.setdefault(i, f"column {col}: {exc}")
                        out.append(None)
                vals = out
            arrays[col] = vals
        if bad:
            self.rejects.extend(bad.values())
            keep = [i for i in range(len(rows)) if i not in bad]
            arrays = {c: [v[i] for i in keep] for c, v in arrays.items()}
        n = len(rows) - len(bad)
        if not n:
            return
        try:
            batch = pa.table({c: pa.array(v, type=_ARROW.get(self.columns[c], pa.string()))
                              for c, v in arrays.items()})
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
            raise RowRejected(f"batch conversion failed: {exc}") from exc
        self.batches.append(batch)
        self.pending += n
        self.nbytes += batch.nbytes

    def clear(self) -> None:
        """Forget the written batches and their rejects (after the caller's COMMIT)."""
        self.batches, self.pending, self.nbytes, self.rejects = [], 0, 0, []

    def write(self, con, dest: str, cache: dict) -> int:
        """Append the buffered rows to `dest` (created like self.table if missing); returns the
        number of rows written. The buffers are kept (the caller may roll back and retry) until
        `clear`."""
        self.convert()
        batches, n = self.batches, self.pending
        if not batches:
            return 0
        create_like(con, dest, like=self.table, cache=cache)
        used: dict[str, str] = {}
        for b in batches:
            for c in b.column_names:
                used[c] = self.columns[c]
        ensure_columns(con, dest, used, cache)
        name = "__kqlhunt_batch"
        for batch in batches:
            sel = []
            for c in batch.column_names:
                q = quote_ident(c)
                duck = self.columns[c]
                if duck == "VARCHAR":
                    sel.append(f"COALESCE({q}, '')")
                elif duck in ("JSON", "UUID", "INTERVAL"):
                    sel.append(f"CAST({q} AS {duck})")
                else:
                    sel.append(q)
            con.register(name, batch)
            try:
                con.execute(
                    f"INSERT INTO {quote_ident(dest)} ({', '.join(quote_ident(c) for c in batch.column_names)}) "
                    f"SELECT {', '.join(sel)} FROM {name}")
            finally:
                con.unregister(name)
        return n


def kql_schema(con, table: str) -> list[tuple[str, str]]:
    """[(column, kql type)] of a workspace table."""
    return [(c, DUCKDB_TO_KQL.get(t, "string")) for c, t in table_columns(con, table).items()]
