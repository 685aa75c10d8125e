"""Tabular sources written inline: datatable, print, range (query/datatable-operator.md, print-operator.md,
range-operator.md). range output is serialized (ordered)."""
from __future__ import annotations

from ...kql import ast as A
from ..compiler import Rel
from ..functions.conversion import convert
from . import source
from .basic import value_sql
from .naming import ColumnCounter
from ..functions.arrays import multi_columns


@source(A.Datatable)
def datatable(c, node: A.Datatable, scope) -> Rel:
    d = c.d
    ncols = len(node.columns)
    if ncols == 0:
        raise c.error("datatable needs at least one column", node)
    if len(node.values) % ncols:
        raise c.error(f"datatable: {len(node.values)} values do not fill rows of {ncols} columns", node)
    types = {name: typ for name, typ in node.columns}
    names = [name for name, _ in node.columns]
    rows = []
    for r in range(0, len(node.values), ncols):
        cells = []
        for (name, typ), vnode in zip(node.columns, node.values[r:r + ncols]):
            e = c.expr.compile(vnode, {}, scope)
            if e.is_const and e.const is None:
                cells.append(d.null(typ))
                continue
            if e.type != typ:
                e = convert(c, e, typ)
            cells.append(d.cast(value_sql(c, e), typ))
        rows.append("(" + ", ".join(cells) + ")")
    cols = ", ".join(d.ident(n) for n in names)
    if not rows:
        nulls = ", ".join(f"{d.null(t)} AS {d.ident(n)}" for n, t in node.columns)
        return Rel(f"SELECT {nulls} WHERE FALSE", types)
    return Rel(f"SELECT * FROM (VALUES {', '.join(rows)}) AS _v({cols})", types, ordered=True)


@source(A.Print)
def print_(c, node: A.Print, scope) -> Rel:
    items, types, notnull = [], {}, set()
    counter = ColumnCounter("print_", 0)
    for item in node.items:
        e = c.expr.compile(item.expr, {}, scope)
        multi = multi_columns(c, e, item.names, item, types)
        if multi:
            for name, sql, typ in multi:
                items.append(f"{sql} AS {c.d.ident(name)}")
                types[name] = typ
            continue
        name = item.names[0] if item.names else counter.next(types)
        items.append(f"{value_sql(c, e)} AS {c.d.ident(name)}")
        types[name] = e.type
        if e.notnull:
            notnull.add(name)
    return Rel("SELECT " + ", ".join(items), types, ordered=True, notnull=frozenset(notnull))


@source(A.Range)
def range_(c, node: A.Range, scope) -> Rel:
    start = c.expr.compile(node.start, {}, scope)
    stop = c.expr.compile(node.stop, {}, scope)
    step = c.expr.compile(node.step, {}, scope)
    d = c.d
    name = d.ident(node.name)
    if start.type == "datetime":
        if step.type != "timespan":
            raise c.error("range over datetimes needs a timespan step", node.step)
        n = f"(({d.epoch_us(stop.sql)} - {d.epoch_us(start.sql)}) // {step.sql})"
        value = d.add_us(start.sql, f"(_i * {step.sql})")
        typ = "datetime"
    elif start.type in ("int", "long", "real", "timespan") and stop.type in ("int", "long", "real", "timespan"):
        real = "real" in (start.type, stop.type, step.type)
        if real:
            n = f"CAST(floor((CAST({stop.sql} AS DOUBLE) - {start.sql}) / {step.sql}) AS BIGINT)"
            value = f"({start.sql} + _i * CAST({step.sql} AS DOUBLE))"
            typ = "real"
        else:
            n = f"(({stop.sql} - {start.sql}) // {step.sql})"
            value = f"({start.sql} + _i * {step.sql})"
            typ = "timespan" if start.type == "timespan" else "long"
    else:
        raise c.error(f"range cannot count from {start.type} to {stop.type}", node)
    sql = f"SELECT {value} AS {name} FROM range(0, greatest({n} + 1, 0)) AS _r(_i) ORDER BY _i"
    if not (step.is_const and step.const):
        return Rel(sql, {node.name: typ}, ordered=True, notnull=frozenset([node.name]))
    desc = step.const < 0
    return Rel(sql, {node.name: typ}, ordered=True, notnull=frozenset([node.name]),
               order_by=f"{name} {'DESC' if desc else 'ASC'}", order_cols=frozenset([node.name]))
