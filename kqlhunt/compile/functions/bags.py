"""Property-bag functions: bag_merge, bag_remove_keys, bag_set_key, bag_has_key, bag_zip, pack_all, bag_pack_columns,
make_bag/make_bag_if (aggregates).

A bag is a JSON object; functions work on its entries ([{key, value}], `kql_entries`, NULL for a non-bag) and build
the object back with `kql_bag_of` (the first entry of a repeated key wins). Keys given as JSONPath (`$.a.b`,
`$['a']`) address nested bags where the docs allow it.
"""
from __future__ import annotations

import re

from ..types import E
from . import aggregate, scalar
from .arrays import arr, jval, let


def entries(a, i: int) -> str:
    return f"kql_entries({jval(a, i)})"


def _key_sql(a, i: int) -> str:
    e = a[i]
    if e.type == "dynamic":
        return f"json_extract_string({jval(a, i)}, '$')"
    return a.ec.nn(e)


_PATH_STEP = re.compile(r"""\.([A-Za-z_$@][\w$@-]*)|\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]""")


def parse_path(a, key: str) -> list[str]:
    """A constant key: a plain property name, or a JSONPath `$.a.b` / `$['a']["b"]` (array indexes unsupported)."""
    if not key.startswith("$"):
        return [key]
    steps, pos = [], 1
    while pos < len(key):
        m = _PATH_STEP.match(key, pos)
        if not m:
            raise a.unsupported(f"{a.call.name}() with the JSONPath {key!r}")
        steps.append(next(g for g in m.groups() if g is not None))
        pos = m.end()
    if not steps:
        raise a.unsupported(f"{a.call.name}() with the JSONPath {key!r}")
    return steps


def _duck_path(steps: list[str]) -> str:
    return "$" + "".join('."' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in steps)


def _const_key(a, i: int):
    e = a[i]
    if e.is_const and isinstance(e.const, str):
        return e.const
    return None


@scalar("bag_has_key")
def f_bag_has_key(a):
    """query/bag-has-key-function.md: true if the bag has the key (a JSONPath key looks into nested bags)."""
    a.check(2)
    b = jval(a, 0)
    key = _const_key(a, 1)
    if key is not None:
        path = a.d.string(_duck_path(parse_path(a, key)))
    else:
        k = _key_sql(a, 1)
        path = (f"CASE WHEN starts_with({k}, '$') THEN error('unsupported: bag_has_key() with a JSONPath key known only at run time') "
                f"ELSE '$.\"' || replace(replace({k}, '\\\\', '\\\\\\\\'), '\"', '\\\"') || '\"' END")
    return E(f"CASE WHEN json_type({b}) = 'OBJECT' THEN json_exists({b}, {path}) END", "bool")


def _remove(b: str, tree: dict) -> str:
    """SQL of bag b without the keys in tree ({key: None} removes key; {key: subtree} recurses into its bag)."""
    drop = [k for k, v in tree.items() if v is None]
    sub = {k: v for k, v in tree.items() if v is not None}
    from ..dialect import DuckDB
    d = DuckDB()
    keep = "list_filter(_e, lambda e: NOT list_contains([" + ", ".join(d.string(k) for k in drop) + "]::VARCHAR[], e.key))" \
        if drop else "_e"
    if sub:
        cases = " ".join(f"WHEN e.key = {d.string(k)} AND json_type(e.value) = 'OBJECT' THEN {_remove('e.value', v)}"
                         for k, v in sub.items())
        keep = f"list_transform({keep}, lambda e: {{'key': e.key, 'value': CASE {cases} ELSE e.value END}})"
    return let([("_e", f"kql_entries({b})")], f"CASE WHEN _e IS NOT NULL THEN kql_bag_of({keep}) END")


@scalar("bag_remove_keys")
def f_bag_remove_keys(a):
    """query/bag-remove-keys-function.md: the bag without the given keys (JSONPath keys reach nested bags)."""
    a.check(2)
    b = jval(a, 0)
    ks = a[1]
    if ks.is_const:
        if not isinstance(ks.const, list):
            return E("CAST(NULL AS JSON)", "dynamic")
        tree: dict = {}
        for k in ks.const:
            if not isinstance(k, str):
                continue
            steps = parse_path(a, k)
            node = tree
            for s in steps[:-1]:
                if node.get(s, {}) is None:
                    break
                node = node.setdefault(s, {})
            else:
                node[steps[-1]] = None
        return E(_remove(b, tree), "dynamic")
    keys = f"list_transform({arr(a, 1)}, lambda v: json_extract_string(v, '$'))"
    return E(let([("_e", f"kql_entries({b})"), ("_k", keys)],
                 "CASE WHEN list_bool_or(list_transform(_k, lambda k: starts_with(k, '$'))) "
                 "THEN error('unsupported: bag_remove_keys() with JSONPath keys known only at run time') "
                 "WHEN _e IS NOT NULL THEN kql_bag_of(list_filter(_e, lambda e: NOT coalesce(list_contains(_k, e.key), FALSE))) END"),
             "dynamic")


def _set(b: str, steps: list[str], v: str, d) -> str:
    k = d.string(steps[0])
    if len(steps) == 1:
        val = v
    else:
        inner = f"CASE WHEN json_type({b}->{d.string(_duck_path(steps[:1]))}) = 'OBJECT' THEN {b}->{d.string(_duck_path(steps[:1]))} " \
                f"ELSE CAST('{{}}' AS JSON) END"
        val = _set(inner, steps[1:], v, d)
    return (f"kql_bag_of(list_filter(kql_entries({b}), lambda e: e.key <> {k}) || "
            f"[{{'key': {k}, 'value': CAST({val} AS JSON)}}])")


@scalar("bag_set_key")
def f_bag_set_key(a):
    """query/bag-set-key-function.md: sets the key (a JSONPath key creates the nested bags it needs)."""
    a.check(3)
    b = jval(a, 0)
    key = _const_key(a, 1)
    if key is None:
        raise a.unsupported("bag_set_key() with a key that is not a constant string")
    v = f"coalesce({jval(a, 2)}, CAST('null' AS JSON))"
    return E(let([("_b", b)], f"CASE WHEN json_type(_b) = 'OBJECT' THEN {_set('_b', parse_path(a, key), v, a.d)} END"),
             "dynamic")


@scalar("bag_merge")
def f_bag_merge(a):
    """query/bag-merge-function.md: 2 to 64 bags merged; for a key in several bags the doc allows any value, the
    first bag's is used (as in the doc's example)."""
    a.check(2, 64)
    es = " || ".join(f"coalesce({entries(a, i)}, [])" for i in range(len(a)))
    return E(f"kql_bag_of({es})", "dynamic", True)


@scalar("bag_zip")
def f_bag_zip(a):
    """query/bag-zip.md: keys from the first array (non-strings skipped), values from the second (missing ones are
    null); null if the keys are not an array."""
    a.check(2)
    ks, vs = arr(a, 0), arr(a, 1)
    body = ("CASE WHEN _k IS NOT NULL THEN kql_bag_of(list_transform(list_filter(list_transform(_k, lambda k, i: {'key': "
            "CASE WHEN json_type(k) = 'VARCHAR' THEN json_extract_string(k, '$') END, 'value': coalesce(_v[i], CAST('null' AS JSON))}), "
            "lambda e: e.key IS NOT NULL), lambda e: e)) END")
    return E(let([("_k", ks), ("_v", vs)], body), "dynamic")


@scalar("bag_pack_columns")
def f_bag_pack_columns(a):
    """query/bag-pack-columns-function.md: a bag of the given columns, keyed by column name."""
    from ..operators.naming import expr_name
    from ...kql import ast as A
    parts = []
    for i, node in enumerate(a.nodes):
        if not isinstance(node, A.Name):
            raise a.error("bag_pack_columns(): arguments must be column names")
        parts.append(f"{a.d.string(expr_name(node))}, {jval(a, i)}")
    return E(f"json_object({', '.join(parts)})", "dynamic", True)


@scalar("pack_all")
def f_pack_all(a):
    """query/pack-all-function.md: a bag of every column of the row; pack_all(true) leaves out null and empty values."""
    a.check(0, 1)
    skip = False
    if len(a):
        if not a[0].is_const or not isinstance(a[0].const, bool):
            raise a.error("pack_all(): ignore_null_empty must be a constant bool")
        skip = a[0].const
    from ..types import E as _E
    from .conversion import to_dynamic
    items = []
    for name, typ in a.ctx.row.items():
        col = _E(a.d.ident(name), typ)
        v = a.ec.to_json(col).sql if typ == "dynamic" else to_dynamic(a.c, col).sql
        if typ == "string":
            v = f"to_json(coalesce({col.sql}, ''))"
        items.append((name, typ, col.sql, v))
    if not skip:
        parts = ", ".join(f"{a.d.string(n)}, {v}" for n, _, _, v in items)
        return E(f"json_object({parts})", "dynamic", True)
    ents = []
    for n, typ, sql, v in items:
        empty = f"coalesce({sql}, '') = ''" if typ == "string" else (
            f"({sql} IS NULL OR json_type({sql}) = 'NULL')" if typ == "dynamic" else f"{sql} IS NULL")
        ents.append(f"CASE WHEN {empty} THEN [] ELSE [{{'key': {a.d.string(n)}, 'value': CAST({v} AS JSON)}}] END")
    return E(f"kql_bag_of({' || '.join(ents) if ents else '[]'})", "dynamic", True)


# ------------------------------------------------------------------------------------------------- aggregates
def _make_bag(a, cond: str | None, limit_arg: int):
    es = f"kql_entries({jval(a, 0)})"
    agg = f"flatten(list({es}){f' FILTER (WHERE {cond})' if cond else ''})"
    bag = f"kql_bag_of(coalesce({agg}, []))"
    if len(a) > limit_arg:
        lim = a[limit_arg].sql
        bag = f"CAST(to_json(map_from_entries(list_slice(kql_entries({bag}), 1, {lim}))) AS JSON)"
    return E(bag, "dynamic", True, empty="CAST('{}' AS JSON)")


@aggregate("make_bag", "make_dictionary", prefix="bag")
def f_make_bag(a):
    """query/make-bag-aggregation-function.md: the union of the bags in the group (non-bags are ignored; for a key
    in several bags the doc allows any value: the first is kept)."""
    a.check(1, 2)
    return _make_bag(a, None, 1)


@aggregate("make_bag_if", prefix="bag")
def f_make_bag_if(a):
    """query/make-bag-if-aggregation-function.md"""
    a.check(2, 3)
    return _make_bag(a, a.ec.as_bool(a[1]), 2)
