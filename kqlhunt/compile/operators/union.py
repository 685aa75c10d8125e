"""union (query/union-operator.md): outer by default (all columns, missing ones null); kind=inner keeps common
columns; a name with different types in different legs splits into name_<type> columns; withsource= adds the leg
name; isfuzzy=true skips legs that do not exist; table names may use wildcards."""
from __future__ import annotations

from ...errors import KqlError
from ...kql import ast as A
from ..compiler import FunctionBinding, Rel, Scope, TableBinding
from . import operator, source
from .naming import unique, wildcard_match


def _legs(c, legs: list[A.Node], scope: Scope, fuzzy: bool) -> list[tuple[str, Rel]]:
    out = []
    for i, leg in enumerate(legs):
        if isinstance(leg, A.Name) and "*" in leg.name:
            names = [n for n in _visible_tables(c, scope) if wildcard_match(leg.name, n)]
            for n in sorted(names):
                out.append((n, c.tabular(A.Name(leg.pos, n), scope)))
            continue
        try:
            rel = c.tabular(leg, scope)
        except KqlError as err:
            if fuzzy and err.kind == "missing_table":   # union-operator.md: only legs that do not exist are dropped
                continue
            raise
        label = leg.name if isinstance(leg, A.Name) else f"union_arg{i}"
        if isinstance(leg, A.Pipe) and leg.ops and isinstance(leg.ops[-1], A.As):
            label = leg.ops[-1].name          # as-operator.md: `(T | as Name)` names the leg in withsource=
        out.append((label, rel))
    return out


def _visible_tables(c, scope: Scope) -> list[str]:
    names = set(c.catalog.table_names())
    s = scope
    while s is not None:
        names.update(n for n, b in s.vars.items() if isinstance(b, TableBinding)
                     or (isinstance(b, FunctionBinding) and not b.func.params
                         and c.function_is_tabular(b.func, b.scope)))   # views: `let V = view () {...}`
        s = s.parent
    return list(names)


def union_rels(c, legs: list[tuple[str, Rel]], kind: str, withsource: str | None, node) -> Rel:
    d = c.d
    if not legs:
        raise c.error("union: none of the tables exist", node, kind="missing_table")
    # column name -> list of types in order of first appearance
    seen: dict[str, list[str]] = {}
    for _, rel in legs:
        for n, t in rel.columns.items():
            seen.setdefault(n, [])
            if t not in seen[n]:
                seen[n].append(t)
    if kind == "inner":
        common = set.intersection(*(set(r.columns) for _, r in legs))
        seen = {n: ts for n, ts in seen.items() if n in common}
    out_cols: list[tuple[str, str, str]] = []     # (out name, source name, type)
    taken = set(seen)
    for n, ts in seen.items():
        if len(ts) == 1:
            out_cols.append((n, n, ts[0]))
        else:
            for t in ts:
                name = unique(f"{n}_{t}", taken)
                taken.add(name)
                out_cols.append((name, n, t))
    selects = []
    for label, rel in legs:
        items = []
        if withsource:
            items.append(f"{d.string(label)} AS {d.ident(withsource)}")
        for out, src, t in out_cols:
            if rel.columns.get(src) == t:
                items.append(f"{d.ident(src)} AS {d.ident(out)}")
            else:
                items.append(f"{d.null(t)} AS {d.ident(out)}")
        selects.append(f"SELECT {', '.join(items)} FROM {c.from_(rel)}")
    types = {}
    if withsource:
        types[withsource] = "string"
    types.update({out: t for out, _, t in out_cols})
    return Rel(" UNION ALL ".join(selects), types)


@source(A.Union)
def union_source(c, node: A.Union, scope) -> Rel:
    return union_rels(c, _legs(c, node.legs, scope, node.isfuzzy), node.kind, node.withsource, node)


@operator(A.Union)
def union_op(c, rel: Rel, op: A.Union, scope) -> Rel:
    legs = [("union_arg0", rel)] + _legs(c, op.legs, scope, op.isfuzzy)
    return union_rels(c, legs, op.kind, op.withsource, op)
