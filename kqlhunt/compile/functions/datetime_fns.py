"""Date and time functions: now, ago, bin/floor/bin_at (numbers, datetimes, timespans), datetime_add, datetime_diff,
datetime_part, startof*/endof*, dayof*/get*/week_of_year, make_datetime, make_timespan, unixtime_*_todatetime,
datetime_local_to_utc/datetime_utc_to_local.

Datetimes are TIMESTAMP (UTC, microseconds); timespans BIGINT microseconds (see types.py). Kusto counts 100 ns
ticks: run-time values drop the last digit, but constants keep it (`literals.KqlDatetime.tick`) and the functions
here fold constant arguments at compile time so documented examples with 7 fractional digits answer exactly.
Weeks start on Sunday (startofweek, datetime_diff('week')); week_of_year is ISO 8601.
"""
from __future__ import annotations

import calendar
import datetime as dt

from ...kql.literals import KqlDatetime, ticks_of, with_tick
from ..types import NUMERIC, E
from . import scalar

# Microseconds from 0001-01-01 to 1970-01-01: Kusto bins datetimes on ticks counted from 0001-01-01.
EPOCH0001_US = 62_135_596_800_000_000
US_DAY = 86_400_000_000
INTS = ("int", "long")
MIN_DT = dt.datetime(1, 1, 1)
MAX_DT = dt.datetime(9999, 12, 31, 23, 59, 59, 999999)


# ---------------------------------------------------------------------------------------------- helpers
def _dt(a, i: int) -> E:
    """Argument i as a datetime (dynamic is converted like todatetime(); other types are an error)."""
    e = a[i]
    if e.type == "datetime":
        return e
    if e.type == "dynamic":
        from .conversion import to_datetime
        return to_datetime(a.c, e)
    raise a.error(f"{a.call.name}(): argument {i + 1} must be a datetime, not {e.type}")


def _int(a, i: int) -> E:
    """Argument i as an integer (int/long; dynamic converted like tolong())."""
    e = a[i]
    if e.type in INTS:
        return e
    if e.type == "dynamic":
        from .conversion import to_long
        return to_long(a.c, e)
    raise a.error(f"{a.call.name}(): argument {i + 1} must be an int or long, not {e.type}")


def _num(a, i: int) -> E:
    e = a[i]
    if e.type in NUMERIC:
        return e
    if e.type == "dynamic":
        from .conversion import dynamic_number
        return dynamic_number(a.c, e)
    raise a.error(f"{a.call.name}(): argument {i + 1} must be a number, not {e.type}")


def _period(a, i: int) -> str:
    e = a[i]
    if e.type != "string" or not e.is_const:
        raise a.unsupported(f"{a.call.name}() with a non-constant period")
    return (e.const or "").strip().lower()


def _consts(*es: E) -> bool:
    return all(e.is_const for e in es)


def _dt_const(a, value) -> E:
    """A folded datetime result; out of Kusto's range (0001..9999) is null."""
    if value is not None and not (MIN_DT <= value <= MAX_DT):
        value = None
    return a.c.expr.const(value, "datetime")


def _ticks(value: dt.datetime) -> int:
    """Ticks (100 ns) since 0001-01-01 of a constant datetime."""
    us = (value - MIN_DT) // dt.timedelta(microseconds=1)
    return us * 10 + ticks_of(value)


def _from_ticks(ticks: int) -> dt.datetime | None:
    if ticks < 0:
        return None
    try:
        value = MIN_DT + dt.timedelta(microseconds=ticks // 10)
    except OverflowError:
        return None
    return with_tick(value, ticks % 10)


def fdiv(a: str, b: str) -> str:
    """Floor division of BIGINT SQL (DuckDB's // truncates toward zero)."""
    return f"kql_fdiv({a}, {b})"


def us_sql(a, x: E) -> str:
    """Microseconds since 0001-01-01 (always >= 0 for a valid datetime)."""
    return f"({a.d.epoch_us(x.sql)} + {EPOCH0001_US})"


def from_us_sql(a, us: str) -> str:
    """A TIMESTAMP from microseconds since 0001-01-01; null outside 0001..9999."""
    return f"kql_dt_from_us0001({us})"


# ---------------------------------------------------------------------------------------------- now / ago
@scalar("now")
def f_now(a):
    """query/now-function.md: the reference time (Engine(now=...)), plus an optional offset."""
    a.check(0, 1)
    base = a.c.expr.const(a.c.now, "datetime")
    if len(a) == 1:
        off = a[0]
        if off.type != "timespan":
            raise a.error("now(): the offset must be a timespan")
        if off.is_const:
            return _dt_const(a, None if off.const is None else a.c.now + dt.timedelta(microseconds=off.const))
        return E(a.d.add_us(base.sql, off.sql), "datetime")
    return base


@scalar("ago")
def f_ago(a):
    """query/ago-function.md: now() - timespan."""
    a.check(1)
    span = a[0]
    if span.type != "timespan":
        raise a.error("ago(): the argument must be a timespan")
    if span.is_const:
        return _dt_const(a, None if span.const is None else a.c.now - dt.timedelta(microseconds=span.const))
    return E(a.d.add_us(a.c.expr.const(a.c.now, "datetime").sql, f"(-{span.sql})"), "datetime")


# ---------------------------------------------------------------------------------------------- bin / bin_at
def bin_value(a, x: E, size: E, fixed: E | None = None) -> E:
    """bin(x, size) (query/bin-function.md) or bin_at(x, size, fixed) (query/bin-at-function.md).
    A null, zero or negative size gives null."""
    if x.type == "dynamic":
        from .conversion import dynamic_number
        x = dynamic_number(a.c, x)
    if x.type == "datetime":
        if size.type != "timespan":
            raise a.error(f"{a.call.name}(): a datetime is binned by a timespan")
        if fixed is not None and fixed.type != "datetime":
            raise a.error("bin_at(): the fixed point must be a datetime like the value")
        s = size.sql
        if fixed is None and size.is_const and size.const is not None and size.const > 0:
            # hot path (summarize by bin(TimeGenerated, 1h)): ticks since 0001 are >= 0, so // is a floor and the
            # result stays in range
            return E(a.d.from_epoch_us(f"({us_sql(a, x)} // {s} * {s} - {EPOCH0001_US})"), "datetime")
        if fixed is None:
            us = fdiv(us_sql(a, x), s) + f" * {s}"
        else:
            f0 = us_sql(a, fixed)
            us = f"({f0} + {fdiv(f'({us_sql(a, x)} - {f0})', s)} * {s})"
        return E(f"CASE WHEN {s} > 0 THEN {from_us_sql(a, us)} END", "datetime")
    if x.type == "timespan":
        if size.type != "timespan":
            raise a.error(f"{a.call.name}(): a timespan is binned by a timespan")
        if fixed is not None and fixed.type != "timespan":
            raise a.error("bin_at(): the fixed point must be a timespan like the value")
        s = size.sql
        if fixed is None:
            return E(f"CASE WHEN {s} > 0 THEN {fdiv(x.sql, s)} * {s} END", "timespan")
        return E(f"CASE WHEN {s} > 0 THEN {fixed.sql} + {fdiv(f'({x.sql} - {fixed.sql})', s)} * {s} END", "timespan")
    if x.type in NUMERIC:
        if size.type == "dynamic":
            from .conversion import dynamic_number
            size = dynamic_number(a.c, size)
        if size.type not in NUMERIC:
            raise a.error(f"{a.call.name}(): a number is binned by a number")
        if fixed is not None and fixed.type not in NUMERIC:
            raise a.error("bin_at(): the fixed point must be a number like the value")
        s = size.sql
        ints = x.type in INTS and size.type in INTS and (fixed is None or fixed.type in INTS)
        if ints:
            if fixed is None:
                return E(f"CASE WHEN {s} > 0 THEN {fdiv(f'CAST({x.sql} AS BIGINT)', s)} * {s} END", "long")
            return E(f"CASE WHEN {s} > 0 THEN {fixed.sql} + {fdiv(f'CAST(({x.sql} - {fixed.sql}) AS BIGINT)', s)} * {s} END",
                     "long")
        if fixed is None:
            return E(f"CASE WHEN {s} > 0 THEN floor(CAST({x.sql} AS DOUBLE) / {s}) * {s} END", "real")
        return E(f"CASE WHEN {s} > 0 THEN {fixed.sql} + floor(CAST(({x.sql} - {fixed.sql}) AS DOUBLE) / {s}) * {s} END",
                 "real")
    raise a.error(f"{a.call.name}(): cannot bin a value of type {x.type}")


@scalar("bin", "floor")
def f_bin(a):
    """query/bin-function.md (floor() is an alias)."""
    if a.call.name == "floor" and len(a) == 1:
        e = a[0]
        if e.type not in NUMERIC:
            raise a.error("floor(): expects a number")
        return E(f"floor({e.sql})", e.type)
    a.check(2)
    x, size = a[0], a[1]
    if x.type == "datetime" and size.type == "timespan" and _consts(x, size):
        if x.const is None or size.const is None or size.const <= 0:
            return a.c.expr.const(None, "datetime")
        t, s = _ticks(x.const), int(round(size.const * 10))
        return _dt_const(a, _from_ticks(t // s * s))
    return bin_value(a, x, size)


@scalar("bin_at")
def f_bin_at(a):
    """query/bin-at-function.md: bins aligned so that `fixed_point` starts a bin."""
    a.check(3)
    return bin_value(a, a[0], a[1], a[2])


# ---------------------------------------------------------------------------------------------- startof / endof
def _offset(a, i: int) -> str:
    return f"CAST({_int(a, i).sql} AS BIGINT)" if len(a) > i else "0"


def _start_sql(a, unit: str, x: E, off: str) -> str:
    if unit == "day":
        return f"(date_trunc('day', {x.sql}) + to_days(CAST({off} AS INTEGER)))"
    if unit == "week":
        return (f"(date_trunc('day', {x.sql}) - to_days(CAST(dayofweek({x.sql}) AS INTEGER))"
                f" + to_days(CAST({off} * 7 AS INTEGER)))")
    if unit == "month":
        return f"(date_trunc('month', {x.sql}) + to_months(CAST({off} AS INTEGER)))"
    return f"(date_trunc('year', {x.sql}) + to_years(CAST({off} AS INTEGER)))"


DAY_TICKS = US_DAY * 10
END_TICKS = 3_155_378_976_000_000_000   # ticks of 10000-01-01: one past the last valid tick


def _ymd_ticks(y: int, m: int, d: int = 1) -> int | None:
    """Ticks of midnight on y-m-d (10000-01-01 allowed as the end of the range); None outside."""
    if (y, m, d) == (10000, 1, 1):
        return END_TICKS
    try:
        return (dt.date(y, m, d).toordinal() - 1) * DAY_TICKS
    except (ValueError, OverflowError):
        return None


def _start_ticks(unit: str, v: dt.datetime, off: int) -> int | None:
    """Ticks of startof<unit>(v, off) for a constant; None when outside 0001-01-01..10000-01-01."""
    day0 = (v.toordinal() - 1) * DAY_TICKS
    if unit == "day":
        t = day0 + off * DAY_TICKS
    elif unit == "week":
        t = day0 - ((v.weekday() + 1) % 7) * DAY_TICKS + 7 * off * DAY_TICKS
    elif unit == "month":
        m = v.year * 12 + v.month - 1 + off
        return _ymd_ticks(m // 12, m % 12 + 1) if 1 <= m // 12 <= 10000 else None
    else:
        return _ymd_ticks(v.year + off, 1) if 1 <= v.year + off <= 10000 else None
    return t if 0 <= t <= END_TICKS else None


def _startof(a, unit: str, end: bool) -> E:
    a.check(1, 2)
    x = _dt(a, 0)
    if len(a) == 2:
        _int(a, 1)
    args = [x] + ([a[1]] if len(a) == 2 else [])
    if _consts(*args):
        off = a[1].const if len(a) == 2 else 0
        if x.const is None or off is None:
            return a.c.expr.const(None, "datetime")
        t = _start_ticks(unit, x.const, off + (1 if end else 0))
        if t is None:
            return a.c.expr.const(None, "datetime")
        return _dt_const(a, _from_ticks(t - 1 if end else t))
    off = _offset(a, 1)
    if end:
        off = f"({off} + 1)"
    sql = _start_sql(a, unit, x, off)
    if end:
        sql = f"({sql} - INTERVAL 1 MICROSECOND)"   # the last tick, truncated to our microsecond representation
    return E(f"kql_dt_range({sql})", "datetime")


@scalar("startofday")
def f_startofday(a):
    """query/startofday-function.md"""
    return _startof(a, "day", False)


@scalar("startofweek")
def f_startofweek(a):
    """query/startofweek-function.md: weeks start on Sunday."""
    return _startof(a, "week", False)


@scalar("startofmonth")
def f_startofmonth(a):
    """query/startofmonth-function.md"""
    return _startof(a, "month", False)


@scalar("startofyear")
def f_startofyear(a):
    """query/startofyear-function.md"""
    return _startof(a, "year", False)


@scalar("endofday")
def f_endofday(a):
    """query/endofday-function.md: the last tick of the day (23:59:59.9999999)."""
    return _startof(a, "day", True)


@scalar("endofweek")
def f_endofweek(a):
    """query/endofweek-function.md: the last tick of Saturday."""
    return _startof(a, "week", True)


@scalar("endofmonth")
def f_endofmonth(a):
    """query/endofmonth-function.md"""
    return _startof(a, "month", True)


@scalar("endofyear")
def f_endofyear(a):
    """query/endofyear-function.md"""
    return _startof(a, "year", True)


# ---------------------------------------------------------------------------------------------- parts
@scalar("dayofweek")
def f_dayofweek(a):
    """query/dayofweek-function.md: a timespan, days since the preceding Sunday."""
    a.check(1)
    x = _dt(a, 0)
    return E(f"(CAST(dayofweek({x.sql}) AS BIGINT) * {US_DAY})", "timespan")


# part -> (SQL template over {x} and {us} (microseconds since 0001-01-01), Python function of a constant)
_PARTS = {
    "year": ("year({x})", lambda v: v.year),
    "quarter": ("quarter({x})", lambda v: (v.month - 1) // 3 + 1),
    "month": ("month({x})", lambda v: v.month),
    "week_of_year": ("weekofyear({x})", lambda v: v.isocalendar()[1]),
    "day": ("day({x})", lambda v: v.day),
    "dayofyear": ("dayofyear({x})", lambda v: v.timetuple().tm_yday),
    "hour": ("hour({x})", lambda v: v.hour),
    "minute": ("minute({x})", lambda v: v.minute),
    "second": ("second({x})", lambda v: v.second),
    "millisecond": ("(({us}) % 1000000 // 1000)", lambda v: v.microsecond // 1000),
    "microsecond": ("(({us}) % 1000000)", lambda v: v.microsecond),
    "nanosecond": ("(({us}) % 1000000 * 1000)", lambda v: v.microsecond * 1000 + ticks_of(v) * 100),
}


def _part(a, part: str, x: E) -> E:
    sql_t, py = _PARTS[part]
    if x.is_const:
        return a.c.expr.const(None if x.const is None else py(x.const), "int")
    return E(f"CAST({sql_t.format(x=x.sql, us=us_sql(a, x))} AS INTEGER)", "int")


@scalar("datetime_part", "datepart")
def f_datetime_part(a):
    """query/datetime-part-function.md: Year, Quarter, Month, week_of_year (ISO 8601), Day, DayOfYear, Hour,
    Minute, Second, Millisecond, Microsecond, Nanosecond (case-insensitive)."""
    a.check(2)
    part = _period(a, 0)
    x = _dt(a, 1)
    if part == "weekofyear":
        raise a.unsupported("datetime_part('weekofyear') (the obsolete non-ISO week number)")
    if part not in _PARTS:
        raise a.error(f"datetime_part(): unknown part '{a[0].const}'")
    return _part(a, part, x)


def _part_fn(part: str):
    def handler(a):
        a.check(1)
        return _part(a, part, _dt(a, 0))
    handler.__doc__ = f"The {part} of a datetime (int)."
    return handler


scalar("getyear")(_part_fn("year"))                       # query/getyear-function.md
scalar("getmonth", "monthofyear")(_part_fn("month"))      # query/getmonth-function.md, monthofyear-function.md
scalar("dayofmonth")(_part_fn("day"))                     # query/dayofmonth-function.md
scalar("dayofyear")(_part_fn("dayofyear"))                # query/dayofyear-function.md
scalar("hourofday")(_part_fn("hour"))                     # query/hourofday-function.md
scalar("week_of_year", "weekofyear")(_part_fn("week_of_year"))  # query/week-of-year-function.md (ISO 8601)


# ---------------------------------------------------------------------------------------------- add / diff
_FIXED_US = {"week": 7 * US_DAY, "day": US_DAY, "hour": 3_600_000_000, "minute": 60_000_000,
             "second": 1_000_000, "millisecond": 1000, "microsecond": 1}
_FIXED_TICKS = {**{k: v * 10 for k, v in _FIXED_US.items()}, "nanosecond": None}


@scalar("datetime_add")
def f_datetime_add(a):
    """query/datetime-add-function.md: Year, Quarter, Month, Week, Day, Hour, Minute, Second, Millisecond,
    Microsecond, Nanosecond. Months and years clamp to the end of a shorter month."""
    a.check(3)
    period = _period(a, 0)
    n = _int(a, 1)
    x = _dt(a, 2)
    if period not in ("year", "quarter", "month", "nanosecond") and period not in _FIXED_US:
        raise a.error(f"datetime_add(): unknown period '{a[0].const}'")
    if _consts(n, x):
        if n.const is None or x.const is None:
            return a.c.expr.const(None, "datetime")
        v, k = x.const, n.const
        if period in ("year", "quarter", "month"):
            months = k * {"year": 12, "quarter": 3, "month": 1}[period]
            m = v.year * 12 + v.month - 1 + months
            y, mo = m // 12, m % 12 + 1
            if not 1 <= y <= 9999:
                return a.c.expr.const(None, "datetime")
            day = min(v.day, calendar.monthrange(y, mo)[1])
            return _dt_const(a, _from_ticks(_ticks(v.replace(year=y, month=mo, day=day, tzinfo=None)) + ticks_of(v)))
        step = (abs(k) // 100 * (1 if k >= 0 else -1)) if period == "nanosecond" else k * _FIXED_TICKS[period]
        return _dt_const(a, _from_ticks(_ticks(v) + step))
    k = f"CAST({n.sql} AS BIGINT)"
    if period in ("year", "quarter", "month"):
        months = {"year": 12, "quarter": 3, "month": 1}[period]
        return E(f"kql_dt_range(try({x.sql} + to_months(CAST({k} * {months} AS INTEGER))))", "datetime")
    if period == "nanosecond":
        step = fdiv(f"({k} // 100)", "10")   # whole ticks (truncated as .NET does), then floored to microseconds
    else:
        step = f"({k} * {_FIXED_US[period]})"
    return E(from_us_sql(a, f"({us_sql(a, x)} + {step})"), "datetime")


@scalar("datetime_diff")
def f_datetime_diff(a):
    """query/datetime-diff-function.md: the number of period boundaries crossed from datetime2 to datetime1
    (datetime1 - datetime2), e.g. datetime_diff('year', 2017-01-01, 2000-12-31) = 17; weeks start on Sunday."""
    a.check(3)
    period = _period(a, 0)
    x1, x2 = _dt(a, 1), _dt(a, 2)
    if period not in ("year", "quarter", "month", "week", "nanosecond") and period not in _FIXED_US:
        raise a.error(f"datetime_diff(): unknown period '{a[0].const}'")
    if _consts(x1, x2):
        v1, v2 = x1.const, x2.const
        if v1 is None or v2 is None:
            return a.c.expr.const(None, "long")
        if period == "year":
            r = v1.year - v2.year
        elif period == "quarter":
            r = (v1.year * 4 + (v1.month - 1) // 3) - (v2.year * 4 + (v2.month - 1) // 3)
        elif period == "month":
            r = (v1.year * 12 + v1.month) - (v2.year * 12 + v2.month)
        elif period == "week":
            w = lambda v: (v.toordinal() - 1 - (v.weekday() + 1) % 7 + 1) // 7   # noqa: E731 (Sundays since 0001)
            r = w(v1) - w(v2)
        elif period == "nanosecond":
            r = (_ticks(v1) - _ticks(v2)) * 100
        else:
            t = _FIXED_TICKS[period]
            r = _ticks(v1) // t - _ticks(v2) // t
        return a.c.expr.const(r, "long")
    s1, s2 = x1.sql, x2.sql
    if period == "year":
        sql = f"(year({s1}) - year({s2}))"
    elif period == "quarter":
        sql = f"((year({s1}) * 4 + quarter({s1})) - (year({s2}) * 4 + quarter({s2})))"
    elif period == "month":
        sql = f"((year({s1}) * 12 + month({s1})) - (year({s2}) * 12 + month({s2})))"
    elif period == "week":
        w = lambda x: f"(({us_sql(a, x)} // {US_DAY} - dayofweek({x.sql}) + 1) // 7)"   # noqa: E731 (Sundays since 0001)
        sql = f"({w(x1)} - {w(x2)})"
    elif period == "nanosecond":
        sql = f"(({us_sql(a, x1)} - {us_sql(a, x2)}) * 1000)"
    else:
        t = _FIXED_US[period]
        sql = f"(({us_sql(a, x1)}) // {t} - ({us_sql(a, x2)}) // {t})"
    return E(f"CAST({sql} AS BIGINT)", "long")


# ---------------------------------------------------------------------------------------------- make_*
@scalar("make_datetime")
def f_make_datetime(a):
    """query/make-datetime-function.md: make_datetime(year, month, day[, hour, minute[, second]]); the second may be
    fractional (to the tick). Invalid parts give null."""
    a.check(3, 6)
    if len(a) == 4:
        raise a.error("make_datetime(): expected 3, 5 or 6 arguments")
    parts = [_num(a, i) for i in range(len(a))]
    for i, p in enumerate(parts[:5]):
        if p.type not in INTS and not p.is_const:
            raise a.unsupported("make_datetime() with a non-integer year/month/day/hour/minute")
    if _consts(*parts):
        vals = [p.const for p in parts]
        if any(v is None for v in vals):
            return a.c.expr.const(None, "datetime")
        ints = vals[:5] + [0] * (5 - len(vals[:5]))
        if any(float(v) != int(v) for v in ints):
            return a.c.expr.const(None, "datetime")
        sec = vals[5] if len(vals) == 6 else 0
        ticks = int(round(sec * 10_000_000))
        if not 0 <= ticks < 600_000_000:
            return a.c.expr.const(None, "datetime")
        try:
            base = dt.datetime(*[int(v) for v in ints])
        except ValueError:
            return a.c.expr.const(None, "datetime")
        return _dt_const(a, _from_ticks(_ticks(base) + ticks))
    sqls = [f"CAST({p.sql} AS BIGINT)" for p in parts[:5]] + ["0"] * (5 - min(5, len(parts)))
    y, mo, d, h, mi = sqls
    base = f"try(make_timestamp({y}, {mo}, {d}, {h}, {mi}, 0))"
    if len(parts) == 6:
        ticks = f"CAST(round(CAST({parts[5].sql} AS DOUBLE) * 10000000) AS BIGINT)"
        sql = (f"CASE WHEN {y} BETWEEN 1 AND 9999 AND {ticks} >= 0 AND {ticks} < 600000000 "
               f"THEN {base} + to_microseconds({ticks} // 10) END")
    else:
        sql = f"CASE WHEN {y} BETWEEN 1 AND 9999 THEN {base} END"
    return E(sql, "datetime")


@scalar("make_timespan")
def f_make_timespan(a):
    """query/make-timespan-function.md: make_timespan(hour, minute[, second]) or (day, hour, minute, second);
    the second may be fractional."""
    a.check(2, 4)
    parts = [_num(a, i) for i in range(len(a))]
    names = {2: ("h", "m"), 3: ("h", "m", "s"), 4: ("d", "h", "m", "s")}[len(parts)]
    mult = {"d": US_DAY * 10, "h": 36_000_000_000, "m": 600_000_000, "s": 10_000_000}
    if _consts(*parts):
        if any(p.const is None for p in parts):
            return a.c.expr.const(None, "timespan")
        ticks = 0
        for n, p in zip(names, parts):
            ticks += int(round(p.const * mult[n])) if n == "s" else int(p.const) * mult[n]
        return a.c.expr.const(ticks // 10 if ticks >= 0 else -((-ticks) // 10), "timespan")
    terms = []
    for n, p in zip(names, parts):
        if n == "s":
            terms.append(f"CAST(round(CAST({p.sql} AS DOUBLE) * 10000000) AS BIGINT)")
        else:
            if p.type not in INTS:
                raise a.unsupported("make_timespan() with a non-integer day/hour/minute")
            terms.append(f"CAST({p.sql} AS BIGINT) * {mult[n]}")
    return E(f"(({' + '.join(terms)}) // 10)", "timespan")


# ---------------------------------------------------------------------------------------------- unixtime
def _unix(a, per_unit_ticks: int) -> E:
    """unixtime_*_todatetime: a number of units since 1970-01-01 (query/unixtime-*-todatetime-function.md)."""
    a.check(1)
    e = _num(a, 0)
    epoch_ticks = EPOCH0001_US * 10
    if e.is_const:
        if e.const is None:
            return a.c.expr.const(None, "datetime")
        if isinstance(e.const, int) and per_unit_ticks >= 1:
            ticks = e.const * per_unit_ticks
        elif per_unit_ticks >= 1:
            ticks = int(round(e.const * per_unit_ticks))
        else:   # nanoseconds: whole ticks, truncated
            q = abs(int(e.const)) // 100
            ticks = q if e.const >= 0 else -q
        return _dt_const(a, _from_ticks(epoch_ticks + ticks))
    if per_unit_ticks < 1:
        ticks = f"(CAST({e.sql} AS BIGINT) // 100)"
    elif e.type in INTS:
        ticks = f"(CAST({e.sql} AS HUGEINT) * {per_unit_ticks})"
    else:
        ticks = f"TRY_CAST(round(CAST({e.sql} AS DOUBLE) * {per_unit_ticks}) AS HUGEINT)"
    us = f"TRY_CAST(({ticks} + {epoch_ticks}) // 10 - (CASE WHEN ({ticks} + {epoch_ticks}) % 10 < 0 THEN 1 ELSE 0 END) AS BIGINT)"
    return E(from_us_sql(a, us), "datetime")


@scalar("unixtime_seconds_todatetime")
def f_unix_s(a):
    return _unix(a, 10_000_000)


@scalar("unixtime_milliseconds_todatetime")
def f_unix_ms(a):
    return _unix(a, 10_000)


@scalar("unixtime_microseconds_todatetime")
def f_unix_us(a):
    return _unix(a, 10)


@scalar("unixtime_nanoseconds_todatetime")
def f_unix_ns(a):
    return _unix(a, 0)


# ---------------------------------------------------------------------------------------------- time zones
def _tz(a, i: int) -> E:
    e = a[i]
    if e.type != "string":
        raise a.error(f"{a.call.name}(): the time zone must be a string")
    if e.is_const:
        import zoneinfo
        try:
            zoneinfo.ZoneInfo(e.const or "")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise a.error(f"{a.call.name}(): unknown time zone '{e.const}' (use an IANA name, query/timezone.md)")
    return e


@scalar("datetime_utc_to_local")
def f_utc_to_local(a):
    """query/datetime-utc-to-local-function.md: UTC -> local time in an IANA zone (ICU tz data)."""
    a.check(2)
    x, tz = _dt(a, 0), _tz(a, 1)
    sql = f"kql_utc_to_local({x.sql}, {tz.sql})"
    if not tz.is_const:
        sql = f"CASE WHEN {tz.sql} IN (SELECT name FROM pg_timezone_names()) THEN {sql} END"
    return E(sql, "datetime")


@scalar("datetime_local_to_utc")
def f_local_to_utc(a):
    """query/datetime-local-to-utc-function.md: local time in an IANA zone -> UTC. An ambiguous local time (clocks
    set back) is read as standard time; a skipped one (clocks advanced) uses the offset after the change, as the
    page's Europe/Brussels example shows (02:00 -> 00:00 UTC)."""
    a.check(2)
    x, tz = _dt(a, 0), _tz(a, 1)
    sql = f"kql_local_to_utc({x.sql}, {tz.sql})"
    if not tz.is_const:
        sql = f"CASE WHEN {tz.sql} IN (SELECT name FROM pg_timezone_names()) THEN {sql} END"
    return E(sql, "datetime")


_ = KqlDatetime
