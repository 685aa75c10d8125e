"""Query results: column names, KQL types and rows as Python values (str, int, float, bool, None, UTC datetime,
timedelta, dict/list for dynamic), converted from the Arrow table DuckDB returns."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pyarrow as pa

UTC = dt.timezone.utc


def _dynamic(v):
    if v is None:
        return None
    try:
        return json.loads(v)
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
            cols = []
            for i, t in enumerate(self.types):
                values = self.table.column(i).to_pylist()
                conv = _converter(t)
                cols.append([conv(v) for v in values] if conv else values)
            self._rows = list(zip(*cols)) if cols else []
        return self._rows

    def to_arrow(self) -> pa.Table:
        return self.table

    def to_dicts(self) -> list[dict]:
        return [dict(zip(self.columns, r)) for r in self.rows]

    def __len__(self) -> int:
        return self.table.num_rows
