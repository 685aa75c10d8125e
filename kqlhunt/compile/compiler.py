"""Statements, scopes and tabular sources: turns a parsed `Body` into one SQL statement.

A tabular value is a `Rel` (SQL text of a SELECT or table plus the ordered KQL schema). Each tabular operator
takes a `Rel` and returns a new one (see `operators/`); `let` statements become scope bindings, tabular lets
become CTEs, user functions are expanded at their call sites (as Kusto does).
"""
from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field, replace

from ..errors import KqlError, position
from ..kql import ast as A
from ..kql.parser import parse
from .dialect import DuckDB, Dialect
from .types import E


@dataclass
class Rel:
    """A tabular value: `sql` is a SELECT statement or a quoted table/CTE name producing exactly `columns`."""
    sql: str
    columns: dict[str, str]
    is_table: bool = False          # sql is a bare name (table or CTE), not a SELECT
    ordered: bool = False           # serialized (row order is meaningful)
    notnull: frozenset = frozenset()
    defs: dict = field(default_factory=dict)   # column -> split(...) provenance (see E.split), for cheap rewrites
    order_by: str | None = None                # serialized by these SQL sort keys (sort, top, range)
    order_cols: frozenset = frozenset()        # the columns order_by reads

    def names(self) -> list[str]:
        return list(self.columns)

    def row(self) -> "Row":
        """The columns as seen by expressions, with what is known about how some were computed."""
        r = Row(self.columns)
        r.defs = self.defs
        r.ordered = self.ordered
        r.order_by = self.order_by
        return r


class Row(dict):
    """Column name -> KQL type, plus `defs` (column -> split provenance) for columns computed earlier."""
    defs: dict = {}
    ordered: bool = False
    order_by: str | None = None


@dataclass
class ScalarBinding:
    value: E


@dataclass
class TableBinding:
    rel: Rel


@dataclass
class FunctionBinding:
    name: str
    func: A.FunctionDef
    scope: "Scope"
    source: str                     # the text the function was parsed from (for error positions)


class Scope:
    def __init__(self, parent: "Scope | None" = None):
        self.parent = parent
        self.vars: dict[str, object] = {}

    def lookup(self, name: str):
        s = self
        while s is not None:
            if name in s.vars:
                return s.vars[name]
            s = s.parent
        return None


class Catalog:
    """What exists outside the query: tables (name -> {column: kql type}) and stored KQL functions."""

    def table(self, name: str) -> dict[str, str] | None:
        return None

    def table_sql(self, name: str, columns: dict[str, str]) -> str:
        return '"' + name.replace('"', '""') + '"'

    def function(self, name: str) -> tuple[A.FunctionDef, str] | None:
        return None

    def table_names(self) -> list[str]:
        return []


@dataclass
class Compiled:
    sql: str
    columns: list[str]
    types: list[str]
    ordered: bool


@dataclass
class CTE:
    name: str
    sql: str
    materialized: bool = False


class Compiler:
    """One compilation of one query. Not reusable across queries (it accumulates CTEs)."""

    def __init__(self, catalog: Catalog | None = None, now: dt.datetime | None = None, dialect: Dialect | None = None):
        from .expr import ExprCompiler
        from . import operators  # noqa: F401  (registers the operator table)
        self.catalog = catalog or Catalog()
        self.now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        self.d = dialect or DuckDB()
        self.ctes: list[CTE] = []
        self._alias = itertools.count(1)
        self.expr = ExprCompiler(self)
        self.source = ""
        self.sources: list[str] = []      # stack of texts being compiled (stored functions have their own)
        self.depth = 0

    # ------------------------------------------------------------------------------------------ errors
    def error(self, message: str, node: A.Node | None = None, kind: str = "semantic") -> KqlError:
        src = self.sources[-1] if self.sources else self.source
        if node is None:
            return KqlError(message, kind=kind)
        line, col = position(src, node.pos)
        return KqlError(message, line, col, src, kind=kind)

    def unsupported(self, what: str, node: A.Node | None = None) -> KqlError:
        return self.error(f"unsupported: {what}", node, kind="unsupported")

    def alias(self) -> str:
        return f"_t{next(self._alias)}"

    # ------------------------------------------------------------------------------------------ entry
    def compile_text(self, text: str) -> Compiled:
        self.source = text
        self.sources = [text]
        body = parse(text)
        if body.result is None:
            raise KqlError("the query has no tabular expression to run (only let statements)", kind="syntax")
        scope = Scope()
        result = self.body(body, scope)
        rel = self.as_rel(result, body.result)
        return self.finish(rel)

    def finish(self, rel: Rel) -> Compiled:
        d = self.d
        items = []
        for name, typ in rel.columns.items():
            q = d.ident(name)
            if typ == "string" and name not in rel.notnull:
                items.append(f"coalesce({q}, '') AS {q}")
            else:
                items.append(q)
        sql = f"SELECT {', '.join(items) or '*'} FROM {self.from_(rel)}"
        if rel.order_by:
            sql += f" ORDER BY {rel.order_by}"      # serialized output comes back in its order
        if self.ctes:
            parts = []
            for c in self.ctes:
                mat = " MATERIALIZED" if c.materialized else ""
                parts.append(f"{d.ident(c.name)} AS{mat} ({c.sql})")
            sql = "WITH " + ",\n".join(parts) + "\n" + sql
        return Compiled(sql, list(rel.columns), list(rel.columns.values()), rel.ordered)

    def from_(self, rel: Rel) -> str:
        if rel.is_table:
            return f"{rel.sql} AS {self.alias()}"
        return f"({rel.sql}) AS {self.alias()}"

    # ------------------------------------------------------------------------------------------ statements
    def body(self, body: A.Body, scope: Scope):
        for let in body.lets:
            self.let(let, scope)
        if body.result is None:
            raise self.error("expected an expression after the let statements", body)
        return self.value(body.result, scope)

    def let(self, let: A.Let, scope: Scope) -> None:
        if isinstance(let.value, A.FunctionDef):
            scope.vars[let.name] = FunctionBinding(let.name, let.value, scope, self.sources[-1])
            return
        value = self.value(let.value, scope, let_name=let.name)
        if isinstance(value, Rel):
            scope.vars[let.name] = TableBinding(value)
        else:
            scope.vars[let.name] = ScalarBinding(value)

    def value(self, node: A.Node, scope: Scope, let_name: str | None = None):
        """Compile a node that may be tabular or scalar (let values, function bodies, query results)."""
        if self.is_tabular(node, scope):
            rel = self.tabular(node, scope)
            if let_name is not None and not rel.is_table:
                materialized = isinstance(node, A.Call) and node.name == "materialize"
                name = f"{let_name}_{len(self.ctes) + 1}"
                self.ctes.append(CTE(name, rel.sql, materialized))
                return Rel(self.d.ident(name), rel.columns, True, rel.ordered, rel.notnull)
            return rel
        return self.expr.compile(node, {}, scope)

    def is_tabular(self, node: A.Node, scope: Scope) -> bool:
        if isinstance(node, (A.Pipe, A.Datatable, A.Print, A.Range, A.Union, A.Search)):
            return True
        if isinstance(node, A.Name):
            b = scope.lookup(node.name)
            if isinstance(b, TableBinding):
                return True
            if isinstance(b, FunctionBinding):
                return self.function_is_tabular(b.func, b.scope)
            if b is None:
                if self.catalog.table(node.name) is not None:
                    return True
                f = self.catalog.function(node.name)
                return f is not None
            return False
        if isinstance(node, A.Call):
            if node.name in ("materialize", "view", "_GetWatchlist", "table", "externaldata"):
                return True
            b = scope.lookup(node.name)
            if isinstance(b, FunctionBinding):
                return self.function_is_tabular(b.func, b.scope)
            if b is None and self.catalog.function(node.name) is not None:
                f, _ = self.catalog.function(node.name)
                return self.function_is_tabular(f, Scope())
        return False

    def function_is_tabular(self, func: A.FunctionDef, scope: Scope) -> bool:
        inner = Scope(scope)
        for p in func.params:
            inner.vars[p.name] = TableBinding(Rel("", {}, True)) if p.type == "table" else ScalarBinding(E("NULL", p.type or "dynamic"))
        for let in func.body.lets:
            if isinstance(let.value, A.FunctionDef):
                inner.vars[let.name] = FunctionBinding(let.name, let.value, inner, "")
            elif self.is_tabular(let.value, inner):
                inner.vars[let.name] = TableBinding(Rel("", {}, True))
            else:
                inner.vars[let.name] = ScalarBinding(E("NULL", "dynamic"))
        return self.is_tabular(func.body.result, inner)

    def as_rel(self, value, node: A.Node) -> Rel:
        if isinstance(value, Rel):
            return value
        # a scalar query result (e.g. `toscalar(...)` or `1+1` at top level) prints as one row
        return Rel(f"SELECT {value.sql} AS {self.d.ident('print_0')}", {"print_0": value.type})

    # ------------------------------------------------------------------------------------------ tabular
    def tabular(self, node: A.Node, scope: Scope) -> Rel:
        from .operators import OPERATORS, SOURCES
        if isinstance(node, A.Pipe):
            rel = self.tabular(node.source, scope)
            ops = list(node.ops)
            i = 0
            while i < len(ops):
                op = ops[i]
                i += 1
                if isinstance(op, A.Join) and op.kind == "innerunique":
                    # join-innerunique.md: a where right after the join that reads only left columns is applied
                    # to the left side before its rows are deduplicated (this changes which rows survive)
                    from .operators.naming import names_in
                    while i < len(ops) and isinstance(ops[i], A.Where) and names_in(ops[i].predicate) <= set(rel.columns):
                        rel = OPERATORS[A.Where](self, rel, ops[i], scope)
                        i += 1
                handler = OPERATORS.get(type(op))
                if handler is None:
                    raise self.unsupported(f"{type(op).__name__.lower()} operator", op)
                prev = rel
                rel = handler(self, rel, op, scope)
                if prev.order_by and rel.order_by is None and rel.ordered and keeps_order(op, prev, rel):
                    rel = replace(rel, order_by=prev.order_by, order_cols=prev.order_cols)
            return rel
        handler = SOURCES.get(type(node))
        if handler is not None:
            return handler(self, node, scope)
        if isinstance(node, A.Name):
            return self.named_table(node, scope)
        if isinstance(node, A.Call):
            return self.call_tabular(node, scope)
        raise self.error("expected a table (tabular expression) here", node)

    def named_table(self, node: A.Name, scope: Scope) -> Rel:
        b = scope.lookup(node.name)
        if isinstance(b, TableBinding):
            return b.rel
        if isinstance(b, FunctionBinding):
            return self.call_function(b, A.Call(node.pos, node.name, []), scope)
        if isinstance(b, ScalarBinding):
            raise self.error(f"'{node.name}' is a scalar value, not a table", node)
        cols = self.catalog.table(node.name)
        if cols is not None:
            return Rel(self.catalog.table_sql(node.name, cols), dict(cols), True)
        stored = self.catalog.function(node.name)
        if stored is not None:
            func, src = stored
            return self.call_function(FunctionBinding(node.name, func, Scope(), src), A.Call(node.pos, node.name, []), scope)
        raise self.error(f"unknown table or function '{node.name}'", node, kind="missing_table")

    def call_tabular(self, node: A.Call, scope: Scope) -> Rel:
        if node.name in ("materialize", "view") and len(node.args) == 1:
            return self.tabular(node.args[0], scope)
        if node.name == "table" and len(node.args) == 1 and isinstance(node.args[0], A.Literal):
            return self.named_table(A.Name(node.pos, str(node.args[0].value)), scope)
        b = scope.lookup(node.name)
        if isinstance(b, FunctionBinding):
            result = self.call_function(b, node, scope)
        else:
            stored = self.catalog.function(node.name)
            if stored is None:
                if node.name == "_GetWatchlist":
                    raise self.error("watchlists are not available locally: _GetWatchlist", node, kind="missing_table")
                raise self.error(f"unknown table or function '{node.name}'", node, kind="missing_table")
            func, src = stored
            result = self.call_function(FunctionBinding(node.name, func, Scope(), src), node, scope)
        if not isinstance(result, Rel):
            raise self.error(f"function '{node.name}' returns a scalar, not a table", node)
        return result

    # ------------------------------------------------------------------------------------------ functions
    def call_function(self, b: FunctionBinding, call: A.Call, scope: Scope, row: dict[str, str] | None = None,
                      input_rel: Rel | None = None):
        """Expand a user-defined or stored function at its call site; returns a Rel or an E."""
        func = b.func
        if self.depth > 40:
            raise self.error(f"function '{b.name}' calls itself too deeply (recursion is not allowed in KQL)", call)
        inner = Scope(b.scope)
        params = list(func.params)
        positional = [a for a in call.args if not isinstance(a, A.NamedArg)]
        named = {a.name: a.value for a in call.args if isinstance(a, A.NamedArg)}
        if input_rel is not None:
            if not params or params[0].type != "table":
                raise self.error(f"invoke: function '{b.name}' has no tabular first parameter", call)
            inner.vars[params[0].name] = TableBinding(input_rel)
            params = params[1:]
        if len(positional) > len(params):
            raise self.error(f"function '{b.name}' takes {len(params)} arguments but got {len(positional)}", call)
        # named arguments bind by name; positional ones fill the remaining parameters in order
        queue = list(positional)
        for i, p in enumerate(params):
            arg = named.pop(p.name) if p.name in named else (queue.pop(0) if queue else None)
            if arg is None:
                if p.default is None:
                    raise self.error(f"function '{b.name}': missing argument '{p.name}'", call)
                self.sources.append(b.source)
                try:
                    value = self.expr.compile(p.default, {}, b.scope)
                finally:
                    self.sources.pop()
                inner.vars[p.name] = ScalarBinding(self.coerce_param(value, p.type))
            elif p.type == "table":
                inner.vars[p.name] = TableBinding(self.tabular(arg, scope))
            elif self.is_tabular(arg, scope) and p.type is None:
                inner.vars[p.name] = TableBinding(self.tabular(arg, scope))
            else:
                inner.vars[p.name] = ScalarBinding(self.coerce_param(self.expr.compile(arg, row or {}, scope), p.type))
        if named:
            raise self.error(f"function '{b.name}' has no parameter named '{next(iter(named))}'", call)
        self.depth += 1
        self.sources.append(b.source)
        try:
            return self.body(func.body, inner)
        finally:
            self.sources.pop()
            self.depth -= 1

    def coerce_param(self, value: E, typ: str | None) -> E:
        if typ is None or typ == "table" or value.type == typ:
            return value
        from .functions.conversion import convert
        return convert(self, value, typ)

    # ------------------------------------------------------------------------------------------ helpers for operators
    def select(self, rel: Rel, items: list[tuple[str, str]], where: str | None = None, extra: str = "") -> str:
        """SELECT <sql AS name...> FROM rel [WHERE ...] [extra]."""
        cols = ", ".join(self._star_prefix(rel, items))
        text = f"SELECT {cols or '*'} FROM {self.from_(rel)}"
        if where:
            text += f" WHERE {where}"
        if extra:
            text += " " + extra
        return text

    def _star_prefix(self, rel: Rel, items: list[tuple[str, str]]) -> list[str]:
        """Select-list entries, writing a leading run of unchanged input columns as `*` / `* EXCLUDE (...)` where
        the dialect can: wide tables (ASIM's 150 columns) would otherwise repeat every name at every operator,
        and DuckDB's planning time grows with the SQL text."""
        d = self.d
        n = 0
        inputs = list(rel.columns)
        pos = -1
        for name, sql in items:
            if name in rel.columns and sql == d.ident(name) and inputs.index(name) > pos:
                pos = inputs.index(name)
                n += 1
            else:
                break
        kept = [name for name, _ in items[:n]]
        rest = [f"{sql} AS {d.ident(name)}" if sql != d.ident(name) else sql for name, sql in items[n:]]
        if n and len(kept) * 2 >= len(inputs):
            star = d.star_except([c for c in inputs if c not in set(kept) or c in {m for m, _ in items[n:]}])
            if star is not None:
                return [star] + rest
        return [d.ident(name) for name in kept] + rest

    def passthrough(self, rel: Rel) -> list[tuple[str, str]]:
        return [(n, self.d.ident(n)) for n in rel.columns]


def keeps_order(op: A.Node, before: Rel, after: Rel) -> bool:
    """Do the sort keys of `before` still mean the same in `after` (same columns, same values)?"""
    cols = before.order_cols
    if not cols or any(after.columns.get(c) != before.columns.get(c) for c in cols):
        return False
    if isinstance(op, (A.Where, A.Take, A.Serialize, A.ProjectAway, A.ProjectKeep, A.ProjectReorder, A.As,
                       A.Render, A.Parse, A.ParseKv)):
        return True
    if isinstance(op, A.Extend):
        return not any(n in cols for item in op.items for n in item.names)
    if isinstance(op, A.ProjectRename):
        return not any(old in cols or new in cols for new, old in op.pairs)
    if isinstance(op, A.Project):
        same = {i.expr.name for i in op.items if isinstance(i.expr, A.Name) and (not i.names or i.names == [i.expr.name])}
        return cols <= same
    return False


