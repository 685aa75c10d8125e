"""sort/order by and top (query/sort-operator.md, top-operator.md): default descending; nulls last when
descending and first when ascending; strings compare ordinally with "" for null. The result is serialized."""
from __future__ import annotations

from ...kql import ast as A
from ..compiler import Rel
from . import operator


def order_by(c, rel: Rel, keys: list[A.SortKey], scope) -> str:
    """The ORDER BY clause for the keys (see sort_keys)."""
    return "ORDER BY " + sort_keys(c, rel, keys, scope)


def sort_columns(rel: Rel, keys: list[A.SortKey]) -> frozenset:
    from .naming import names_in
    return frozenset(n for k in keys for n in names_in(k.expr) if n in rel.columns)


def sort_keys(c, rel: Rel, keys: list[A.SortKey], scope) -> str:
    parts = []
    for k in keys:
        e = c.expr.compile(k.expr, rel.columns, scope)
        sql = e.sql
        if e.type == "string":
            sql = f"coalesce({sql}, '')"
        elif e.type == "dynamic":
            sql = f"CAST({c.expr.to_json(e).sql} AS VARCHAR)"
        elif e.type == "bool":
            sql = f"CAST({sql} AS INTEGER)"
        elif e.type == "real":
            # NaN sorts with null (sort-operator.md): below -inf ascending, above... treated as null
            sql = f"CASE WHEN isnan({sql}) THEN NULL ELSE {sql} END"
        nulls_first = k.nulls_first if k.nulls_first is not None else not k.desc
        parts.append(f"{sql} {'DESC' if k.desc else 'ASC'} NULLS {'FIRST' if nulls_first else 'LAST'}")
    return ", ".join(parts)


@operator(A.Sort)
def sort(c, rel: Rel, op: A.Sort, scope) -> Rel:
    keys = sort_keys(c, rel, op.keys, scope)
    return Rel(c.select(rel, c.passthrough(rel), extra="ORDER BY " + keys), dict(rel.columns),
               ordered=True, notnull=rel.notnull, order_by=keys, order_cols=sort_columns(rel, op.keys))


@operator(A.Top)
def top(c, rel: Rel, op: A.Top, scope) -> Rel:
    n = c.expr.compile(op.count, {}, scope)
    keys = sort_keys(c, rel, op.keys, scope)
    extra = f"ORDER BY {keys} LIMIT {n.sql}"
    return Rel(c.select(rel, c.passthrough(rel), extra=extra), dict(rel.columns), ordered=True, notnull=rel.notnull,
               order_by=keys, order_cols=sort_columns(rel, op.keys))
