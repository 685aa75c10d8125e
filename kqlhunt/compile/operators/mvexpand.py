"""mv-expand (query/mv-expand-operator.md).

Each expanded expression becomes a JSON list per row (array elements; bag entries as single-key bags, or `[key, value]`
pairs with kind=array); DuckDB's `unnest()` of several lists in one SELECT expands them in parallel and pads the
shorter ones with NULL, as Kusto does. A null value expands to one row holding null; an empty array or bag yields no
row. `to typeof(T)` converts each element like to<T>() (non-conforming elements become null); `with_itemindex=I`
adds the 0-based element index; `limit N` keeps the first N rows generated from each input row.
"""
from __future__ import annotations

from ...kql import ast as A
from ..compiler import Rel
from ..functions.conversion import convert
from ..types import E
from . import operator
from .naming import ColumnCounter, expr_name


def element_list(c, e: E, kind: str, node) -> str:
    """SQL of a JSON[] list: the elements one row of `e` expands to."""
    if e.type != "dynamic":
        raise c.error(f"mv-expand: the expanded expression must be dynamic (an array or a property bag), not {e.type}",
                      node)
    x = c.expr.to_json(e).sql
    if e.rep == "item":
        x = f"to_json({e.sql})"
    entries = f"map_entries(CAST({x} AS MAP(VARCHAR, JSON)))"
    if kind == "array":
        bag = f"list_transform({entries}, lambda kv: CAST(json_array(kv.key, kv.value) AS JSON))"
    else:
        bag = f"list_transform({entries}, lambda kv: CAST(json_object(kv.key, kv.value) AS JSON))"
    return (f"CASE WHEN {x} IS NULL OR json_type({x}) = 'NULL' THEN [CAST(NULL AS JSON)] "
            f"WHEN json_type({x}) = 'ARRAY' THEN CAST(json_extract({x}, '$[*]') AS JSON[]) "
            f"WHEN json_type({x}) = 'OBJECT' THEN {bag} "
            f"ELSE [{x}] END")


def expand_items(c, rel: Rel, items: list[A.MvExpandItem], kind: str, with_itemindex: str | None,
                 limit: A.Node | None, scope, row_prefix: str = "") -> tuple[list[tuple[str, str, str]], str | None]:
    """[(name, unnest SQL, type)] for the expanded columns, and the unnest SQL of the item index (or None).

    row_prefix qualifies the input columns (e.g. `__mva.` inside an mv-apply LATERAL subquery)."""
    if kind not in ("bag", "array"):
        raise c.error(f"mv-expand: kind must be bag or array, not '{kind}'", items[0])
    row = {n: t for n, t in rel.columns.items()}
    lists = []
    counter = ColumnCounter()
    taken = set(rel.columns)
    lim = None
    if limit is not None:
        le = c.expr.compile(limit, {}, scope)
        if le.type not in ("int", "long"):
            raise c.error("mv-expand: limit must be an integer", limit)
        lim = le.sql
    for item in items:
        e = c.expr.compile(item.expr, row, scope)
        if row_prefix:
            e = _qualify(c, item.expr, e, rel, row_prefix)
        name = item.name or expr_name(item.expr)
        if name is None:
            name = counter.next(taken)
        taken.add(name)
        lst = element_list(c, e, kind, item)
        if lim is not None:
            lst = f"list_slice({lst}, 1, {lim})"
        lists.append((name, lst, item.to_type))
    out = []
    for name, lst, to_type in lists:
        elem = f"unnest({lst})"
        typ = "dynamic"
        if to_type is not None and to_type != "dynamic":
            conv = convert(c, E(elem, "dynamic"), to_type)
            elem, typ = conv.sql, to_type
        out.append((name, elem, typ))
    index_sql = None
    if with_itemindex:
        longest = "greatest(" + ", ".join(f"len({lst})" for _, lst, _ in lists) + ")" if len(lists) > 1 \
            else f"len({lists[0][1]})"
        index_sql = f"unnest(range(CAST({longest} AS BIGINT)))"
    return out, index_sql


def _qualify(c, node, e: E, rel: Rel, prefix: str) -> E:
    """Inside a LATERAL subquery the input columns must be read from the outer row: only plain column references
    (and constants) are supported there, which is what mv-apply's item expressions are in practice."""
    if isinstance(node, A.Name) and node.name in rel.columns:
        return E(prefix + c.d.ident(node.name), e.type)
    if e.is_const:
        return e
    raise c.unsupported("mv-apply of an expression other than a column (extend it first)", node)


@operator(A.MvExpand)
def mv_expand(c, rel: Rel, op: A.MvExpand, scope) -> Rel:
    expanded, index_sql = expand_items(c, rel, op.items, op.kind, op.with_itemindex, op.limit, scope)
    return assemble(c, rel, expanded, op.with_itemindex, index_sql)


def assemble(c, rel: Rel, expanded, index_name, index_sql, prefix: str = "", from_: bool = True) -> Rel:
    d = c.d
    by_name = {n: (sql, t) for n, sql, t in expanded}
    items, types = [], {}
    for n, t in rel.columns.items():
        if n in by_name:
            sql, typ = by_name.pop(n)
            items.append((n, sql))
            types[n] = typ
        else:
            items.append((n, prefix + d.ident(n)))
            types[n] = t
    for n, (sql, typ) in by_name.items():
        items.append((n, sql))
        types[n] = typ
    if index_name:
        if index_name in types:
            raise c.error(f"mv-expand: with_itemindex column '{index_name}' already exists", None)
        items.append((index_name, index_sql))
        types[index_name] = "long"
    notnull = frozenset(n for n in rel.notnull if n in types and n not in {e[0] for e in expanded})
    if not from_:
        cols = ", ".join(f"{sql} AS {d.ident(n)}" for n, sql in items)
        return Rel(f"SELECT {cols}", types, notnull=notnull)
    return Rel(c.select(rel, items), types, notnull=notnull)
