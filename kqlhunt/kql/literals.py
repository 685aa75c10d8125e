"""Text forms of KQL scalar literals: type names, datetime(...) and timespan(...) contents.

Owns what a literal *means*; the lexer only finds where it starts and ends.
"""
from __future__ import annotations

import datetime as dt
import re

# Canonical KQL scalar type names and their synonyms (query/scalar-data-types/index.md).
TYPE_NAMES = {
    "bool": "bool", "boolean": "bool",
    "int": "int", "long": "long",
    "real": "real", "double": "real",
    "decimal": "decimal",
    "string": "string",
    "datetime": "datetime", "date": "datetime",
    "timespan": "timespan", "time": "timespan",
    "dynamic": "dynamic",
    "guid": "guid", "uniqueid": "guid", "uuid": "guid",
}

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}


class KqlDatetime(dt.datetime):
    """A datetime constant that also remembers its 100 ns digit below the microsecond (`tick`, 0-9).

    Run-time values are microsecond TIMESTAMPs (types.py); constants keep the full Kusto tick so that functions
    folded at compile time (format_datetime 'fffffff', datetime_part nanosecond, tostring) answer exactly.
    Arithmetic on it returns a KqlDatetime with tick 0, i.e. the run-time representation."""
    tick = 0


def with_tick(value: dt.datetime, tick: int) -> dt.datetime:
    out = KqlDatetime(value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond)
    out.tick = tick
    return out


def ticks_of(value: dt.datetime) -> int:
    """The 100 ns digit below the microsecond a (constant) datetime carries."""
    return getattr(value, "tick", 0)


_FRAC = r"(?:\.(\d{1,9}))?"
_TZ = r"\s*(Z|GMT|UTC|[+-]\d{2}:?\d{2})?"
# ISO 8601 and "sortable" (query/scalar-data-types/datetime.md): month and day may have one digit.
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})" + _FRAC + r")?)?" + _TZ + "$",
                  re.I)
_ISO_NODASH = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?Z?$")
_US_DATE = re.compile(r"^(\d{1,2})[-/](\d{1,2})[-/](\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})" + _FRAC + r")?)?$")
_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})" + _FRAC + r")?)?$")
# RFC 822 ("Sat, 8 Nov 14 15:05:02 GMT") and RFC 850 ("Saturday, 08-Nov-14 15:05:02 GMT"); weekday optional.
_RFC = re.compile(
    r"^(?:[A-Za-z]+,\s*)?(\d{1,2})(?:\s+|-)([A-Za-z]{3})(?:\s+|-)(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2})"
    + _FRAC + r")?\s*(GMT|UTC|Z|[+-]\d{4})?$")


# datetime(2025, 6, 14[, h, m[, s[.fffffff]]]): the make_datetime-like literal form
_COMMAS = re.compile(r"^(\d{1,4})\s*,\s*(\d{1,2})\s*,\s*(\d{1,2})(?:\s*,\s*(\d{1,2})\s*,\s*(\d{1,2})(?:\s*,\s*(\d{1,2})"
                     + _FRAC + r")?)?$")


def _offset(tz: str | None) -> dt.timedelta:
    if not tz or tz.upper() in ("Z", "GMT", "UTC"):
        return dt.timedelta(0)
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))


def _build(y, mo, d, h, mi, s, frac, tz) -> dt.datetime:
    frac = (frac or "").ljust(7, "0")
    value = dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), int(frac[:6]))
    value -= _offset(tz)
    return with_tick(value, int(frac[6]))


def parse_datetime(text: str) -> dt.datetime | None:
    """A datetime literal's text (query/scalar-data-types/datetime.md) as a naive UTC datetime; None if invalid.

    The result is a `KqlDatetime` carrying the 100 ns digit (`tick`) the microsecond representation drops."""
    t = text.strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        t = t[1:-1].strip()
    try:
        m = _ISO.match(t)
        if m:
            return _build(*m.groups())
        m = _ISO_NODASH.match(t)
        if m:
            y, mo, d, h, mi, s = m.groups()
            return _build(y, mo, d, h, mi, s, None, None)
        m = _US_DATE.match(t)
        if m:
            mo, d, y, h, mi, sec, frac = m.groups()
            return _build(y, mo, d, h, mi, sec, frac, None)
        m = _SLASH.match(t)
        if m:
            return _build(*m.groups(), None)
        m = _RFC.match(t)
        if m:
            d, mon, y, h, mi, s, frac, tz = m.groups()
            year = int(y) + (2000 if len(y) == 2 else 0)
            return _build(year, _MONTHS[mon.lower()], d, h, mi, s, frac, tz)
        m = _COMMAS.match(t)
        if m:
            return _build(*m.groups(), None)
    except (ValueError, KeyError, OverflowError):
        return None
    return None


_TS_CLOCK = re.compile(r"^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$")
_TS_UNIT = re.compile(r"^(-)?(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]+)$")


def parse_timespan(text: str) -> int | None:
    """A timespan's text (`1d`, `2.00:00:00`, `00:10:00.5`, `-1h`, `15 seconds`, `2` = days) in microseconds, or
    None if invalid (query/scalar-data-types/timespan.md). Sub-microsecond ticks are truncated toward zero.
    engine/macros.py `kql_totimespan` is the same grammar in SQL (for todatetime() of a column)."""
    from decimal import Decimal
    from .lexer import TIMESPAN_UNITS
    t = text.strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        t = t[1:-1].strip()
    m = _TS_CLOCK.match(t)
    if m:
        neg, days, h, mi, s, frac = m.groups()
        micros = (((int(days or 0) * 24 + int(h)) * 60 + int(mi)) * 60 + int(s or 0)) * 1_000_000
        micros += int((frac or "0").ljust(7, "0")[:7]) // 10
        return -micros if neg else micros
    m = _TS_UNIT.match(t)
    if m and m.group(3).lower() in TIMESPAN_UNITS:
        ticks = int(Decimal(m.group(2)) * (Decimal(str(TIMESPAN_UNITS[m.group(3).lower()])) * 10))
        return -(ticks // 10) if m.group(1) else ticks // 10
    if re.fullmatch(r"-?\d+", t):
        return int(t) * 86_400_000_000  # a bare number of days
    return None
