"""Row-wise operators: where, extend, project, project-away/keep/rename/reorder/by-names, take, count, distinct,
as, render, getschema. Order-preserving ones keep `rel.ordered`."""
from __future__ import annotations

from ...kql import ast as A
from ..compiler import Rel, TableBinding
from ..types import E
from . import operator
from .naming import ColumnCounter, expr_name, names_in, wildcard_match
from ..functions.arrays import multi_columns


def value_sql(c, e: E) -> str:
    """SQL to store an expression as a column: dynamic values as JSON, strings as-is (NULL reads as "")."""
    if e.rep == "multi":
        raise c.unsupported("a function returning several columns (array_sort_*) in this position")
    if e.type == "dynamic" and e.rep is not None:
        return c.expr.to_json(e).sql
    return e.sql


@operator(A.Where)
def where(c, rel: Rel, op: A.Where, scope) -> Rel:
    e = c.expr.predicate(op.predicate, rel.row(), scope)
    if e.type not in ("bool", "dynamic"):
        raise c.error(f"where: the predicate must be boolean, not {e.type}", op.predicate)
    if e.sql == "TRUE":
        return rel
    return Rel(c.select(rel, c.passthrough(rel), where=c.expr.as_bool(e)), dict(rel.columns), ordered=rel.ordered,
               notnull=rel.notnull, defs=rel.defs)


@operator(A.Extend)
def extend(c, rel: Rel, op: A.Extend, scope) -> Rel:
    counter = ColumnCounter()
    pending: list[tuple[str, str, str]] = []         # (name, sql, type) in this layer
    defined: set[str] = set()
    notnull = set(rel.notnull)
    defs: dict = {}
    for item in op.items:
        if names_in(item.expr) & defined:
            rel = _extend_layer(c, rel, pending, notnull, defs)
            pending, defined, defs = [], set(), {}
        e = c.expr.compile(item.expr, rel.row(), scope)
        if e.agg:
            raise c.error("aggregate functions are only valid in summarize", item)
        multi = multi_columns(c, e, item.names, item, set(rel.columns) | defined)
        if multi:
            for name, sql, typ in multi:
                pending = [p for p in pending if p[0] != name]
                pending.append((name, sql, typ))
                defined.add(name)
                defs.pop(name, None)
                notnull.discard(name)
            continue
        if len(item.names) > 1:
            raise c.unsupported("extend with a tuple of names (only for functions returning several columns)", item)
        name = item.names[0] if item.names else (expr_name(item.expr) or counter.next(set(rel.columns) | defined))
        pending = [p for p in pending if p[0] != name]
        pending.append((name, value_sql(c, e), e.type))
        defined.add(name)
        defs.pop(name, None)
        if e.type == "string" and e.split and e.split[2] is not None:
            defs[name] = e.split
        if e.notnull:
            notnull.add(name)
        else:
            notnull.discard(name)
    return _extend_layer(c, rel, pending, notnull, defs)


def _extend_layer(c, rel: Rel, items: list[tuple[str, str, str]], notnull: set, defs: dict) -> Rel:
    if not items:
        return rel
    new_names = {n for n, _, _ in items}
    # provenance stays valid while neither the column nor its source column was given a new value
    kept = {n: v for n, v in rel.defs.items() if n not in new_names and v[2] not in new_names}
    kept.update({n: v for n, v in defs.items() if v[2] not in new_names or v[2] == n and False})
    new = {n for n, _, _ in items}
    # extend-operator.md: an existing column given a new value is removed and appended at the end
    cols = [(n, c.d.ident(n)) for n in rel.columns if n not in new] + [(n, sql) for n, sql, _ in items]
    types = {n: t for n, t in rel.columns.items() if n not in new}
    types.update({n: t for n, _, t in items})
    return Rel(c.select(rel, cols), types, ordered=rel.ordered, notnull=frozenset(notnull & set(types)), defs=kept)


@operator(A.Project)
def project(c, rel: Rel, op: A.Project, scope) -> Rel:
    counter = ColumnCounter()
    items, types, notnull = [], {}, set()
    for item in op.items:
        if isinstance(item.expr, A.Name) and not item.names and "*" in item.expr.name:
            raise c.unsupported("wildcards in project (use project-keep)", item)
        e = c.expr.compile(item.expr, rel.columns, scope)
        multi = multi_columns(c, e, item.names, item, set(types) | set(rel.columns))
        if multi:
            for name, sql, typ in multi:
                if name in types:
                    raise c.error(f"project: column '{name}' is named twice", item)
                items.append((name, sql))
                types[name] = typ
            continue
        if len(item.names) > 1:
            raise c.unsupported("project with a tuple of names", item)
        name = item.names[0] if item.names else (expr_name(item.expr) or counter.next(set(types) | set(rel.columns)))
        if name in types:
            raise c.error(f"project: column '{name}' is named twice", item)
        items.append((name, value_sql(c, e)))
        types[name] = e.type
        if e.notnull or (isinstance(item.expr, A.Name) and item.expr.name in rel.notnull):
            notnull.add(name)
    return Rel(c.select(rel, items), types, ordered=rel.ordered, notnull=frozenset(notnull))


def _match(c, rel: Rel, patterns: list[str], node) -> list[str]:
    out = []
    for p in patterns:
        hits = [n for n in rel.columns if wildcard_match(p, n)]
        if not hits and "*" not in p:
            raise c.error(f"column '{p}' does not exist", node)
        out.extend(h for h in hits if h not in out)
    return out


@operator(A.ProjectAway)
def project_away(c, rel: Rel, op: A.ProjectAway, scope) -> Rel:
    drop = set(_match(c, rel, op.patterns, op))
    keep = [n for n in rel.columns if n not in drop]
    return Rel(c.select(rel, [(n, c.d.ident(n)) for n in keep]), {n: rel.columns[n] for n in keep},
               ordered=rel.ordered, notnull=rel.notnull)


@operator(A.ProjectKeep)
def project_keep(c, rel: Rel, op: A.ProjectKeep, scope) -> Rel:
    keep_set = set(_match(c, rel, op.patterns, op))
    keep = [n for n in rel.columns if n in keep_set]
    return Rel(c.select(rel, [(n, c.d.ident(n)) for n in keep]), {n: rel.columns[n] for n in keep},
               ordered=rel.ordered, notnull=rel.notnull)


@operator(A.ProjectRename)
def project_rename(c, rel: Rel, op: A.ProjectRename, scope) -> Rel:
    mapping = {}
    for new, old in op.pairs:
        if old not in rel.columns:
            raise c.error(f"project-rename: column '{old}' does not exist", op)
        mapping[old] = new
    items, types, notnull = [], {}, set()
    for n, t in rel.columns.items():
        out = mapping.get(n, n)
        if out in types:
            raise c.error(f"project-rename: column '{out}' would appear twice", op)
        items.append((out, c.d.ident(n)))
        types[out] = t
        if n in rel.notnull:
            notnull.add(out)
    return Rel(c.select(rel, items), types, ordered=rel.ordered, notnull=frozenset(notnull))


@operator(A.ProjectReorder)
def project_reorder(c, rel: Rel, op: A.ProjectReorder, scope) -> Rel:
    first: list[str] = []
    for pattern, order in op.patterns:
        hits = [n for n in rel.columns if wildcard_match(pattern, n) and n not in first]
        if not hits and "*" not in pattern:
            raise c.error(f"project-reorder: column '{pattern}' does not exist", op)
        if order in ("asc", "desc"):
            hits.sort(reverse=order == "desc")
        elif order in ("granny-asc", "granny-desc"):
            import re
            key = lambda s: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]  # noqa: E731
            hits.sort(key=key, reverse=order == "granny-desc")
        first.extend(hits)
    names = first + [n for n in rel.columns if n not in first]
    return Rel(c.select(rel, [(n, c.d.ident(n)) for n in names]), {n: rel.columns[n] for n in names},
               ordered=rel.ordered, notnull=rel.notnull)


@operator(A.ProjectByNames)
def project_by_names(c, rel: Rel, op: A.ProjectByNames, scope) -> Rel:
    patterns = []
    for node in op.items:
        e = c.expr.compile(node, {}, scope)
        if not e.is_const:
            raise c.error("project-by-names: column names must be constants", node)
        value = e.const
        patterns.extend(value if isinstance(value, list) else [value])
    names = []
    for p in patterns:
        # project-by-names-operator.md: names that match no column are ignored
        names.extend(n for n in rel.columns if wildcard_match(str(p), n) and n not in names)
    return Rel(c.select(rel, [(n, c.d.ident(n)) for n in names]), {n: rel.columns[n] for n in names},
               ordered=rel.ordered, notnull=rel.notnull)


@operator(A.Take)
def take(c, rel: Rel, op: A.Take, scope) -> Rel:
    n = c.expr.compile(op.count, {}, scope)
    if n.type not in ("int", "long") and not n.is_const:
        raise c.error("take: the row count must be an integer", op.count)
    return Rel(c.select(rel, c.passthrough(rel), extra=f"LIMIT {n.sql}"), dict(rel.columns), ordered=rel.ordered,
               notnull=rel.notnull)


@operator(A.Sample)
def sample(c, rel: Rel, op: A.Sample, scope) -> Rel:
    n = c.expr.compile(op.count, {}, scope)
    return Rel(c.select(rel, c.passthrough(rel), extra=f"USING SAMPLE {n.sql} ROWS"), dict(rel.columns),
               notnull=rel.notnull)


@operator(A.Count)
def count(c, rel: Rel, op: A.Count, scope) -> Rel:
    return Rel(f"SELECT count(*) AS {c.d.ident(op.name)} FROM {c.from_(rel)}", {op.name: "long"},
               notnull=frozenset([op.name]))


@operator(A.Distinct)
def distinct(c, rel: Rel, op: A.Distinct, scope) -> Rel:
    if len(op.items) == 1 and isinstance(op.items[0], A.Star):
        names = list(rel.columns)
        items = [(n, _keyed(c, n, rel.columns[n])) for n in names]
        types = dict(rel.columns)
    else:
        counter = ColumnCounter()
        items, types = [], {}
        for node in op.items:
            e = c.expr.compile(node, rel.columns, scope)
            name = expr_name(node) or counter.next(types)
            sql = value_sql(c, e)
            if e.type == "string":
                sql = f"coalesce({sql}, '')"
            items.append((name, sql))
            types[name] = e.type
    return Rel(c.select(rel, items).replace("SELECT ", "SELECT DISTINCT ", 1), types)


def _keyed(c, name: str, typ: str) -> str:
    q = c.d.ident(name)
    return f"coalesce({q}, '')" if typ == "string" else q


@operator(A.As)
def as_(c, rel: Rel, op: A.As, scope) -> Rel:
    scope.vars[op.name] = TableBinding(rel)
    return rel


@operator(A.Render)
def render(c, rel: Rel, op: A.Render, scope) -> Rel:
    return rel


@operator(A.GetSchema)
def getschema(c, rel: Rel, op: A.GetSchema, scope) -> Rel:
    net = {"string": "System.String", "long": "System.Int64", "int": "System.Int32", "real": "System.Double",
           "decimal": "System.Data.SqlTypes.SqlDecimal", "bool": "System.SByte", "datetime": "System.DateTime",
           "timespan": "System.TimeSpan", "dynamic": "System.Object", "guid": "System.Guid"}
    rows = []
    for i, (n, t) in enumerate(rel.columns.items()):
        rows.append(f"({c.d.string(n)}, {i}, {c.d.string(net[t])}, {c.d.string(t)})")
    if not rows:
        sql = "SELECT '' AS ColumnName, 0 AS ColumnOrdinal, '' AS DataType, '' AS ColumnType WHERE FALSE"
    else:
        sql = ("SELECT * FROM (VALUES " + ", ".join(rows) +
               ") AS _s(ColumnName, ColumnOrdinal, DataType, ColumnType)")
    return Rel(f"SELECT ColumnName, CAST(ColumnOrdinal AS INTEGER) AS ColumnOrdinal, DataType, ColumnType FROM ({sql}) AS _g",
               {"ColumnName": "string", "ColumnOrdinal": "int", "DataType": "string", "ColumnType": "string"},
               ordered=True)

