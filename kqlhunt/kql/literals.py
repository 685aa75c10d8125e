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

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$")
_ISO_NODASH = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?Z?$")
_US_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_RFC = re.compile(
    r"^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(GMT|UTC|Z|[+-]\d{4})?$")
_RFC850 = re.compile(
    r"^[A-Za-z]+,\s*(\d{1,2})-([A-Za-z]{3})-(\d{2,4})\s+(\d{1,2}):(\d{2}):(\d{2})\s*(GMT|UTC|Z)?$")


def _offset(tz: str | None) -> dt.timedelta:
    if not tz or tz in ("Z", "GMT", "UTC"):
        return dt.timedelta(0)
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))


def parse_datetime(text: str) -> dt.datetime | None:
    """A datetime literal's text (query/scalar-data-types/datetime.md) as a naive UTC datetime; None if invalid."""
    t = text.strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        t = t[1:-1].strip()
    m = _ISO.match(t)
    try:
        if m:
            y, mo, d, h, mi, s, frac, tz = m.groups()
            micro = int((frac or "0")[:6].ljust(6, "0"))
            value = dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), micro)
            return value - _offset(tz)
        m = _ISO_NODASH.match(t)
        if m:
            y, mo, d, h, mi, s = m.groups()
            return dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
        m = _US_DATE.match(t)
        if m:
            mo, d, y = m.groups()
            return dt.datetime(int(y), int(mo), int(d))
        m = _SLASH.match(t)
        if m:
            y, mo, d, h, mi, s = m.groups()
            return dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
        for rx in (_RFC, _RFC850):
            m = rx.match(t)
            if m:
                d, mon, y, h, mi, s, tz = m.groups()
                year = int(y) + (2000 if len(y) == 2 else 0)
                value = dt.datetime(year, _MONTHS[mon.lower()], int(d), int(h), int(mi), int(s or 0))
                return value - _offset(tz)
        parts = [p.strip() for p in t.split(",")]
        if 3 <= len(parts) <= 7 and all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
            nums = [float(p) for p in parts]
            sec = nums[5] if len(nums) > 5 else 0.0
            return dt.datetime(int(nums[0]), int(nums[1]), int(nums[2]), int(nums[3]) if len(nums) > 3 else 0,
                               int(nums[4]) if len(nums) > 4 else 0, int(sec), int(round((sec % 1) * 1e6)))
    except (ValueError, KeyError):
        return None
    return None


_TS_CLOCK = re.compile(r"^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$")
_TS_UNIT = re.compile(r"^(-)?(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]+)$")


def parse_timespan(text: str) -> int | None:
    """A timespan's text (`1d`, `2.00:00:00`, `00:10:00.5`, `-1h`) in microseconds; None if invalid."""
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
        value = round(float(m.group(2)) * TIMESPAN_UNITS[m.group(3).lower()])
        return -value if m.group(1) else value
    if re.fullmatch(r"-?\d+", t):
        return int(t) * 86_400_000_000  # a bare number of days
    return None
