"""SQL spellings that differ between engines. The compiler states each KQL semantic once, in terms of these
primitives; a dialect renders them. `DuckDB` is the default; a Spark dialect overrides only what differs.
"""
from __future__ import annotations

import datetime as dt
import json
import math

from .types import SQL_TYPES


class Dialect:
    name = "generic"
    sql_types = SQL_TYPES

    # ------------------------------------------------------------------ names and literals
    def ident(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def string(self, s: str) -> str:
        return "'" + s.replace("'", "''") + "'"

    def null(self, kql_type: str) -> str:
        return f"CAST(NULL AS {self.sql_types[kql_type]})"

    def literal(self, value, kql_type: str) -> str:
        if value is None:
            return self.null(kql_type)
        if kql_type == "string" or kql_type == "guid":
            return self.string(str(value))
        if kql_type == "bool":
            return "TRUE" if value else "FALSE"
        if kql_type in ("long", "timespan"):
            return f"CAST({int(value)} AS BIGINT)" if abs(int(value)) < 2**31 else str(int(value))
        if kql_type == "int":
            return f"CAST({int(value)} AS INTEGER)"
        if kql_type in ("real", "decimal"):
            v = float(value)
            if math.isnan(v):
                return "CAST('nan' AS DOUBLE)"
            if math.isinf(v):
                return "CAST('inf' AS DOUBLE)" if v > 0 else "CAST('-inf' AS DOUBLE)"
            return f"CAST({v!r} AS DOUBLE)"
        if kql_type == "datetime":
            return self.timestamp(value)
        if kql_type == "dynamic":
            return self.json_literal(value)
        raise ValueError(kql_type)

    def timestamp(self, value: dt.datetime) -> str:
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"

    def json_literal(self, value) -> str:
        return f"CAST({self.string(json.dumps(to_jsonable(value), ensure_ascii=False, separators=(',', ':')))} AS JSON)"

    def cast(self, sql: str, kql_type: str) -> str:
        return f"CAST({sql} AS {self.sql_types[kql_type]})"

    def try_cast(self, sql: str, kql_type: str) -> str:
        return f"TRY_CAST({sql} AS {self.sql_types[kql_type]})"

    def star_except(self, excluded: list[str]) -> str | None:
        """`*` minus some columns, or None where the dialect cannot say it (the caller lists columns)."""
        return None


class DuckDB(Dialect):
    name = "duckdb"

    def star_except(self, excluded: list[str]) -> str | None:
        if not excluded:
            return "*"
        return "* EXCLUDE (" + ", ".join(self.ident(c) for c in excluded) + ")"

    # strings
    def lower(self, x: str) -> str:
        return f"lower({x})"

    def contains(self, x: str, needle: str) -> str:
        return f"contains({x}, {needle})"

    def starts_with(self, x: str, p: str) -> str:
        return f"starts_with({x}, {p})"

    def ends_with(self, x: str, p: str) -> str:
        return f"suffix({x}, {p})"

    def regex_match(self, x: str, pattern: str) -> str:
        return f"regexp_matches({x}, {pattern})"

    def regex_extract(self, x: str, pattern: str, group: int) -> str:
        return f"regexp_extract({x}, {pattern}, {group})"

    # time
    def epoch_us(self, ts: str) -> str:
        return f"epoch_us({ts})"

    def from_epoch_us(self, us: str) -> str:
        return f"make_timestamp({us})"

    def add_us(self, ts: str, us: str) -> str:
        return f"({ts} + to_microseconds({us}))"

    # dynamic
    def json_path(self, x: str, path: str) -> str:
        return f"json_extract({x}, {self.string(path)})"

    def list_to_json(self, x: str) -> str:
        return f"to_json({x})"


def to_jsonable(value):
    """Python value of a dynamic literal -> JSON-serialisable (datetimes and timespans as Kusto prints them)."""
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.timedelta):
        return format_timespan(int(value / dt.timedelta(microseconds=1)))
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def format_datetime(value: dt.datetime) -> str:
    """Kusto's text form of a datetime: ISO 8601 with 7 fractional digits and Z."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond:06d}0Z"


def format_timespan(us: int) -> str:
    """Kusto's text form of a timespan: [-][d.]hh:mm:ss[.fffffff]."""
    sign = "-" if us < 0 else ""
    us = abs(us)
    days, rem = divmod(us, 86_400_000_000)
    h, rem = divmod(rem, 3_600_000_000)
    m, rem = divmod(rem, 60_000_000)
    s, frac = divmod(rem, 1_000_000)
    text = f"{sign}{str(days) + '.' if days else ''}{h:02d}:{m:02d}:{s:02d}"
    if frac:
        text += f".{frac:06d}0"
    return text
