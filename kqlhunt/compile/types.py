"""KQL scalar types and how values of each are represented in SQL.

Representation (the same on every dialect, so semantics are written once):
- string   -> VARCHAR; a SQL NULL means "" (Kusto strings are never null); outputs are coalesced to ''
- long/int -> BIGINT/INTEGER; real -> DOUBLE; decimal -> DOUBLE (documented approximation); bool -> BOOLEAN
- datetime -> TIMESTAMP (naive UTC, microsecond precision: Kusto's 100 ns ticks are truncated)
- timespan -> BIGINT microseconds
- dynamic  -> JSON (or, internally, a native LIST of VARCHAR where it came from split()/extract_all(); see `E.rep`)
- guid     -> VARCHAR (lower-case canonical text)
"""
from __future__ import annotations

from dataclasses import dataclass

KQL_TYPES = ("bool", "int", "long", "real", "decimal", "string", "datetime", "timespan", "dynamic", "guid")
NUMERIC = ("int", "long", "real", "decimal")

# SQL storage type of each KQL type (DuckDB spelling; a dialect may override).
SQL_TYPES = {
    "bool": "BOOLEAN", "int": "INTEGER", "long": "BIGINT", "real": "DOUBLE", "decimal": "DOUBLE",
    "string": "VARCHAR", "datetime": "TIMESTAMP", "timespan": "BIGINT", "dynamic": "JSON", "guid": "VARCHAR",
}


def kql_type_of_sql(sql_type: str) -> str:
    """The KQL type of a column stored with this DuckDB type (for registered tables and workspace tables)."""
    t = sql_type.upper()
    if t.startswith("VARCHAR") or t in ("TEXT", "STRING", "CHAR", "BLOB", "ENUM") or t.startswith("ENUM"):
        return "string"
    if t == "JSON" or t.endswith("[]") or t.startswith(("STRUCT", "MAP", "LIST", "UNION")):
        return "dynamic"
    if t in ("BOOLEAN", "BOOL"):
        return "bool"
    if t in ("INTEGER", "INT", "INT4", "SMALLINT", "TINYINT", "USMALLINT", "UTINYINT"):
        return "int"
    if t in ("BIGINT", "INT8", "UINTEGER", "UBIGINT", "HUGEINT", "UHUGEINT", "LONG"):
        return "long"
    if t in ("DOUBLE", "FLOAT", "REAL", "FLOAT4", "FLOAT8") or t.startswith("DECIMAL") or t.startswith("NUMERIC"):
        return "real"
    if t.startswith("TIMESTAMP") or t in ("DATE", "DATETIME"):
        return "datetime"
    if t == "INTERVAL" or t.startswith("TIME"):
        return "timespan"
    if t == "UUID":
        return "guid"
    return "string"


@dataclass(slots=True)
class E:
    """A compiled scalar expression: SQL text plus its KQL type.

    notnull: the SQL value is never NULL (lets string semantics skip a coalesce).
    rep:     for dynamic values, 'list' when the SQL value is a native VARCHAR list rather than JSON.
    const:   the Python value when the expression is a literal (lets functions specialise at compile time).
    """
    sql: str
    type: str
    notnull: bool = False
    rep: str | None = None
    const: object = None
    is_const: bool = False
    agg: bool = False          # contains an aggregate call (summarize context)
    empty: str | None = None   # aggregates: SQL of the value over empty input without group-by (sum -> 0, avg -> NaN)
    split: tuple | None = None  # (source SQL, delimiter, index, source column): this is split(source, delimiter)[index]

    def __str__(self) -> str:
        return self.sql
