"""The workspace: a DuckDB file holding Sentinel-shaped tables and the ingest ledger.

Owns: opening the database, creating tables with their full Sentinel schema, the ledger table
`_kqlhunt_ingest`, and the batch writer that turns buffered rows into Arrow record batches and
appends them with one INSERT per batch (strings never NULL, dynamic as JSON, datetime as naive
UTC TIMESTAMP). Columns a source has beyond the Sentinel schema are added to the table (typed
from their values) rather than dropped.
"""
from __future__ import annotations

import datetime as _dt

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


def connect(db_path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(db_path), read_only=read_only)
    if not read_only:
        con.execute("SET preserve_insertion_order = true")
        con.execute(LEDGER_SQL)
    return con


def table_columns(con, table: str) -> dict[str, str]:
    """{column: duckdb type} in table order, or {} if the table does not exist."""
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position", [table]
    ).fetchall()
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
    """Buffers rows for one table and appends them in Arrow batches."""

    def __init__(self, con, table: str, batch_rows: int = 10000, cache: dict | None = None):
        """cache: {table: {column: type}} shared across writers of one connection; the caller
        must clear it after a rollback."""
        self.con = con
        self.table = table
        self.batch_rows = batch_rows
        self.rows: list[dict] = []
        self.written = 0
        self.rejects: list[str] = []  # reasons of rows rejected while converting
        cols = cache.get(table) if cache is not None else None
        if cols is None:
            if not table_columns(con, table):
                if table in SCHEMAS:
                    con.execute(create_table_sql(table))
                else:
                    con.execute(create_table_sql(table, [("TimeGenerated", "datetime")]))
            cols = table_columns(con, table)
            if cache is not None:
                cache[table] = cols
        self.columns = cols
        self.lower = {c.lower(): c for c in self.columns}

    def add(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch_rows:
            self.flush()

    def _resolve_columns(self, rows) -> dict[str, str]:
        """Map row keys -> table column names, adding unknown columns to the table."""
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
            self.con.execute(f"ALTER TABLE {quote_ident(self.table)} ADD COLUMN {column_sql(k, kql)}")
            self.columns[k] = KQL_TO_DUCKDB[kql]
            self.lower[low] = k
            mapping[k] = k
        return mapping

    def flush(self) -> None:
        """Write buffered rows; rows whose values cannot be converted go to self.rejects."""
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
        if n:
            self._insert(arrays, n)

    def _insert(self, arrays: dict[str, list], n: int) -> None:
        cols = list(arrays)
        try:
            batch = pa.table({c: pa.array(arrays[c], type=_ARROW.get(self.columns[c], pa.string()))
                              for c in cols})
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
            raise RowRejected(f"batch conversion failed: {exc}") from exc
        sel = []
        for c in cols:
            q = quote_ident(c)
            duck = self.columns[c]
            if duck == "VARCHAR":
                sel.append(f"COALESCE({q}, '')")
            elif duck in ("JSON", "UUID", "INTERVAL"):
                sel.append(f"CAST({q} AS {duck})")
            else:
                sel.append(q)
        name = "__kqlhunt_batch"
        self.con.register(name, batch)
        try:
            self.con.execute(
                f"INSERT INTO {quote_ident(self.table)} ({', '.join(quote_ident(c) for c in cols)}) "
                f"SELECT {', '.join(sel)} FROM {name}"
            )
        finally:
            self.con.unregister(name)
        self.written += n


def kql_schema(con, table: str) -> list[tuple[str, str]]:
    """[(column, kql type)] of a workspace table."""
    return [(c, DUCKDB_TO_KQL.get(t, "string")) for c, t in table_columns(con, table).items()]
