"""Dynamic (JSON) values: array_length, array_slice, array_concat, array_index_of, strcat_array, pack_array,
pack/bag_pack, bag_keys, set_* ... Dynamic values are DuckDB JSON (see types.py); functions that expect an
array or a bag return null for anything else (scalar-data-types/dynamic.md).
"""
from __future__ import annotations

from ..types import E
from . import scalar
from .conversion import to_dynamic  # noqa: F401  (re-exported for expr.py)


def j(a, i: int) -> str:
    """Argument i as JSON SQL."""
    from .arrays import jval
    return jval(a, i)


@scalar("array_length")
def f_array_length(a):
    a.check(1)
    e = a[0]
    if e.rep == "list":
        return E(f"CAST(len({e.sql}) AS BIGINT)", "long")
    x = j(a, 0)
    return E(f"CASE WHEN json_type({x}) = 'ARRAY' THEN CAST(json_array_length({x}) AS BIGINT) END", "long")


@scalar("array_slice")
def f_array_slice(a):
    a.check(3)
    from .arrays import arr, let
    n = "len(_l)"
    st = f"(CASE WHEN {a[1].sql} < 0 THEN greatest({n} + {a[1].sql}, 0) ELSE {a[1].sql} END)"
    en = f"(CASE WHEN {a[2].sql} < 0 THEN {n} + {a[2].sql} ELSE least({a[2].sql}, {n} - 1) END)"
    return E(let([("_l", arr(a, 0))], f"CAST(to_json(list_slice(_l, {st} + 1, {en} + 1)) AS JSON)"), "dynamic")


@scalar("strcat_array")
def f_strcat_array(a):
    a.check(2)
    e = a[0]
    if e.rep == "list":
        return E(f"coalesce(array_to_string({e.sql}, {a.ec.nn(a[1])}), '')", "string", True)
    from .arrays import arr
    items = f"list_transform({arr(a, 0)}, lambda v: coalesce(json_extract_string(v, '$'), ''))"
    return E(f"coalesce(array_to_string({items}, {a.ec.nn(a[1])}), '')", "string", True)


@scalar("pack_array")
def f_pack_array(a):
    items = ", ".join(j(a, i) for i in range(len(a)))
    return E(f"CAST(to_json([{items}]::JSON[]) AS JSON)" if items else "CAST('[]' AS JSON)", "dynamic", True)


@scalar("pack", "bag_pack", "pack_dictionary")
def f_pack(a):
    if len(a) % 2:
        raise a.error(f"{a.call.name}(): expects key/value pairs")
    parts = []
    for i in range(0, len(a), 2):
        parts.append(f"{a.ec.nn(a[i])}, {j(a, i + 1)}")
    return E(f"json_object({', '.join(parts)})", "dynamic", True)


@scalar("bag_keys")
def f_bag_keys(a):
    a.check(1)
    x = j(a, 0)
    return E(f"CASE WHEN json_type({x}) = 'OBJECT' THEN to_json(json_keys({x})) END", "dynamic")


@scalar("array_index_of")
def f_array_index_of(a):
    """query/array-index-of-function.md: zero-based position of the occurrence-th match within [start, start+length),
    -1 when absent, null for occurrence < 0 or length < -1; a negative start counts from the end."""
    a.check(2, 5)
    from .arrays import arr, jval
    st = a[2].sql if len(a) > 2 else "0"
    ln = a[3].sql if len(a) > 3 else "-1"
    occ = a[4].sql if len(a) > 4 else "1"
    return E(f"CAST(kql_array_index_of({arr(a, 0)}, {jval(a, 1)}, {st}, {ln}, {occ}) AS BIGINT)", "long")


@scalar("dynamic_to_json")
def f_dynamic_to_json(a):
    """query/dynamic-to-json-function.md: JSON text with the keys of every bag sorted."""
    a.check(1)
    e = a[0]
    if e.is_const:
        import json
        from ..dialect import to_jsonable
        if e.const is None:
            return E("''", "string", True)
        text = json.dumps(_sorted(to_jsonable(e.const)), ensure_ascii=False, separators=(",", ":"))
        return a.ec.const(text, "string")
    from .arrays import jval
    return E(f"coalesce(kql_dynamic_to_json({jval(a, 0)}), '')", "string", True)


def _sorted(v):
    if isinstance(v, dict):
        return {k: _sorted(v[k]) for k in sorted(v)}
    if isinstance(v, list):
        return [_sorted(x) for x in v]
    return v


@scalar("extract_json", "extractjson")
def f_extract_json(a):
    """query/extract-json-function.md: extract_json(jsonPath, text [, typeof(T)]): the element at a JSONPath
    (`$`, `.name`, `['name']`, `[index]`) of JSON text; string by default; null (or "") if absent or not JSON."""
    a.check(2, 3)
    from ...kql import ast as A
    from .bags import _duck_path
    from .conversion import convert
    path = a.const(0, "a constant JSONPath")
    if not isinstance(path, str) or not path.startswith("$"):
        raise a.error("extract_json(): the path must be a JSONPath string starting with $")
    steps, pos = [], 1
    import re
    step = re.compile(r"""\.([A-Za-z_@][\w@-]*)|\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[\s*(-?\d+)\s*\]""")
    while pos < len(path):
        m = step.match(path, pos)
        if not m:
            raise a.unsupported(f"extract_json() with the JSONPath {path!r}")
        g = m.groups()
        steps.append(int(g[3]) if g[3] is not None else next(x for x in g[:3] if x is not None))
        pos = m.end()
    duck = "$" + "".join(f"[{s}]" if isinstance(s, int) and s >= 0 else (f"[#{s}]" if isinstance(s, int) else
                                                                          _duck_path([s])[1:]) for s in steps)
    src = a[1]
    text = a.ec.to_json(src).sql if src.type == "dynamic" else a.ec.nn(src)
    doc = f"json_extract_string({text}, '$')" if src.type == "dynamic" else text
    v = E(f"json_extract(TRY_CAST({doc} AS JSON), {a.d.string(duck)})", "dynamic")
    typ = "string"
    if len(a) == 3:
        t = a.nodes[2]
        if not isinstance(t, A.TypeOf):
            raise a.error("extract_json(): the 3rd argument must be typeof(<type>)")
        typ = t.type
    if typ == "dynamic":
        return v
    if typ == "string":
        return E(f"coalesce(json_extract_string({v.sql}, '$'), '')", "string", True)
    return convert(a.c, v, typ)
