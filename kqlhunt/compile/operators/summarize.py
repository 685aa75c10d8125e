"""summarize (query/summarize-operator.md): group-by columns first, then aggregates; unnamed aggregates are named
`<prefix>_<column>` (count_, dcount_x, set_x, list_x); `by bin(T, 1h)` keeps the name T; with no group-by an empty
input still gives one row (count 0, sum 0, avg NaN, others null). arg_max/arg_min(expr, cols|*) add columns."""
from __future__ import annotations

from ...kql import ast as A
from ..compiler import Rel
from ..functions import AGG_PREFIX
from . import operator
from .basic import value_sql
from .naming import ColumnCounter, expr_name, unique


def by_name(node: A.Node) -> str | None:
    name = expr_name(node)
    if name:
        return name
    if isinstance(node, A.Call) and node.name in ("bin", "bin_at", "floor") and node.args:
        return expr_name(node.args[0])
    return None


def agg_name(node: A.Node) -> str | None:
    if not isinstance(node, A.Call) or node.name not in AGG_PREFIX:
        return None
    prefix = AGG_PREFIX[node.name]
    if not node.args or isinstance(node.args[0], A.Star):
        return f"{prefix}_"
    if node.name in ("countif", "count") and node.name == "countif":
        return f"{prefix}_"
    first = expr_name(node.args[0])
    if node.name in ("covariance", "covariancep") and len(node.args) == 2:
        second = expr_name(node.args[1])
        return f"{prefix}_{first}_{second}" if first and second else f"{prefix}_"
    if node.name in ("percentile", "percentilew") and len(node.args) > 1 and isinstance(node.args[-1], A.Literal):
        v = node.args[-1].value
        return f"{prefix}_{first}_{str(v).replace('.', '_')}" if first else f"{prefix}_"
    return f"{prefix}_{first}" if first else f"{prefix}_"


@operator(A.Summarize)
def summarize(c, rel: Rel, op: A.Summarize, scope) -> Rel:
    d = c.d
    counter = ColumnCounter()
    taken: set[str] = set()
    select: list[tuple[str, str]] = []
    types: dict[str, str] = {}
    group_positions = []
    for item in op.by:
        e = c.expr.compile(item.expr, rel.columns, scope)
        name = item.names[0] if item.names else (by_name(item.expr) or counter.next(taken | set(rel.columns)))
        name = unique(name, taken)
        sql = value_sql(c, e)
        if e.type == "string":
            sql = f"coalesce({sql}, '')"
        elif e.type == "dynamic":
            sql = f"CAST({sql} AS VARCHAR)"   # group dynamic values by their JSON text
        select.append((name, sql))
        types[name] = e.type
        taken.add(name)
        group_positions.append(str(len(select)))
    by_names = list(types)
    unpack: list[tuple[str, list[tuple[str, str]]]] = []   # struct column -> [(out name, field)]
    no_groups = not op.by
    for item in op.aggs:
        node = item.expr
        if isinstance(node, A.Call) and node.name in ("arg_max", "arg_min"):
            _arg_extreme(c, rel, scope, item, select, types, taken, unpack, by_names)
            continue
        if isinstance(node, A.Call) and node.name == "percentiles":
            _percentiles(c, rel, scope, item, select, types, taken)
            continue
        e = c.expr.compile(node, rel.columns, scope, agg=True)
        if not e.agg:
            raise c.error("summarize: each aggregation must call an aggregate function (count(), sum(), ...)", node)
        if len(item.names) > 1:
            raise c.unsupported("summarize with a tuple of names for one aggregate", item)
        name = item.names[0] if item.names else (agg_name(node) or counter.next(taken))
        name = unique(name, taken)
        sql = value_sql(c, e)
        if no_groups and e.empty is not None:
            sql = f"coalesce({sql}, {e.empty})"
        select.append((name, sql))
        types[name] = e.type
        taken.add(name)
    extra = f"GROUP BY {', '.join(group_positions)}" if group_positions else ""
    sql = c.select(rel, select, extra=extra)
    out = Rel(sql, types, notnull=frozenset(n for n, t in types.items() if t == "string"))
    if unpack:
        items = []
        final_types = {}
        for name, t in types.items():
            fields = next((f for s, f in unpack if s == name), None)
            if fields is None:
                items.append((name, d.ident(name)))
                final_types[name] = t
            else:
                for out_name, field, ftype in fields:
                    items.append((out_name, f"{d.ident(name)}[{d.string(field)}]"))
                    final_types[out_name] = ftype
        out = Rel(c.select(out, items), final_types)
    return out


def _arg_extreme(c, rel: Rel, scope, item: A.Assign, select, types, taken, unpack, by_names) -> None:
    """arg_max(key, cols...|*) -> a struct aggregate, unpacked after grouping (arg-max-aggregation-function.md)."""
    d = c.d
    node: A.Call = item.expr
    fn = "arg_max" if node.name == "arg_max" else "arg_min"
    if not node.args:
        raise c.error(f"{node.name}(): expects the expression to maximize and the columns to return", node)
    key = c.expr.compile(node.args[0], rel.columns, scope)
    key_name = item.names[0] if item.names else (expr_name(node.args[0]) or ColumnCounter().next(taken))
    wanted: list[tuple[str, str, str]] = []     # (out name, sql, type)
    key_out = unique(key_name, taken)
    taken.add(key_out)
    wanted.append((key_out, value_sql(c, key), key.type))
    for arg in node.args[1:]:
        if isinstance(arg, A.Star):
            for n, t in rel.columns.items():
                if n in by_names or n == key_name and isinstance(node.args[0], A.Name):
                    continue
                out = unique(n, taken)
                taken.add(out)
                wanted.append((out, d.ident(n), t))
            continue
        if isinstance(arg, A.Assign):
            raise c.unsupported("named columns inside arg_max()", arg)
        e = c.expr.compile(arg, rel.columns, scope)
        n = expr_name(arg) or ColumnCounter().next(taken)
        out = unique(n, taken)
        taken.add(out)
        wanted.append((out, value_sql(c, e), e.type))
    struct = "struct_pack(" + ", ".join(f"{d.ident('f' + str(i))} := {sql}" for i, (_, sql, _) in enumerate(wanted)) + ")"
    col = f"__{fn}_{len(select)}"
    # arg-min-aggregation-function.md: when every key in the group is null, a row of the group is still returned
    # (with a null key), corpus arg-min-1
    select.append((col, f"coalesce({fn}({struct}, {key.sql}), first({struct}))"))
    types[col] = "dynamic"
    unpack.append((col, [(out, f"f{i}", t) for i, (out, _, t) in enumerate(wanted)]))


def _percentiles(c, rel: Rel, scope, item: A.Assign, select, types, taken) -> None:
    """percentiles(x, p1, p2, ...) -> one column per percentile, percentile_x_p1, ... (percentiles-aggregation-function.md);
    `(a, b) = percentiles(x, 5, 50)` names them."""
    from ..expr import Args, Ctx
    from ..functions.aggregates import _pct_value, nearest_rank
    node: A.Call = item.expr
    if len(node.args) < 2:
        raise c.error("percentiles(): expects an expression and at least one percentile", node)
    a = Args(c.expr, node, Ctx(rel.columns, scope, False))
    x, t = _pct_value(a)
    ps = [a.const(i, "a constant percentile") for i in range(1, len(node.args))]
    if item.names and len(item.names) != len(ps):
        raise c.error(f"percentiles(): {len(item.names)} names given for {len(ps)} percentiles", item)
    first = expr_name(node.args[0])
    for i, p in enumerate(ps):
        if item.names:
            name = item.names[i]
        else:
            name = f"percentile_{first}_{str(p).replace('.', '_')}" if first else ColumnCounter().next(taken)
        name = unique(name, taken)
        taken.add(name)
        select.append((name, nearest_rank(a, x, p)))
        types[name] = t

