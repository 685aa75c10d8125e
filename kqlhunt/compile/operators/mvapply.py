"""mv-apply (query/mv-apply-operator.md): for each input row, mv-expand the items into a subtable, run the subquery on
it, and return the union of the results, each row completed with the source columns that were not expanded.

SQL: `FROM input AS __mva, LATERAL (subquery over SELECT __mva.cols..., unnest(...)) AS __mvs`; the subquery's source
(`$mvapply`) is that correlated SELECT, so every operator of the subquery runs per input row. A subquery that returns
no rows drops the input row. Item expressions that are not plain columns are computed into helper columns first.
"""
from __future__ import annotations

from ...kql import ast as A
from ..compiler import Rel, Scope, TableBinding
from . import operator
from .basic import value_sql
from .mvexpand import assemble, expand_items


@operator(A.MvApply)
def mv_apply(c, rel: Rel, op: A.MvApply, scope) -> Rel:
    d = c.d
    # plain-column items only inside the LATERAL: compute other expressions into helper columns first
    items, helpers = [], []
    for i, item in enumerate(op.items):
        if isinstance(item.expr, A.Name) and item.expr.name in rel.columns:
            items.append(item)
            continue
        if item.name is None:
            raise c.unsupported("mv-apply of an unnamed expression (Kusto gives it a random name; name it: x = expr)", item)
        e = c.expr.compile(item.expr, rel.columns, scope)
        h = f"__mvapply_{i}"
        helpers.append((h, value_sql(c, e), e.type))
        items.append(A.MvExpandItem(item.pos, item.name, A.Name(item.pos, h), item.to_type))
    if helpers:
        cols = c.passthrough(rel) + [(h, sql) for h, sql, _ in helpers]
        rel = Rel(c.select(rel, cols), {**rel.columns, **{h: t for h, _, t in helpers}}, notnull=rel.notnull)
    helper_names = {h for h, _, _ in helpers}
    expanded, index_sql = expand_items(c, rel, items, "bag", op.with_itemindex, op.limit, scope, row_prefix="__mva.")
    src = assemble(c, rel, expanded, op.with_itemindex, index_sql, prefix="__mva.", from_=False)
    # helper columns stay hidden from the subquery
    src_cols = {n: t for n, t in src.columns.items() if n not in helper_names}
    src = Rel(f"SELECT {', '.join(d.ident(n) for n in src_cols)} FROM ({src.sql}) AS __mvx", src_cols)
    inner = Scope(scope)
    inner.vars["$mvapply"] = TableBinding(src)
    sub = c.tabular(op.subquery, inner)
    in_place = {it.name or it.expr.name for it in items if (it.name or it.expr.name) in rel.columns}
    out_items, types = [], {}
    for n, t in rel.columns.items():
        if n in helper_names:
            continue
        if n in sub.columns:
            out_items.append(f"__mvs.{d.ident(n)} AS {d.ident(n)}")
            types[n] = sub.columns[n]
        elif n not in in_place:
            out_items.append(f"__mva.{d.ident(n)} AS {d.ident(n)}")
            types[n] = t
    for n, t in sub.columns.items():
        if n not in types:
            out_items.append(f"__mvs.{d.ident(n)} AS {d.ident(n)}")
            types[n] = t
    outer = rel.sql if rel.is_table else f"({rel.sql})"
    sql = f"SELECT {', '.join(out_items)} FROM {outer} AS __mva, LATERAL ({sub.sql}) AS __mvs"
    return Rel(sql, types)
