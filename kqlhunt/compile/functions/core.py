"""Conditionals and null tests, plus the few functions that touch the compiler itself:
iff/iif, case, coalesce, isempty/isnotempty, isnull/isnotnull, not, toscalar, gettype, column_ifexists.
"""
from __future__ import annotations

from ..types import NUMERIC, E
from . import scalar
from .conversion import convert


def unify(a, items: list[E]) -> tuple[str, list[E]]:
    """Common KQL type of several branches (numbers widen; null literals take the others' type)."""
    types = [e.type for e in items if not (e.is_const and e.const is None)]
    if not types:
        return items[0].type, items
    t = types[0]
    for u in types[1:]:
        if u == t:
            continue
        if t in NUMERIC and u in NUMERIC:
            t = "real" if "real" in (t, u) or "decimal" in (t, u) else "long"
        else:
            raise a.error(f"{a.call.name}(): branches have different types ({t} and {u})")
    out = []
    for e in items:
        if e.is_const and e.const is None:
            out.append(a.c.expr.const(None, t))
        elif e.type != t or e.rep:
            out.append(convert(a.c, e, t))
        else:
            out.append(e)
    return t, out


@scalar("iff", "iif")
def f_iff(a):
    a.check(3)
    cond = a[0]
    t, (x, y) = unify(a, [a[1], a[2]])
    xs = a.ec.nn(x) if t == "string" else (a.ec.to_json(x).sql if t == "dynamic" else x.sql)
    ys = a.ec.nn(y) if t == "string" else (a.ec.to_json(y).sql if t == "dynamic" else y.sql)
    return E(f"CASE WHEN {a.ec.as_bool(cond)} THEN {xs} ELSE {ys} END", t, t == "string")


@scalar("case")
def f_case(a):
    n = len(a)
    if n < 3 or n % 2 == 0:
        raise a.error("case(): expects pairs of predicate, value and a final else value")
    values = [a[i] for i in range(1, n, 2)] + [a[n - 1]]
    t, values = unify(a, values)
    fix = (lambda e: a.ec.nn(e)) if t == "string" else (lambda e: a.ec.to_json(e).sql if t == "dynamic" else e.sql)
    parts = [f"WHEN {a.ec.as_bool(a[i])} THEN {fix(values[i // 2])}" for i in range(0, n - 1, 2)]
    return E(f"CASE {' '.join(parts)} ELSE {fix(values[-1])} END", t, t == "string")


@scalar("coalesce")
def f_coalesce(a):
    a.check(2, 64)
    t, items = unify(a, a.all())
    if t == "string":
        # coalesce-function.md: for strings the first non-empty value
        parts = " ".join(f"WHEN coalesce({e.sql}, '') <> '' THEN {e.sql}" for e in items[:-1])
        return E(f"CASE {parts} ELSE coalesce({items[-1].sql}, '') END", t, True)
    if t == "dynamic":
        items = [a.ec.to_json(e) for e in items]
        parts = " ".join(f"WHEN {e.sql} IS NOT NULL AND json_type({e.sql}) <> 'NULL' THEN {e.sql}" for e in items[:-1])
        return E(f"CASE {parts} ELSE {items[-1].sql} END", t)
    return E(f"coalesce({', '.join(e.sql for e in items)})", t)


def _is_empty(a, e: E) -> str:
    if e.type == "string":
        return f"(coalesce({e.sql}, '') = '')"
    if e.type == "dynamic":
        if e.rep == "item":
            return f"(coalesce({e.sql}, '') = '')"
        j = a.ec.to_json(e).sql
        return f"({j} IS NULL OR json_type({j}) = 'NULL' OR (json_type({j}) = 'VARCHAR' AND json_extract_string({j}, '$') = ''))"
    return f"({e.sql} IS NULL)"


@scalar("isempty")
def f_isempty(a):
    a.check(1)
    return E(_is_empty(a, a[0]), "bool", True)


@scalar("isnotempty", "notempty")
def f_isnotempty(a):
    a.check(1)
    return E(f"(NOT {_is_empty(a, a[0])})", "bool", True)


@scalar("isnull")
def f_isnull(a):
    a.check(1)
    e = a[0]
    if e.type == "string":
        return E("FALSE", "bool", True)         # isnull-function.md: strings are never null
    if e.type == "dynamic":
        j = a.ec.to_json(e).sql
        return E(f"({j} IS NULL OR json_type({j}) = 'NULL')", "bool", True)
    return E(f"({e.sql} IS NULL)", "bool", True)


@scalar("isnotnull", "notnull")
def f_isnotnull(a):
    out = f_isnull(a)
    return E(f"(NOT {out.sql})", "bool", True)


@scalar("not")
def f_not(a):
    a.check(1)
    return E(f"(NOT {a.ec.as_bool(a[0])})", "bool")


@scalar("toscalar")
def f_toscalar(a):
    a.check(1)
    node = a.nodes[0]
    c = a.c
    if not c.is_tabular(node, a.ctx.scope):
        return a[0]
    rel = c.tabular(node, a.ctx.scope)
    if not rel.columns:
        raise a.error("toscalar(): the tabular expression has no columns")
    first, typ = next(iter(rel.columns.items()))
    src = rel.sql if not rel.is_table else f"SELECT * FROM {rel.sql}"
    return E(f"(SELECT {c.d.ident(first)} FROM ({src}) AS _s LIMIT 1)", typ)


@scalar("gettype")
def f_gettype(a):
    a.check(1)
    e = a[0]
    if e.type != "dynamic":
        names = {"real": "real", "long": "long", "int": "int", "string": "string", "bool": "bool",
                 "datetime": "datetime", "timespan": "timespan", "guid": "guid", "decimal": "decimal"}
        return a.c.expr.const(names[e.type], "string")
    j = a.ec.to_json(e).sql
    return E(f"CASE json_type({j}) WHEN 'ARRAY' THEN 'array' WHEN 'OBJECT' THEN 'dictionary' WHEN 'VARCHAR' THEN 'string' "
             f"WHEN 'BIGINT' THEN 'long' WHEN 'UBIGINT' THEN 'long' WHEN 'DOUBLE' THEN 'real' WHEN 'BOOLEAN' THEN 'bool' "
             f"WHEN 'NULL' THEN 'null' ELSE 'null' END", "string", True)


@scalar("column_ifexists")
def f_column_ifexists(a):
    a.check(2)
    name = a.nodes[0]
    from ...kql import ast as A
    if not isinstance(name, A.Literal) or name.type != "string":
        raise a.error("column_ifexists(): the first argument must be a string literal")
    if name.value in a.ctx.row:
        return E(a.d.ident(name.value), a.ctx.row[name.value])
    return a[1]


@scalar("assert")
def f_assert(a):
    """assert-function.md: true when the condition holds; otherwise the query fails with the message."""
    a.check(2)
    msg = a[1]
    if not msg.is_const:
        raise a.error("assert(): the message must be a constant string")
    text = a.d.string(f"assert failed: {msg.const}")
    return E(f"CASE WHEN {a.ec.as_bool(a[0])} THEN TRUE ELSE error({text}) END", "bool", True)
