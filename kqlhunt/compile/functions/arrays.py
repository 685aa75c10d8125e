"""Array and set functions over dynamic arrays: array_concat, array_iff, array_reverse, array_rotate_*, array_shift_*,
array_sort_*, array_split, array_sum, set_union, set_intersect, set_difference, set_has_element, zip, range().

Arrays are JSON; each function takes the elements as a JSON[] list (`kql_arr`, NULL for a non-array) and builds JSON
back with to_json. Elements compare by their JSON text. Functions that expect an array return null for anything else
(query/scalar-data-types/dynamic.md).
"""
from __future__ import annotations

from ...kql import ast as A
from ..types import NUMERIC, E
from . import scalar
from .conversion import to_dynamic


def arr(a, i: int) -> str:
    """Argument i as a JSON[] list of its elements (NULL when it is not an array)."""
    e = a[i]
    if e.type == "dynamic" and e.rep == "list":
        return f"list_transform({e.sql}, lambda s: to_json(s))"
    return f"kql_arr({jval(a, i)})"


def jval(a, i: int) -> str:
    """Argument i as one JSON value (scalars are converted as dynamic() would hold them)."""
    e = a[i]
    if e.type == "dynamic" and e.rep == "item":
        return f"to_json({e.sql})"
    return a.ec.to_json(e).sql


def let(bindings: list[tuple[str, str]], body: str) -> str:
    """body with each name bound to its SQL, evaluated once (a one-element list_transform; no subquery)."""
    for name, sql in reversed(bindings):
        body = f"list_transform([{sql}], lambda {name}: {body})[1]"
    return body


def out(sql: str, notnull: bool = False) -> E:
    return E(f"CAST(to_json({sql}) AS JSON)", "dynamic", notnull)


def _int(a, i: int, what: str) -> str:
    e = a[i]
    if e.type not in ("int", "long"):
        if e.type == "dynamic":
            return f"TRY_CAST(json_extract_string({jval(a, i)}, '$') AS BIGINT)"
        raise a.error(f"{a.call.name}(): {what} must be an integer, not {e.type}")
    return e.sql


@scalar("array_concat")
def f_array_concat(a):
    """query/array-concat-function.md: null unless every argument is an array."""
    a.check(1, 64)
    lists = [arr(a, i) for i in range(len(a))]
    cond = " AND ".join(f"{l} IS NOT NULL" for l in lists)
    return E(f"CASE WHEN {cond} THEN CAST(to_json(flatten([{', '.join(lists)}])) AS JSON) END", "dynamic")


@scalar("array_reverse")
def f_array_reverse(a):
    """query/array-reverse-function.md"""
    a.check(1)
    return out(f"list_reverse({arr(a, 0)})")


def _rotate(a, sign: int):
    a.check(2)
    l, n = arr(a, 0), _int(a, 1, "the rotate count")
    k = f"({sign} * {n})"
    body = (f"list_transform(range(len(_l)), lambda i: _l[((i + {k}) % len(_l) + len(_l)) % len(_l) + 1])")
    return out(let([("_l", l)], f"CASE WHEN len(_l) = 0 THEN _l ELSE {body} END"))


@scalar("array_rotate_left")
def f_array_rotate_left(a):
    """query/array-rotate-left-function.md: a negative count rotates right."""
    return _rotate(a, 1)


@scalar("array_rotate_right")
def f_array_rotate_right(a):
    """query/array-rotate-right-function.md: a negative count rotates left."""
    return _rotate(a, -1)


def _shift(a, sign: int):
    a.check(2, 3)
    l, n = arr(a, 0), _int(a, 1, "the shift count")
    fill = jval(a, 2) if len(a) > 2 else "CAST('null' AS JSON)"
    k = f"({sign} * {n})"
    body = f"list_transform(range(len(_l)), lambda i: CASE WHEN i + {k} >= 0 AND i + {k} < len(_l) THEN _l[i + {k} + 1] ELSE {fill} END)"
    return out(let([("_l", l)], body))


@scalar("array_shift_left")
def f_array_shift_left(a):
    """query/array-shift-left-function.md: vacated slots get null or the given default."""
    return _shift(a, 1)


@scalar("array_shift_right")
def f_array_shift_right(a):
    """query/array-shift-right-function.md"""
    return _shift(a, -1)


@scalar("array_split")
def f_array_split(a):
    """query/array-split-function.md: N indices give N+1 arrays [0..i1), [i1..i2), ... [iN..len); negative
    indices count from the end."""
    a.check(2)
    l = arr(a, 0)
    ix = a[1]
    if ix.type in ("int", "long"):
        idx = f"[{ix.sql}]"
    elif ix.type == "dynamic":
        idx = f"list_transform({arr(a, 1)}, lambda v: TRY_CAST(json_extract_string(v, '$') AS BIGINT))"
    else:
        raise a.error("array_split(): the split indices must be an integer or an array of integers")
    norm = "list_transform(_x, lambda v: least(greatest(CASE WHEN v < 0 THEN len(_l) + v ELSE v END, 0), len(_l)))"
    body = ("list_transform(range(len(_b) - 1), lambda i: list_slice(_l, _b[i + 1] + 1, _b[i + 2]))")
    return out(let([("_l", l), ("_x", idx), ("_b", f"[0] || {norm} || [len(_l)]")],
                   f"CASE WHEN _l IS NOT NULL THEN {body} END"))


@scalar("array_sum")
def f_array_sum(a):
    """query/array-sum-function.md: a real; null if any element is not a number."""
    a.check(1)
    l = arr(a, 0)
    return E(let([("_l", l)], "CASE WHEN list_bool_and(list_transform(_l, lambda v: json_type(v) IN ('BIGINT', 'UBIGINT', 'DOUBLE'))) "
             "THEN list_sum(list_transform(_l, lambda v: CAST(json_extract_string(v, '$') AS DOUBLE))) END"), "real")


@scalar("array_iff", "array_iif")
def f_array_iff(a):
    """query/array-iff-function.md: numeric conditions are true when non-zero, other conditions give null; a
    branch array shorter than the condition array reads as null."""
    a.check(3)
    cond = arr(a, 0)

    def branch(i):
        e = a[i]
        if e.type == "dynamic":
            j = jval(a, i)
            return f"(CASE WHEN json_type({j}) = 'ARRAY' THEN {j}->('$[' || (_i - 1) || ']') ELSE {j} END)"
        return to_dynamic(a.c, e).sql

    c = ("(CASE WHEN json_type(_c) = 'BOOLEAN' THEN CAST(json_extract_string(_c, '$') AS BOOLEAN) "
         "WHEN json_type(_c) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN CAST(json_extract_string(_c, '$') AS DOUBLE) <> 0 END)")
    body = (f"list_transform({cond}, lambda _c, _i: CASE WHEN {c} THEN {branch(1)} WHEN NOT {c} THEN {branch(2)} END)")
    return out(body)


def _sort(a, desc: bool):
    """array_sort_asc/desc (array-sort-asc-function.md): sorts the first array (numbers, then strings, then
    others; nulls last unless nulls_last=false), reorders the other arrays the same way; an array whose length
    differs from the first one gives null. Several arrays give several columns (`<arg>_sorted`)."""
    n = len(a)
    if n == 0:
        raise a.error(f"{a.call.name}(): expects at least one array")
    nulls_last = True
    if n > 1 and a[n - 1].type == "bool":
        if not a[n - 1].is_const or a[n - 1].const is None:
            raise a.unsupported(f"{a.call.name}() with a non-constant nulls_last")
        nulls_last = bool(a[n - 1].const)
        n -= 1
    # z (null rank) sorts first; in a DESC sort the ranks flip so nulls land where asked
    nullrank = (1 if nulls_last else 0) if not desc else (0 if nulls_last else 1)
    first = arr(a, 0)
    order = "'DESC'" if desc else "'ASC'"
    tie = "-i" if desc else "i"   # equal keys keep their input order
    perm = (f"list_transform(list_sort(list_transform(_a0, lambda v, i: kql_sort_key(v, {tie}, {nullrank}, {-1 if desc else 1})), {order}), "
            f"lambda k: abs(k.i))")
    outs = []
    names = []
    for i in range(n):
        li = "_a0" if i == 0 else f"_a{i}"
        outs.append(f"CASE WHEN len({li}) = len(_a0) THEN CAST(to_json(list_transform(_p, lambda k: {li}[k])) AS JSON) END")
        from ..operators.naming import expr_name
        nm = expr_name(a.nodes[i])
        names.append(f"{nm}_sorted" if nm else None)
    binds = [(f"_a{i}", arr(a, i)) for i in range(n)] + [("_p", perm)]
    if n == 1:
        return E(let(binds, outs[0]), "dynamic")
    return E(let(binds, f"CAST(to_json([{', '.join(outs)}]) AS JSON)"), "dynamic", rep="multi", const=names)


@scalar("array_sort_asc")
def f_array_sort_asc(a):
    return _sort(a, False)


@scalar("array_sort_desc")
def f_array_sort_desc(a):
    return _sort(a, True)


@scalar("set_union")
def f_set_union(a):
    """query/set-union-function.md: distinct values of all arrays, first occurrences in order."""
    a.check(2, 64)
    lists = [arr(a, i) for i in range(len(a))]
    cond = " AND ".join(f"{l} IS NOT NULL" for l in lists)
    return E(f"CASE WHEN {cond} THEN CAST(to_json(kql_distinct(flatten([{', '.join(lists)}]))) AS JSON) END", "dynamic")


@scalar("set_intersect")
def f_set_intersect(a):
    """query/set-intersect-function.md: distinct values present in every array."""
    a.check(2, 64)
    first = arr(a, 0)
    others = [arr(a, i) for i in range(1, len(a))]
    test = " AND ".join(f"list_contains({o}, v)" for o in others)
    cond = " AND ".join(f"{l} IS NOT NULL" for l in [first] + others)
    return E(f"CASE WHEN {cond} THEN CAST(to_json(kql_distinct(list_filter({first}, lambda v: {test}))) AS JSON) END",
             "dynamic")


@scalar("set_difference")
def f_set_difference(a):
    """query/set-difference-function.md: distinct values of the first array that are in none of the others."""
    a.check(2, 64)
    first = arr(a, 0)
    others = [arr(a, i) for i in range(1, len(a))]
    test = " AND ".join(f"NOT list_contains({o}, v)" for o in others)
    cond = " AND ".join(f"{l} IS NOT NULL" for l in [first] + others)
    return E(f"CASE WHEN {cond} THEN CAST(to_json(kql_distinct(list_filter({first}, lambda v: {test}))) AS JSON) END",
             "dynamic")


@scalar("set_has_element")
def f_set_has_element(a):
    """query/set-has-element-function.md"""
    a.check(2)
    return E(f"list_contains({arr(a, 0)}, {jval(a, 1)})", "bool")


@scalar("zip")
def f_zip(a):
    """query/zip-function.md: [[a1[0], a2[0], ...], ...]; shorter arrays are padded with null."""
    a.check(2, 16)
    n = len(a)
    binds = [(f"_z{i}", arr(a, i)) for i in range(n)]
    longest = f"greatest({', '.join(f'len(_z{i})' for i in range(n))})"
    row = "[" + ", ".join(f"coalesce(_z{i}[i + 1], CAST('null' AS JSON))" for i in range(n)) + "]"
    cond = " AND ".join(f"_z{i} IS NOT NULL" for i in range(n))
    return E(let(binds, f"CASE WHEN {cond} THEN CAST(to_json(list_transform(range({longest}), lambda i: {row})) AS JSON) END"),
             "dynamic")


RANGE_MAX = 1048576


@scalar("range")
def f_range(a):
    """query/range-function.md: start, start+step, ... up to stop; step defaults to 1 (1h for datetime/timespan);
    at most 1,048,576 values."""
    a.check(2, 3)
    st, sp = a[0], a[1]
    d = a.d
    if st.type == "datetime":
        step = a[2].sql if len(a) > 2 else "3600000000"
        if len(a) > 2 and a[2].type != "timespan":
            raise a.error("range(): a datetime range needs a timespan step")
        s0, s1 = d.epoch_us(st.sql), d.epoch_us(sp.sql)
        elem = f"kql_datetime_to_string({d.from_epoch_us(f'({s0} + i * {step})')})"
        count = f"(({s1} - {s0}) // {step}) + 1"
    elif st.type == "timespan":
        step = a[2].sql if len(a) > 2 else "3600000000"
        elem = f"kql_timespan_to_string({st.sql} + i * {step})"
        count = f"(({sp.sql} - {st.sql}) // {step}) + 1"
    elif st.type in NUMERIC and sp.type in NUMERIC:
        step_e = a[2] if len(a) > 2 else None
        real = "real" in (st.type, sp.type) or "decimal" in (st.type, sp.type) or (
            step_e is not None and step_e.type in ("real", "decimal"))
        step = step_e.sql if step_e is not None else "1"
        if real:
            elem = f"(CAST({st.sql} AS DOUBLE) + i * CAST({step} AS DOUBLE))"
            count = f"CAST(floor((CAST({sp.sql} AS DOUBLE) - {st.sql}) / {step}) AS BIGINT) + 1"
        else:
            elem = f"(CAST({st.sql} AS BIGINT) + i * {step})"
            count = f"(({sp.sql} - {st.sql}) // {step}) + 1"
    else:
        raise a.error(f"range(): cannot range from {st.type} to {sp.type}")
    n = f"least(greatest({count}, 0), {RANGE_MAX})"
    return E(f"CAST(to_json(list_transform(range({n}), lambda i: {elem})) AS JSON)", "dynamic")


_ = A


def multi_columns(c, e: E, names: list[str], node, taken) -> list[tuple[str, str, str]] | None:
    """A function returning several columns (array_sort_asc(a1, a2) -> a1_sorted, a2_sorted) as (name, sql, type)
    items for print/extend/project; None for an ordinary expression. `extend (x, y) = ...` names them."""
    if e.rep != "multi":
        return None
    defaults = list(e.const)
    if len(names) > 1 or (names and len(defaults) > 1):
        if len(names) != len(defaults):
            raise c.error(f"{len(names)} names given for a function returning {len(defaults)} columns", node)
        defaults = list(names)
    from ..operators.naming import ColumnCounter, unique
    counter = ColumnCounter()
    out = []
    for i, n in enumerate(defaults):
        used = set(taken) | {o[0] for o in out}
        n = (unique(n, {o[0] for o in out}) if names else unique(n, used)) if n else counter.next(used)
        out.append((n, f"json_extract({e.sql}, '$[{i}]')", "dynamic"))
    return out
