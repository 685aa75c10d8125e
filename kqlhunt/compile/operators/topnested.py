"""top-nested (query/top-nested-operator.md): a hierarchy of aggregations. Level k groups the rows kept by level k-1
by its `of` expression, aggregates, and keeps the top N groups (all groups when N is omitted) within each group of
the previous level. Output: one row per leaf, with each level's value and aggregate (name1, agg1, name2, agg2, ...).
Ties at the cut-off are broken arbitrarily (as in Kusto). Not implemented: `with others=` and unnamed aggregates
(raise unsupported).
"""
from __future__ import annotations

from ...kql import ast as A
from ..compiler import Rel
from . import operator
from .basic import value_sql
from .naming import expr_name


@operator(A.TopNested)
def top_nested(c, rel: Rel, op: A.TopNested, scope) -> Rel:
    d = c.d
    keys = []          # (out name, key column in base, type)
    extra = []
    for k, lvl in enumerate(op.levels):
        if lvl.others is not None:
            raise c.unsupported("top-nested with others=", lvl)
        e = c.expr.compile(lvl.of, rel.columns, scope)
        name = lvl.name or expr_name(lvl.of)
        if name is None:
            raise c.unsupported("top-nested of an unnamed expression (name it: of Name = expr)", lvl)
        sql = value_sql(c, e)
        if e.type == "string":
            sql = f"coalesce({sql}, '')"
        elif e.type == "dynamic":
            raise c.unsupported("top-nested of a dynamic expression", lvl)
        extra.append((f"__tn_k{k}", sql))
        keys.append((name, f"__tn_k{k}", e.type))
    base = Rel(c.select(rel, c.passthrough(rel) + extra), {**rel.columns, **{k: t for _, k, t in keys}})
    base_sql = base.sql
    levels_sql = []
    out_types = {}
    prev = None
    for k, lvl in enumerate(op.levels):
        if not lvl.agg.names:
            raise c.unsupported("top-nested with an unnamed aggregation (name it: by Name = agg(...))", lvl.agg)
        agg = c.expr.compile(lvl.agg.expr, base.columns, scope, agg=True)
        if not agg.agg:
            raise c.error("top-nested: 'by' must be an aggregation (count(), sum(), ...)", lvl.agg)
        key_cols = [kc for _, kc, _ in keys[:k + 1]]
        parent_cols = key_cols[:-1]
        src = f"({base_sql}) AS __b"
        if prev is not None:
            on = " AND ".join(f"__b.{d.ident(kc)} IS NOT DISTINCT FROM __p.{d.ident(kc)}" for kc in parent_cols)
            src += f" SEMI JOIN {d.ident(prev)} AS __p ON {on}"
        group = ", ".join(f"__b.{d.ident(kc)}" for kc in key_cols)
        sel = ", ".join(f"__b.{d.ident(kc)} AS {d.ident(kc)}" for kc in key_cols)
        sql = f"SELECT {sel}, {value_sql(c, agg)} AS {d.ident(f'__tn_a{k}')} FROM {src} GROUP BY {group}"
        if lvl.count is not None:
            n = c.expr.compile(lvl.count, {}, scope)
            if n.type not in ("int", "long"):
                raise c.error("top-nested: the count must be an integer", lvl.count)
            part = f"PARTITION BY {', '.join(d.ident(p) for p in parent_cols)} " if parent_cols else ""
            direction = "DESC NULLS LAST" if lvl.desc else "ASC NULLS FIRST"
            sql = (f"SELECT * FROM ({sql}) AS __g QUALIFY row_number() OVER ({part}ORDER BY "
                   f"{d.ident(f'__tn_a{k}')} {direction}) <= {n.sql}")
        name = f"__topnested_{c.alias()}"
        from ..compiler import CTE
        c.ctes.append(CTE(name, sql))
        levels_sql.append(name)
        out_types[keys[k][0]] = keys[k][2]
        out_types[lvl.agg.names[0]] = agg.type
        prev = name
    # join the leaves to every ancestor level for its aggregate
    last = len(op.levels) - 1
    items = []
    joins = f"{d.ident(levels_sql[last])} AS __l{last}"
    for k in range(last):
        on = " AND ".join(f"__l{last}.{d.ident(kc)} IS NOT DISTINCT FROM __l{k}.{d.ident(kc)}"
                          for _, kc, _ in keys[:k + 1])
        joins += f" JOIN {d.ident(levels_sql[k])} AS __l{k} ON {on}"
    for k, lvl in enumerate(op.levels):
        items.append(f"__l{last}.{d.ident(keys[k][1])} AS {d.ident(keys[k][0])}")
        items.append(f"__l{k}.{d.ident(f'__tn_a{k}')} AS {d.ident(lvl.agg.names[0])}")
    if len(set(out_types)) != 2 * len(op.levels):
        raise c.error("top-nested: output column names must be distinct", op)
    return Rel(f"SELECT {', '.join(items)} FROM {joins}", out_types)
