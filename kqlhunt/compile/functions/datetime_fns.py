"""Date and time functions: now, ago, bin/floor (numbers, datetimes, timespans), bin_at, datetime_add,
datetime_diff, datetime_part, startof*/endof*, dayof*, get*, make_datetime, make_timespan, unixtime_*.
Datetimes are TIMESTAMP (UTC); timespans BIGINT microseconds (see types.py). Weeks start on Sunday.
"""
from __future__ import annotations

from ..types import NUMERIC, E
from . import scalar

# Microseconds from 0001-01-01 to 1970-01-01: Kusto bins datetimes on ticks counted from 0001-01-01.
EPOCH0001_US = 62_135_596_800_000_000


@scalar("now")
def f_now(a):
    a.check(0, 1)
    base = a.c.expr.const(a.c.now, "datetime")
    if len(a) == 1:
        return E(a.d.add_us(base.sql, a[0].sql), "datetime")
    return base


@scalar("ago")
def f_ago(a):
    a.check(1)
    span = a[0]
    if span.is_const and span.const is not None:
        import datetime as dt
        return a.c.expr.const(a.c.now - dt.timedelta(microseconds=span.const), "datetime")
    return E(a.d.add_us(a.c.expr.const(a.c.now, "datetime").sql, f"(-{span.sql})"), "datetime")


def bin_value(a, x: E, size: E) -> E:
    d = a.d
    if x.type == "datetime":
        if size.type != "timespan":
            raise a.error("bin(): a datetime is binned by a timespan")
        us = d.epoch_us(x.sql)
        return E(d.from_epoch_us(f"(({us} + {EPOCH0001_US}) // {size.sql} * {size.sql} - {EPOCH0001_US} - "
                                 f"CASE WHEN ({us} + {EPOCH0001_US}) % {size.sql} < 0 THEN {size.sql} ELSE 0 END)"),
                 "datetime")
    if x.type == "timespan":
        return E(f"(floor(CAST({x.sql} AS DOUBLE) / {size.sql}) * {size.sql})::BIGINT", "timespan")
    if x.type in NUMERIC:
        if x.type in ("int", "long") and size.type in ("int", "long"):
            return E(f"CAST(floor(CAST({x.sql} AS DOUBLE) / {size.sql}) * {size.sql} AS BIGINT)", "long")
        return E(f"(floor(CAST({x.sql} AS DOUBLE) / {size.sql}) * {size.sql})", "real")
    raise a.error(f"bin(): cannot bin a value of type {x.type}")


@scalar("bin", "floor")
def f_bin(a):
    if a.call.name == "floor" and len(a) == 1:
        return E(f"floor({a[0].sql})", a[0].type)
    a.check(2)
    return bin_value(a, a[0], a[1])


@scalar("startofday")
def f_startofday(a):
    a.check(1, 2)
    x = a[0].sql
    if len(a) == 2:
        x = f"({x} + to_days(CAST({a[1].sql} AS INTEGER)))"
    return E(f"date_trunc('day', {x})", "datetime")


@scalar("startofmonth")
def f_startofmonth(a):
    a.check(1, 2)
    x = f"date_trunc('month', {a[0].sql})"
    if len(a) == 2:
        x = f"({x} + to_months(CAST({a[1].sql} AS INTEGER)))"
    return E(x, "datetime")


@scalar("startofyear")
def f_startofyear(a):
    a.check(1, 2)
    x = f"date_trunc('year', {a[0].sql})"
    if len(a) == 2:
        x = f"({x} + to_years(CAST({a[1].sql} AS INTEGER)))"
    return E(x, "datetime")


@scalar("startofweek")
def f_startofweek(a):
    a.check(1, 2)
    x = f"(date_trunc('day', {a[0].sql}) - to_days(CAST(dayofweek({a[0].sql}) AS INTEGER)))"
    if len(a) == 2:
        x = f"({x} + to_days(CAST({a[1].sql} AS INTEGER) * 7))"
    return E(x, "datetime")


@scalar("dayofweek")
def f_dayofweek(a):
    a.check(1)
    return E(f"(CAST(dayofweek({a[0].sql}) AS BIGINT) * 86400000000)", "timespan")


@scalar("getyear")
def f_getyear(a):
    a.check(1)
    return E(f"CAST(year({a[0].sql}) AS INTEGER)", "int")


@scalar("getmonth", "monthofyear")
def f_getmonth(a):
    a.check(1)
    return E(f"CAST(month({a[0].sql}) AS INTEGER)", "int")


@scalar("dayofmonth")
def f_dayofmonth(a):
    a.check(1)
    return E(f"CAST(day({a[0].sql}) AS INTEGER)", "int")


@scalar("dayofyear")
def f_dayofyear(a):
    a.check(1)
    return E(f"CAST(dayofyear({a[0].sql}) AS INTEGER)", "int")


@scalar("hourofday")
def f_hourofday(a):
    a.check(1)
    return E(f"CAST(hour({a[0].sql}) AS INTEGER)", "int")


@scalar("make_datetime")
def f_make_datetime(a):
    a.check(3, 7)
    parts = [a[i].sql for i in range(len(a))] + ["0"] * (6 - len(a))
    y, mo, d, h, mi, sec = parts[:6]
    return E(f"make_timestamp(CAST({y} AS BIGINT), CAST({mo} AS BIGINT), CAST({d} AS BIGINT), CAST({h} AS BIGINT), "
             f"CAST({mi} AS BIGINT), CAST({sec} AS DOUBLE))", "datetime")


@scalar("unixtime_seconds_todatetime")
def f_unix_s(a):
    a.check(1)
    return E(a.d.from_epoch_us(f"CAST(round({a[0].sql} * 1000000) AS BIGINT)"), "datetime")


@scalar("unixtime_milliseconds_todatetime")
def f_unix_ms(a):
    a.check(1)
    return E(a.d.from_epoch_us(f"CAST(round({a[0].sql} * 1000) AS BIGINT)"), "datetime")


@scalar("unixtime_microseconds_todatetime")
def f_unix_us(a):
    a.check(1)
    return E(a.d.from_epoch_us(f"CAST({a[0].sql} AS BIGINT)"), "datetime")


@scalar("unixtime_nanoseconds_todatetime")
def f_unix_ns(a):
    a.check(1)
    return E(a.d.from_epoch_us(f"CAST({a[0].sql} // 1000 AS BIGINT)"), "datetime")
