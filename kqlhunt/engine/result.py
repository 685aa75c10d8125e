"""Query results: column names, KQL types and rows as Python values (str, int, float, bool, None, UTC datetime,
timedelta, dict/list for dynamic), converted from the Arrow table DuckDB returns."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import orjson
import pyarrow as pa
import pyarrow.compute as pc

UTC = dt.timezone.utc


def _dynamic(v):
    if v is None:
        return None
    try:
        return orjson.loads(v)
    except (TypeError, ValueError):
        try:
            return json.loads(v)      # NaN/Infinity literals that orjson rejects
        except (TypeError, ValueError):
            return v


def _converter(kql_type: str):
    if kql_type == "string":
        return lambda v: "" if v is None else v
    if kql_type == "datetime":
        return lambda v: None if v is None else (v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC))
    if kql_type == "timespan":
        return lambda v: None if v is None else dt.timedelta(microseconds=int(v))
    if kql_type == "dynamic":
        return _dynamic
    if kql_type in ("real", "decimal"):
        return lambda v: None if v is None else float(v)
    if kql_type == "guid":
        return lambda v: None if v is None else str(v)
    return None


def _column_values(col: pa.ChunkedArray, kql_type: str, memo: dict | None = None) -> list:
    """One column as Python values; the common types convert inside Arrow (C++), not per value in Python."""
    try:
        if kql_type == "string" and pa.types.is_string(col.type):
            return pc.fill_null(col, "").to_pylist()
        if kql_type == "datetime" and pa.types.is_timestamp(col.type) and col.type.tz is None:
            # numpy builds the naive datetimes in C (Arrow's tz-aware to_pylist is ~6x slower); then mark them UTC
            naive = col.to_numpy().astype(f"datetime64[{col.type.unit}]").astype(object)
            memo = {} if memo is None else memo   # times repeat across rows and columns: build each once
            get = memo.get
            out = []
            for v in naive:
                aware = get(v)
                if aware is None and v is not None:
                    aware = memo[v] = v.replace(tzinfo=UTC)
                out.append(aware)
            return out
        if kql_type == "timespan" and pa.types.is_integer(col.type):
            return col.cast(pa.int64()).cast(pa.duration("us")).to_pylist()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    values = col.to_pylist()
    conv = _converter(kql_type)
    return [conv(v) for v in values] if conv else values


@dataclass
class Result:
    columns: list[str]
    types: list[str]
    table: pa.Table
    sql: str = ""
    _rows: list | None = field(default=None, repr=False)

    @property
    def rows(self) -> list[tuple]:
        if self._rows is None:
            memo: dict = {}
            cols = [_column_values(self.table.column(i), t, memo) for i, t in enumerate(self.types)]
            self._rows = list(zip(*cols)) if cols else []
        return self._rows

    def to_arrow(self) -> pa.Table:
        return self.table

    def to_dicts(self) -> list[dict]:
        return [dict(zip(self.columns, r)) for r in self.rows]

    def __len__(self) -> int:
        return self.table.num_rows
