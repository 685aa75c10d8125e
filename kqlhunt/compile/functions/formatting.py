"""format_datetime and format_timespan (query/format-datetime-function.md, query/format-timespan-function.md).

The format is tokenized at compile time into the documented specifiers and delimiters (' ', '/', '-', ':', ',',
'.', '_', '[', ']') and rendered with one strftime() call per run of plain specifiers. Anything the pages do not
document (day/month names, other letters, quoting, the '.' before an all-zero F* that .NET would drop) raises
`unsupported` rather than guessing. Constant datetimes are formatted at compile time with their full 7-digit tick.
"""
from __future__ import annotations

import datetime as dt

from ...kql.literals import ticks_of
from ..types import E
from . import scalar

DELIMITERS = set(" /-:,._[]")
# specifier letter -> allowed run lengths
DT_SPECS = {"d": {1, 2}, "f": set(range(1, 8)), "F": set(range(1, 8)), "h": {1, 2}, "H": {1, 2}, "m": {1, 2},
            "M": {1, 2}, "s": {1, 2}, "y": {1, 2, 4}, "t": {2}}
TS_SPECS = {"d": set(range(1, 9)), "f": set(range(1, 8)), "F": set(range(1, 8)), "h": {1, 2}, "H": {1, 2},
            "m": {1, 2}, "s": {1, 2}}
STRFTIME = {("y", 4): "%Y", ("y", 2): "%y", ("y", 1): "%-y", ("M", 2): "%m", ("M", 1): "%-m", ("d", 2): "%d",
            ("d", 1): "%-d", ("H", 2): "%H", ("H", 1): "%-H", ("h", 2): "%I", ("h", 1): "%-I", ("m", 2): "%M",
            ("m", 1): "%-M", ("s", 2): "%S", ("s", 1): "%-S", ("t", 2): "%p"}


def tokenize(a, fmt: str, specs: dict) -> list[tuple[str, object]]:
    """[('lit', text) | (letter, run length)]; raises unsupported for anything undocumented."""
    out: list[tuple[str, object]] = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c in specs:
            j = i
            while j < len(fmt) and fmt[j] == c:
                j += 1
            n = j - i
            if n not in specs[c]:
                raise a.unsupported(f"{a.call.name}() format specifier '{c * n}'")
            if c == "F" and out and out[-1][0] == "lit" and str(out[-1][1]).endswith("."):
                raise a.unsupported(f"{a.call.name}() with '.{c * n}' (whether the '.' is dropped with an all-zero "
                                    "fraction is undocumented)")
            out.append((c, n))
            i = j
        elif c in DELIMITERS:
            if out and out[-1][0] == "lit":
                out[-1] = ("lit", str(out[-1][1]) + c)
            else:
                out.append(("lit", c))
            i += 1
        else:
            raise a.unsupported(f"{a.call.name}() format character '{c}' (not a documented specifier or delimiter)")
    return out


def _fraction(digits7: str, letter: str, n: int) -> str:
    d = digits7[:n]
    return d.rstrip("0") if letter == "F" else d


def format_datetime_py(value: dt.datetime, tokens) -> str:
    frac7 = f"{value.microsecond:06d}{ticks_of(value)}"
    out = []
    for kind, n in tokens:
        if kind == "lit":
            out.append(n)
        elif kind in "fF":
            out.append(_fraction(frac7, kind, n))
        elif kind == "y":
            out.append(f"{value.year:04d}" if n == 4 else (f"{value.year % 100:02d}" if n == 2 else str(value.year % 100)))
        elif kind == "t":
            out.append("AM" if value.hour < 12 else "PM")
        else:
            v = {"M": value.month, "d": value.day, "H": value.hour, "h": (value.hour + 11) % 12 + 1,
                 "m": value.minute, "s": value.second}[kind]
            out.append(f"{v:02d}" if n == 2 else str(v))
    return "".join(out)


def format_datetime_sql(a, x: str, tokens) -> str:
    parts: list[str] = []
    run: list[str] = []

    def flush():
        if run:
            parts.append(f"strftime({x}, {a.d.string(''.join(run))})")
            run.clear()

    for kind, n in tokens:
        if kind == "lit":
            run.append(str(n))
        elif kind in "fF":
            flush()
            digits = f"(strftime({x}, '%f') || '0')"
            d = f"left({digits}, {n})"
            parts.append(f"rtrim({d}, '0')" if kind == "F" else d)
        else:
            run.append(STRFTIME[(kind, n)])
    flush()
    if not parts:
        return "''"
    return " || ".join(parts) if len(parts) > 1 else parts[0]


@scalar("format_datetime")
def f_format_datetime(a):
    """query/format-datetime-function.md"""
    a.check(2)
    x, f = a[0], a[1]
    if x.type == "dynamic":
        from .conversion import to_datetime
        x = to_datetime(a.c, x)
    if x.type != "datetime":
        raise a.error(f"format_datetime(): the first argument must be a datetime, not {x.type}")
    if f.type != "string" or not f.is_const:
        raise a.unsupported("format_datetime() with a non-constant format")
    tokens = tokenize(a, f.const or "", DT_SPECS)
    if x.is_const:
        return a.c.expr.const("" if x.const is None else format_datetime_py(x.const, tokens), "string")
    return E(format_datetime_sql(a, x.sql, tokens), "string")


def format_timespan_py(us: int, tokens) -> str:
    days, rem = divmod(us, 86_400_000_000)
    h, rem = divmod(rem, 3_600_000_000)
    m, rem = divmod(rem, 60_000_000)
    s, frac = divmod(rem, 1_000_000)
    frac7 = f"{frac:06d}0"
    out = []
    for kind, n in tokens:
        if kind == "lit":
            out.append(n)
        elif kind in "fF":
            out.append(_fraction(frac7, kind, n))
        else:
            v = {"d": days, "h": h, "H": h, "m": m, "s": s}[kind]
            out.append(str(v).rjust(n, "0"))
    return "".join(out)


def format_timespan_sql(a, us: str, tokens) -> str:
    comp = {"d": f"({us} // 86400000000)", "h": f"(({us} // 3600000000) % 24)", "m": f"(({us} // 60000000) % 60)",
            "s": f"(({us} // 1000000) % 60)"}
    comp["H"] = comp["h"]
    parts = []
    for kind, n in tokens:
        if kind == "lit":
            parts.append(a.d.string(str(n)))
        elif kind in "fF":
            d = f"left(lpad(CAST({us} % 1000000 AS VARCHAR), 6, '0') || '0', {n})"
            parts.append(f"rtrim({d}, '0')" if kind == "F" else d)
        else:
            parts.append(f"printf('%0{n}d', {comp[kind]})")
    if not parts:
        return "''"
    body = " || ".join(parts)
    return (f"CASE WHEN {us} < 0 THEN error('unsupported: format_timespan() of a negative timespan') "
            f"ELSE {body} END")


@scalar("format_timespan")
def f_format_timespan(a):
    """query/format-timespan-function.md"""
    a.check(2)
    x, f = a[0], a[1]
    if x.type == "dynamic":
        from .conversion import to_timespan
        x = to_timespan(a.c, x)
    if x.type != "timespan":
        raise a.error(f"format_timespan(): the first argument must be a timespan, not {x.type}")
    if f.type != "string" or not f.is_const:
        raise a.unsupported("format_timespan() with a non-constant format")
    tokens = tokenize(a, f.const or "", TS_SPECS)
    if x.is_const:
        if x.const is None:
            return a.c.expr.const("", "string")
        if x.const < 0:
            raise a.unsupported("format_timespan() of a negative timespan (the sign's placement is undocumented)")
        return a.c.expr.const(format_timespan_py(int(x.const), tokens), "string")
    return E(format_timespan_sql(a, x.sql, tokens), "string")
