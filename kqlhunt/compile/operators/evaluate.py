"""evaluate plugins. Only bag_unpack (query/bag-unpack-plugin.md) is implemented; other plugins raise unsupported.

bag_unpack(Column [, OutputColumnPrefix] [, columnsConflict] [, ignoredProperties]) [: (*, Name:type, ...)]:
the column is removed and each distinct top-level slot of its bags becomes a column (named prefix+slot, ordered by
name, after the remaining input columns). A slot's type is the type of its values when they all agree, else dynamic.
Without an output schema the slots depend on the data, so the compiler runs a pre-query on DuckDB (the input up to
this point) to find them; with a schema the listed columns are taken as given (`*` keeps the input columns).
columnsConflict: error (default) | replace_source | keep_source.
"""
from __future__ import annotations

from ...kql import ast as A
from ..compiler import Rel
from ..functions.conversion import convert
from ..types import E
from . import operator

_JSON_TYPES = {"BIGINT": "long", "UBIGINT": "long", "DOUBLE": "real", "VARCHAR": "string", "BOOLEAN": "bool",
               "OBJECT": "dynamic", "ARRAY": "dynamic"}


@operator(A.Evaluate)
def evaluate(c, rel: Rel, op: A.Evaluate, scope) -> Rel:
    name = op.call.name
    if name == "bag_unpack":
        return bag_unpack(c, rel, op, scope)
    raise c.unsupported(f"evaluate {name}()", op.call)


def _path(key: str) -> str:
    return "$." + '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def bag_unpack(c, rel: Rel, op: A.Evaluate, scope) -> Rel:
    d = c.d
    call = op.call
    positional = [a for a in call.args if not isinstance(a, A.NamedArg)]
    named = {a.name: a.value for a in call.args if isinstance(a, A.NamedArg)}
    if not positional or not isinstance(positional[0], A.Name) or positional[0].name not in rel.columns:
        raise c.error("bag_unpack(): the first argument must be a column of the input", call)
    col = positional[0].name
    if rel.columns[col] != "dynamic":
        raise c.error(f"bag_unpack(): column '{col}' must be dynamic, not {rel.columns[col]}", call)
    opts = {"OutputColumnPrefix": None, "columnsConflict": None, "ignoredProperties": None}
    for key, node in zip(opts, positional[1:]):
        opts[key] = node
    if len(positional) > 4:
        raise c.error("bag_unpack(): too many arguments", call)
    for key, node in named.items():
        if key not in opts:
            raise c.error(f"bag_unpack(): unknown parameter '{key}'", node)
        opts[key] = node
    values = {}
    for key, node in opts.items():
        if node is None:
            values[key] = None
            continue
        e = c.expr.compile(node, {}, scope)
        if not e.is_const:
            raise c.error(f"bag_unpack(): {key} must be a constant", node)
        values[key] = e.const
    prefix = values["OutputColumnPrefix"] or ""
    conflict = values["columnsConflict"] or "error"
    if conflict not in ("error", "replace_source", "keep_source"):
        raise c.error(f"bag_unpack(): columnsConflict must be error, replace_source or keep_source, not '{conflict}'", call)
    ignored = values["ignoredProperties"] or []
    if not isinstance(ignored, list):
        raise c.error("bag_unpack(): ignoredProperties must be a dynamic array", call)
    ignored = {str(x) for x in ignored}
    x = d.ident(col)

    if op.schema is not None:
        keep_input = any(n == "*" for n, _ in op.schema)
        slots = [(n, t) for n, t in op.schema if n != "*"]
        if prefix:
            raise c.unsupported("bag_unpack with both an output column prefix and an output schema", call)
        out_cols = [(n, n, t) for n, t in slots if n not in ignored]   # (out name, slot, type)
        base = [n for n in rel.columns if n != col] if keep_input else []
    else:
        out_cols = [(prefix + k, k, t) for k, t in _slots(c, rel, x, op) if k not in ignored]
        base = [n for n in rel.columns if n != col]
    out_names = {o for o, _, _ in out_cols}
    clash = [n for n in base if n in out_names]
    if clash and conflict == "error" and op.schema is None:
        raise c.error(f"bag_unpack(): column '{clash[0]}' already exists (use columnsConflict='replace_source' or "
                      f"'keep_source')", call)
    if conflict == "replace_source" or op.schema is not None:
        base = [n for n in base if n not in out_names]
    else:   # keep_source
        out_cols = [oc for oc in out_cols if oc[0] not in base]
    items = [(n, d.ident(n)) for n in base]
    types = {n: rel.columns[n] for n in base}
    for out, slot, typ in out_cols:
        raw = E(f"json_extract({x}, {d.string(_path(slot))})", "dynamic")
        if typ == "dynamic":
            sql = f"CASE WHEN json_type({raw.sql}) = 'NULL' THEN NULL ELSE {raw.sql} END"
        else:
            sql = convert(c, raw, typ).sql
        items.append((out, sql))
        types[out] = typ
    return Rel(c.select(rel, items), types, notnull=frozenset(n for n in rel.notnull if n in base))


def _slots(c, rel: Rel, x: str, op) -> list[tuple[str, str]]:
    """Run the input once to find the slots of the bags and their types (sorted by slot name)."""
    con = getattr(c.catalog, "con", None)
    if con is None:
        raise c.unsupported("evaluate bag_unpack() without an output schema (the columns depend on the data; give "
                            ": (*, Name:type, ...))", op)
    d = c.d
    entries = f"map_entries(CASE WHEN json_type({x}) = 'OBJECT' THEN CAST({x} AS MAP(VARCHAR, JSON)) END)"
    sql = (f"SELECT e.key AS k, list(DISTINCT json_type(e.value)) FILTER (WHERE json_type(e.value) <> 'NULL') AS ts "
           f"FROM (SELECT unnest({entries}) AS e FROM {c.from_(rel)}) GROUP BY e.key ORDER BY e.key")
    if c.ctes:
        parts = []
        for cte in c.ctes:
            mat = " MATERIALIZED" if cte.materialized else ""
            parts.append(f"{d.ident(cte.name)} AS{mat} ({cte.sql})")
        sql = "WITH " + ",\n".join(parts) + "\n" + sql
    if "kql_" in sql:
        from ...engine import macros
        macros.install(con)
    try:
        rows = con.execute(sql).fetchall()
    except Exception as exc:  # noqa: BLE001 - a failing pre-query is a query error
        raise c.error(f"bag_unpack(): could not read the input to find its columns: {str(exc).splitlines()[0]}", op,
                      kind="runtime")
    out = []
    for key, ts in rows:
        kinds = {_JSON_TYPES.get(t, "dynamic") for t in (ts or [])}
        out.append((key, kinds.pop() if len(kinds) == 1 else "dynamic"))
    return sorted(out, key=lambda kt: kt[0])
