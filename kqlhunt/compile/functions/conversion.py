"""Type conversions: tostring, toint, tolong, toreal, tobool, todatetime, totimespan, todynamic/parse_json, toguid,
and the implicit conversions other modules need (`convert`, `to_string`, `dynamic_number`).
Null in, null out; a string that does not parse gives null (query/tolong-function.md and friends).
"""
from __future__ import annotations

from ..types import NUMERIC, E
from . import scalar

US_PER_TICK = 10  # ticks are 100 ns; we keep microseconds


def to_string(c, e: E) -> E:
    t = e.type
    s = e.sql
    if t == "string":
        return e
    if t == "guid":
        return E(s, "string", e.notnull)
    if t == "dynamic":
        if e.rep == "item" and e.split:
            src, delim, _column, index = e.split
            part = index + 1 if index >= 0 else index
            return E(f"split_part({src}, {c.d.string(delim)}, {part})", "string", True, split=e.split)
        if e.rep == "item":
            return E(s, "string")
        if e.rep == "list":
            return E(f"CAST(to_json({s}) AS VARCHAR)", "string")
        return E(f"json_extract_string({s}, '$')", "string")
    if t == "bool":
        return E(f"CASE WHEN {s} THEN 'true' WHEN NOT {s} THEN 'false' END", "string")
    if t in ("int", "long"):
        return E(f"CAST({s} AS VARCHAR)", "string")
    if t in ("real", "decimal"):
        return E(f"kql_real_to_string({s})", "string")
    if t == "datetime":
        return E(f"kql_datetime_to_string({s})", "string")
    if t == "timespan":
        return E(f"kql_timespan_to_string({s})", "string")
    raise c.error(f"cannot convert {t} to string")


def to_dynamic(c, e: E) -> E:
    """A scalar as a dynamic (JSON) value."""
    t = e.type
    if t == "dynamic":
        return c.expr.to_json(e)
    if t in ("string", "guid"):
        return E(f"to_json({e.sql})", "dynamic")
    if t == "datetime":
        return E(f"to_json(kql_datetime_to_string({e.sql}))", "dynamic")
    if t == "timespan":
        return E(f"to_json(kql_timespan_to_string({e.sql}))", "dynamic")
    return E(f"to_json({e.sql})", "dynamic")


def dynamic_number(c, e: E) -> E:
    """A dynamic used in arithmetic: a long if it holds an integer, else a real."""
    if e.rep == "item":
        return E(f"TRY_CAST({e.sql} AS DOUBLE)", "real")
    return E(f"TRY_CAST(json_extract_string({e.sql}, '$') AS DOUBLE)", "real")


def convert(c, e: E, typ: str) -> E:
    """Convert e to KQL type `typ` as the to<type>() function would."""
    if e.type == typ and e.rep is None:
        return e
    fn = {"string": to_string, "dynamic": to_dynamic, "long": to_long, "int": to_int, "real": to_real,
          "decimal": to_real, "bool": to_bool, "datetime": to_datetime, "timespan": to_timespan, "guid": to_guid}[typ]
    return fn(c, e)


def _text(e: E) -> str:
    """SQL text of a string-ish or dynamic value (for parsing)."""
    if e.type == "dynamic":
        return e.sql if e.rep == "item" else f"json_extract_string({e.sql}, '$')"
    return e.sql


def to_long(c, e: E, typ: str = "long") -> E:
    sqlt = "BIGINT" if typ == "long" else "INTEGER"
    t, s = e.type, e.sql
    if t in ("int", "long"):
        return E(f"CAST({s} AS {sqlt})", typ, e.notnull)
    if t in ("real", "decimal"):
        return E(f"TRY_CAST(trunc({s}) AS {sqlt})", typ)
    if t == "bool":
        return E(f"CAST({s} AS {sqlt})", typ, e.notnull)
    if t == "datetime":
        return E(f"CAST(({c.d.epoch_us(s)} + 62135596800000000) * {US_PER_TICK} AS {sqlt})", typ)
    if t == "timespan":
        return E(f"CAST({s} * {US_PER_TICK} AS {sqlt})", typ)
    if t in ("string", "dynamic", "guid"):
        x = _text(e)
        return E(f"coalesce(TRY_CAST({x} AS {sqlt}), TRY_CAST(trunc(TRY_CAST({x} AS DOUBLE)) AS {sqlt}))", typ)
    raise c.error(f"cannot convert {t} to {typ}")


def to_int(c, e: E) -> E:
    return to_long(c, e, "int")


def to_real(c, e: E) -> E:
    t, s = e.type, e.sql
    if t in NUMERIC or t == "bool":
        return E(f"CAST({s} AS DOUBLE)", "real", e.notnull)
    if t == "datetime":
        return E(f"CAST(({c.d.epoch_us(s)} + 62135596800000000) * {US_PER_TICK} AS DOUBLE)", "real")
    if t == "timespan":
        return E(f"CAST({s} * {US_PER_TICK} AS DOUBLE)", "real")
    return E(f"TRY_CAST({_text(e)} AS DOUBLE)", "real")


def to_bool(c, e: E) -> E:
    t, s = e.type, e.sql
    if t == "bool":
        return e
    if t in NUMERIC:
        return E(f"({s} <> 0)", "bool")
    x = _text(e)
    return E(f"CASE lower(trim({x})) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE "
             f"ELSE CASE WHEN TRY_CAST({x} AS DOUBLE) IS NOT NULL THEN TRY_CAST({x} AS DOUBLE) <> 0 END END", "bool")


def to_datetime(c, e: E) -> E:
    t, s = e.type, e.sql
    if t == "datetime":
        return e
    if t in ("long", "int", "real"):
        return E(c.d.from_epoch_us(f"CAST({s} / {US_PER_TICK} - 62135596800000000 AS BIGINT)"), "datetime")
    if e.is_const and isinstance(e.const, str):
        from ...kql.literals import parse_datetime
        v = parse_datetime(e.const)
        return c.expr.const(v, "datetime")
    return E(f"kql_todatetime({_text(e)})", "datetime")


def to_timespan(c, e: E) -> E:
    t, s = e.type, e.sql
    if t == "timespan":
        return e
    if t in ("long", "int", "real"):
        return E(f"CAST({s} / {US_PER_TICK} AS BIGINT)", "timespan")
    if e.is_const and isinstance(e.const, str):
        from ...kql.literals import parse_timespan
        return c.expr.const(parse_timespan(e.const), "timespan")
    return E(f"kql_totimespan({_text(e)})", "timespan")


def to_guid(c, e: E) -> E:
    x = _text(e) if e.type != "guid" else e.sql
    return E(f"CAST(TRY_CAST({x} AS UUID) AS VARCHAR)", "guid")


@scalar("tostring")
def f_tostring(a):
    a.check(1)
    e = to_string(a.c, a[0])
    if e.notnull:
        return e
    return E(f"coalesce({e.sql}, '')", "string", True, split=e.split)


@scalar("toint")
def f_toint(a):
    a.check(1)
    return to_int(a.c, a[0])


@scalar("tolong")
def f_tolong(a):
    a.check(1)
    return to_long(a.c, a[0])


@scalar("toreal", "todouble", "todecimal")
def f_toreal(a):
    a.check(1)
    return to_real(a.c, a[0])


@scalar("tobool", "toboolean")
def f_tobool(a):
    a.check(1)
    return to_bool(a.c, a[0])


@scalar("todatetime", "todate")
def f_todatetime(a):
    a.check(1)
    return to_datetime(a.c, a[0])


@scalar("totimespan", "time")
def f_totimespan(a):
    a.check(1)
    return to_timespan(a.c, a[0])


@scalar("toguid")
def f_toguid(a):
    a.check(1)
    return to_guid(a.c, a[0])


@scalar("todynamic", "parse_json", "parsejson", "toobject")
def f_parse_json(a):
    a.check(1)
    e = a[0]
    if e.type == "dynamic":
        return a.c.expr.to_json(e)
    if e.type != "string":
        return to_dynamic(a.c, e)
    if e.is_const:
        import json
        text = e.const or ""
        try:
            value = json.loads(text) if text.strip() else None
        except ValueError:
            value = text
        return a.c.expr.const(value, "dynamic")
    return E(f"kql_parse_json({e.sql})", "dynamic")
