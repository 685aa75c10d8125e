"""join and lookup (query/join-operator.md, join-innerunique.md, lookup-operator.md).

Kinds: innerunique (default: left side deduplicated on the keys), inner, leftouter, rightouter, fullouter,
leftsemi, leftanti (leftantisemi), rightsemi, rightanti. Output: left columns then right columns, a right column
whose name is taken gets a numeric suffix (Key1). Strings never being null, string keys compare with "" for null.
lookup: like a leftouter/inner join that does not repeat the key columns.
"""
from __future__ import annotations

from ...kql import ast as A
from ..compiler import Rel
from ..expr import Ctx
from . import operator
from .naming import unique

KINDS = {"innerunique", "inner", "leftouter", "rightouter", "fullouter", "leftsemi", "leftanti", "leftantisemi",
         "rightsemi", "rightanti", "rightantisemi", "anti", "semi"}


def conditions(c, left: Rel, right: Rel, on: list[A.Node], scope, node) -> tuple[list[str], list[tuple[str, str]]]:
    """SQL equalities between aliases l and r, and the (left, right) key column pairs."""
    d = c.d
    ctx = Ctx({}, scope, sides={"$left": left.columns, "$right": right.columns}, side_alias={"$left": "l", "$right": "r"})
    eqs, pairs = [], []
    for cond in on:
        if isinstance(cond, A.Name):
            n = cond.name
            if n not in left.columns or n not in right.columns:
                side = "left" if n not in left.columns else "right"
                raise c.error(f"join: the {side} side has no column '{n}'", cond)
            lt, rt = left.columns[n], right.columns[n]
            eqs.append(_eq(c, f"l.{d.ident(n)}", lt, f"r.{d.ident(n)}", rt, cond))
            pairs.append((n, n))
            continue
        if isinstance(cond, A.Binary) and cond.op == "==":
            a, b = cond.left, cond.right
            sides = [_side(x) for x in (a, b)]
            if sides == ["$right", "$left"]:
                a, b = b, a
                sides = ["$left", "$right"]
            if sides == ["$left", "$right"]:
                le = c.expr.compile_in(a, ctx)
                re_ = c.expr.compile_in(b, ctx)
                eqs.append(_eq(c, le.sql, le.type, re_.sql, re_.type, cond))
                pairs.append((a.name, b.name))
                continue
        raise c.unsupported("join condition other than column equality ($left.X == $right.Y or a shared column name)", cond)
    return eqs, pairs


def _side(x: A.Node) -> str | None:
    if isinstance(x, A.Member) and isinstance(x.expr, A.Name) and x.expr.name in ("$left", "$right"):
        return x.expr.name
    return None


def _eq(c, ls: str, lt: str, rs: str, rt: str, node) -> str:
    numeric = ("int", "long", "real", "decimal")
    if lt != rt and not (lt in numeric and rt in numeric):
        raise c.error(f"join: key types differ ({lt} and {rt})", node)
    if lt == "string":
        return f"coalesce({ls}, '') = coalesce({rs}, '')"
    if lt == "dynamic":
        return f"CAST({ls} AS VARCHAR) = CAST({rs} AS VARCHAR)"
    return f"{ls} = {rs}"


def _dedup_left(c, left: Rel, keys: list[str]) -> Rel:
    d = c.d
    part = ", ".join(f"coalesce({d.ident(k)}, '')" if left.columns[k] == "string" else d.ident(k) for k in keys)
    sql = f"SELECT * FROM {c.from_(left)} QUALIFY row_number() OVER (PARTITION BY {part}) = 1"
    return Rel(sql, dict(left.columns))


@operator(A.Join)
def join(c, left: Rel, op: A.Join, scope) -> Rel:
    d = c.d
    kind = op.kind
    if kind not in KINDS:
        raise c.error(f"join: unknown kind '{kind}'", op)
    kind = {"leftantisemi": "leftanti", "rightantisemi": "rightanti", "anti": "leftanti", "semi": "leftsemi"}.get(kind, kind)
    right = c.tabular(op.right, scope)
    if not op.on:
        raise c.unsupported("join without an 'on' clause (join-operator.md documents no meaning for it)", op)
    eqs, pairs = conditions(c, left, right, op.on, scope, op)
    if kind == "innerunique":
        left = _dedup_left(c, left, [lk for lk, _ in pairs])
        kind = "inner"
    on = " AND ".join(eqs)
    lsrc, rsrc = _src(c, left), _src(c, right)
    if kind in ("leftsemi", "leftanti"):
        word = "SEMI" if kind == "leftsemi" else "ANTI"
        items = ", ".join(f"l.{d.ident(n)}" for n in left.columns)
        return Rel(f"SELECT {items} FROM {lsrc} AS l {word} JOIN {rsrc} AS r ON {on}", dict(left.columns))
    if kind in ("rightsemi", "rightanti"):
        word = "SEMI" if kind == "rightsemi" else "ANTI"
        items = ", ".join(f"r.{d.ident(n)}" for n in right.columns)
        return Rel(f"SELECT {items} FROM {rsrc} AS r {word} JOIN {lsrc} AS l ON {on}", dict(right.columns))
    sql_kind = {"inner": "INNER", "leftouter": "LEFT", "rightouter": "RIGHT", "fullouter": "FULL"}[kind]
    items, types = [], {}
    for n, t in left.columns.items():
        items.append(f"l.{d.ident(n)} AS {d.ident(n)}")
        types[n] = t
    for n, t in right.columns.items():
        out = unique(n, types)
        items.append(f"r.{d.ident(n)} AS {d.ident(out)}")
        types[out] = t
    return Rel(f"SELECT {', '.join(items)} FROM {lsrc} AS l {sql_kind} JOIN {rsrc} AS r ON {on}", types)


def _src(c, rel: Rel) -> str:
    return rel.sql if rel.is_table else f"({rel.sql})"


@operator(A.Lookup)
def lookup(c, left: Rel, op: A.Lookup, scope) -> Rel:
    d = c.d
    if op.kind not in ("leftouter", "inner"):
        raise c.error(f"lookup: kind must be leftouter or inner, not '{op.kind}'", op)
    right = c.tabular(op.right, scope)
    eqs, pairs = conditions(c, left, right, op.on, scope, op)
    right_keys = {rk for _, rk in pairs}
    items, types = [], {}
    for n, t in left.columns.items():
        items.append(f"l.{d.ident(n)} AS {d.ident(n)}")
        types[n] = t
    for n, t in right.columns.items():
        if n in right_keys:
            continue
        out = unique(n, types)
        items.append(f"r.{d.ident(n)} AS {d.ident(out)}")
        types[out] = t
    word = "LEFT" if op.kind == "leftouter" else "INNER"
    sql = f"SELECT {', '.join(items)} FROM {_src(c, left)} AS l {word} JOIN {_src(c, right)} AS r ON {' AND '.join(eqs)}"
    return Rel(sql, types)
