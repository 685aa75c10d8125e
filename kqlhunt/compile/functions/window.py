"""Window functions over serialized rows (query/serialize-operator.md): row_number, prev, next, row_cumsum.

They need a serialized row set (after sort/top/range/serialize). When the row set's sort keys are known
(`Rel.order_by`) the window is ordered by them explicitly; after `serialize` of an unordered input the order is
whatever the input had (Kusto makes no promise there either). row_rank_dense/row_rank_min/row_window_session and
a `restart` argument need windows over windows and raise unsupported.
"""
from __future__ import annotations

from ..types import E
from . import scalar


def over(a, frame: str = "") -> str:
    row = a.ctx.row
    if not getattr(row, "ordered", False):
        raise a.error(f"{a.call.name}() needs a serialized row set (use it after sort, top, range or serialize)")
    order = getattr(row, "order_by", None)
    parts = []
    if order:
        parts.append(f"ORDER BY {order}")
    if frame:
        parts.append(frame)
    return f"OVER ({' '.join(parts)})"


@scalar("row_number")
def f_row_number(a):
    a.check(0, 2)
    if len(a) == 2:
        raise a.unsupported("row_number() with a restart argument")
    start = a[0].sql if len(a) else "1"
    return E(f"(row_number() {over(a)} - 1 + {start})", "long", True)


def _shift(a, fn: str):
    a.check(1, 3)
    x = a[0]
    offset = a[1].sql if len(a) > 1 else "1"
    if len(a) == 3:
        from .core import unify
        t, (x, default) = unify(a, [x, a[2]])
        return E(f"{fn}({x.sql}, {offset}, {default.sql}) {over(a)}", t)
    return E(f"{fn}({x.sql}, {offset}) {over(a)}", x.type)


@scalar("prev")
def f_prev(a):
    return _shift(a, "lag")


@scalar("next")
def f_next(a):
    return _shift(a, "lead")


@scalar("row_cumsum")
def f_row_cumsum(a):
    a.check(1, 2)
    if len(a) == 2:
        raise a.unsupported("row_cumsum() with a restart argument")
    x = a[0]
    t = "real" if x.type in ("real", "decimal") else ("timespan" if x.type == "timespan" else "long")
    sql_t = {"real": "DOUBLE", "long": "BIGINT", "timespan": "BIGINT"}[t]
    return E(f"CAST(sum({x.sql}) {over(a, 'ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW')} AS {sql_t})", t)


@scalar("row_rank_dense", "row_rank_min", "row_window_session")
def f_unsupported_rank(a):
    raise a.unsupported(f"{a.call.name}()")
