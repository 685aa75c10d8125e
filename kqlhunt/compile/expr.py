"""Scalar expressions: names, literals, member access, operators, calls -> typed SQL (`E`).

Binary operators are looked up in tables (`ARITH`, `COMPARE`, string predicates in `strops`); functions in
`functions.SCALARS` / `functions.AGGREGATES`. Null rules follow query/scalar-data-types/null-values.md.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..kql import ast as A
from . import strops
from .types import NUMERIC, E

if TYPE_CHECKING:
    from .compiler import Compiler, Scope


@dataclass
class Ctx:
    """Where an expression is compiled: the row's columns, the let scope, and whether aggregates are allowed."""
    row: dict[str, str]
    scope: "Scope"
    agg: bool = False
    sides: dict[str, dict[str, str]] | None = None      # join conditions: {'$left': cols, '$right': cols}
    side_alias: dict[str, str] | None = None
    pred: bool = False      # a where-predicate position: NULL and false are the same there (keeps SQL plain)


class Args:
    """A function call's arguments, compiled on demand (some functions need them raw)."""

    def __init__(self, ec: "ExprCompiler", call: A.Call, ctx: Ctx):
        self.ec, self.call, self.ctx = ec, call, ctx
        self.c = ec.c
        self.d = ec.c.d
        self.nodes = call.args
        self._cache: dict[int, E] = {}

    def __len__(self) -> int:
        return len(self.nodes)

    def __getitem__(self, i: int) -> E:
        if i not in self._cache:
            self._cache[i] = self.ec.compile_in(self.nodes[i], self.ctx)
        return self._cache[i]

    def all(self) -> list[E]:
        return [self[i] for i in range(len(self.nodes))]

    def check(self, lo: int, hi: int | None = None) -> None:
        hi = lo if hi is None else hi
        n = len(self.nodes)
        if n < lo or (hi >= 0 and n > hi):
            want = str(lo) if lo == hi else (f"{lo} to {hi}" if hi >= 0 else f"at least {lo}")
            raise self.error(f"{self.call.name}(): expected {want} arguments but got {n}")

    def error(self, message: str, kind: str = "semantic"):
        return self.c.error(message, self.call, kind=kind)

    def unsupported(self, what: str):
        return self.c.unsupported(what, self.call)

    def const(self, i: int, what: str = "a constant"):
        e = self[i]
        if not e.is_const:
            raise self.error(f"{self.call.name}(): argument {i + 1} must be {what}")
        return e.const

    def string(self, i: int) -> str:
        """The SQL of argument i as a string, never NULL."""
        return self.ec.nn(self[i])


class ExprCompiler:
    def __init__(self, compiler: "Compiler"):
        self.c = compiler
        self.d = compiler.d

    # ------------------------------------------------------------------------------------------ entry points
    def compile(self, node: A.Node, row: dict[str, str], scope: "Scope", agg: bool = False) -> E:
        return self.compile_in(node, Ctx(row, scope, agg))

    def predicate(self, node: A.Node, row: dict[str, str], scope: "Scope") -> E:
        """A where-clause predicate: a null result filters the row like false does."""
        return self.compile_in(node, Ctx(row, scope, pred=True))

    def compile_in(self, node: A.Node, ctx: Ctx) -> E:
        if ctx.pred and not isinstance(node, A.Binary):
            ctx = replace(ctx, pred=False)
        method = getattr(self, "x_" + type(node).__name__, None)
        if method is None:
            if isinstance(node, (A.Pipe, A.Datatable, A.Print, A.Range, A.Union)):
                raise self.c.error("a tabular expression cannot be used as a scalar here (use toscalar())", node)
            raise self.c.unsupported(f"expression {type(node).__name__}", node)
        return method(node, ctx)

    # ------------------------------------------------------------------------------------------ helpers
    def nn(self, e: E) -> str:
        """SQL of a string expression with NULL read as '' (Kusto strings are never null)."""
        if e.type == "dynamic":
            return f"coalesce({self.dyn_to_string(e)}, '')"
        if e.type != "string":
            from .functions.conversion import to_string
            return f"coalesce({to_string(self.c, e).sql}, '')"
        return e.sql if e.notnull else f"coalesce({e.sql}, '')"

    def as_string(self, e: E) -> E:
        if e.type == "string":
            return e
        from .functions.conversion import to_string
        return to_string(self.c, e)

    def dyn_to_string(self, e: E) -> str:
        if e.rep == "list":
            return f"array_to_string({e.sql}, ',')"  # only used on scalars taken from lists; lists stay JSON otherwise
        return f"json_extract_string({e.sql}, '$')"

    def to_json(self, e: E) -> E:
        """A dynamic E in JSON representation."""
        if e.type != "dynamic":
            from .functions.dynamic import to_dynamic
            return to_dynamic(self.c, e)
        if e.rep == "list":
            return E(self.d.list_to_json(e.sql), "dynamic", e.notnull)
        if e.rep == "item":
            return E(f"to_json({e.sql})", "dynamic", e.notnull)
        return e

    def const(self, value, typ: str) -> E:
        return E(self.d.literal(value, typ), typ, value is not None, None, value, True)

    # ------------------------------------------------------------------------------------------ leaves
    def x_Literal(self, node: A.Literal, ctx: Ctx) -> E:
        return self.const(node.value, node.type)

    def x_Name(self, node: A.Name, ctx: Ctx) -> E:
        from .compiler import FunctionBinding, ScalarBinding, TableBinding
        if node.name in ctx.row:
            e = E(self.d.ident(node.name), ctx.row[node.name])
            defs = getattr(ctx.row, "defs", None)
            if defs and node.name in defs:
                e.split = defs[node.name]
            return e
        b = ctx.scope.lookup(node.name)
        if isinstance(b, ScalarBinding):
            return b.value
        if isinstance(b, FunctionBinding):
            return self.user_call(b, A.Call(node.pos, node.name, []), ctx)
        if isinstance(b, TableBinding):
            raise self.c.error(f"'{node.name}' is a table; a scalar is expected here (use toscalar())", node)
        if node.name in ("$left", "$right"):
            raise self.c.error(f"{node.name} can only be used in join conditions", node)
        raise self.c.error(f"Failed to resolve scalar expression named '{node.name}'", node)

    def x_TypeOf(self, node: A.TypeOf, ctx: Ctx) -> E:
        raise self.c.error("typeof() is only valid as a type argument", node)

    def x_Star(self, node: A.Star, ctx: Ctx) -> E:
        raise self.c.error("'*' is not valid here", node)

    def x_NamedArg(self, node: A.NamedArg, ctx: Ctx) -> E:
        raise self.c.error(f"named argument '{node.name}=' is only valid in user function calls", node)

    def x_Unary(self, node: A.Unary, ctx: Ctx) -> E:
        e = self.compile_in(node.operand, ctx)
        if node.op == "+":
            return e
        if e.type not in NUMERIC + ("timespan",):
            raise self.c.error(f"unary minus needs a number or timespan, not {e.type}", node)
        if e.is_const and e.const is not None:
            return self.const(-e.const, e.type)
        return E(f"(-{e.sql})", e.type, e.notnull, agg=e.agg)

    # ------------------------------------------------------------------------------------------ dynamic access
    def x_Member(self, node: A.Member, ctx: Ctx) -> E:
        if isinstance(node.expr, A.Name) and node.expr.name in ("$left", "$right"):
            if ctx.sides is None:
                raise self.c.error(f"{node.expr.name}.{node.name} can only be used in join conditions", node)
            cols = ctx.sides[node.expr.name]
            if node.name not in cols:
                raise self.c.error(f"{node.expr.name} has no column '{node.name}'", node)
            return E(f"{ctx.side_alias[node.expr.name]}.{self.d.ident(node.name)}", cols[node.name])
        return self.access(node, ctx)

    def x_Index(self, node: A.Index, ctx: Ctx) -> E:
        return self.access(node, ctx)

    def access(self, node: A.Node, ctx: Ctx) -> E:
        """a.b[0]["c"]: one JSON path when every step is constant."""
        steps = []
        base = node
        while isinstance(base, (A.Member, A.Index)):
            steps.append(base)
            base = base.expr
        steps.reverse()
        e = self.compile_in(base, ctx)
        split = self.split_source(base, ctx)
        if split and len(steps) == 1 and isinstance(steps[0], A.Index) and isinstance(steps[0].index, A.Literal) \
                and steps[0].index.type == "long":
            # split(x, 'd')[i]: keep where it came from, so tostring() can use split_part() and comparisons a
            # suffix/prefix test (no list is built per row)
            out = self.step(e, steps[0], ctx)
            out.split = split + (steps[0].index.value,)
            return out
        for step in steps:
            e = self.step(e, step, ctx)
        return e

    def split_source(self, node: A.Node, ctx: Ctx) -> tuple | None:
        """(source SQL never null, delimiter, source column or None) for split(<column>, '<constant>')."""
        if not (isinstance(node, A.Call) and node.name == "split" and len(node.args) == 2):
            return None
        delim = node.args[1]
        if not (isinstance(delim, A.Literal) and delim.type == "string" and delim.value):
            return None
        src = self.compile_in(node.args[0], ctx)
        if src.type != "string":
            return None
        column = node.args[0].name if isinstance(node.args[0], A.Name) and node.args[0].name in ctx.row else None
        return (self.nn(src), delim.value, column)

    def step(self, e: E, step: A.Node, ctx: Ctx) -> E:
        d = self.d
        if isinstance(step, A.Member):
            key: object = step.name
            key_e = None
        else:
            key_e = self.compile_in(step.index, ctx)
            key = key_e.const if key_e.is_const else None
        if e.type not in ("dynamic",):
            if e.type == "string":
                e = E(f"try_cast({e.sql} AS JSON)", "dynamic")   # Kusto parses JSON held in strings on access
            else:
                raise self.c.error(f"cannot index into a value of type {e.type}", step)
        if e.rep == "list":
            if isinstance(key, int) and not isinstance(key, bool):
                idx = key + 1 if key >= 0 else key
                return E(f"list_extract({e.sql}, {idx})", "dynamic", rep="item")
            e = self.to_json(e)
        if e.rep == "item":
            e = E(f"to_json({e.sql})", "dynamic")
        if isinstance(key, int) and not isinstance(key, bool):
            path = f"$[{key}]" if key >= 0 else f"$[#{key}]"
            return E(f"json_extract({e.sql}, {d.string(path)})", "dynamic")
        if isinstance(key, str):
            path = "$." + '"' + key.replace('\\', '\\\\').replace('"', '\\"') + '"'
            return E(f"json_extract({e.sql}, {d.string(path)})", "dynamic")
        if key_e is not None and key_e.type in ("long", "int"):
            k = key_e.sql
            return E(f"json_extract({e.sql}, CASE WHEN {k} >= 0 THEN '$[' || {k} || ']' ELSE '$[#' || {k} || ']' END)",
                     "dynamic")
        if key_e is not None and key_e.type == "string":
            return E(f"json_extract({e.sql}, '$.\"' || replace({key_e.sql}, '\"', '\\\"') || '\"')", "dynamic")
        if key_e is not None and key_e.type == "dynamic":
            k = key_e.sql
            return E(f"CASE WHEN json_type({k}) IN ('BIGINT','UBIGINT') THEN json_extract({e.sql}, '$[' || CAST({k} AS VARCHAR) || ']')"
                     f" ELSE json_extract({e.sql}, '$.\"' || json_extract_string({k}, '$') || '\"') END", "dynamic")
        raise self.c.error("an index must be a number or a string", step)

    # ------------------------------------------------------------------------------------------ operators
    def x_Binary(self, node: A.Binary, ctx: Ctx) -> E:
        op = node.op
        if op in ("and", "or"):
            left, right = self.compile_in(node.left, ctx), self.compile_in(node.right, ctx)
            for side, n in ((left, node.left), (right, node.right)):
                if side.type not in ("bool", "dynamic"):
                    raise self.c.error(f"'{op}' needs boolean operands, not {side.type}", n)
            ls, rs = self.as_bool(left), self.as_bool(right)
            return E(f"({ls} {op.upper()} {rs})", "bool", agg=left.agg or right.agg)
        pred = ctx.pred
        if pred:
            ctx = replace(ctx, pred=False)
        left = self.compile_in(node.left, ctx)
        right = self.compile_in(node.right, ctx)
        agg = left.agg or right.agg
        if op in ARITH_OPS:
            out = arith(self, op, left, right, node)
        elif op in ("==", "!=", "<", "<=", ">", ">="):
            out = compare(self, op, left, right, node, pred)
        elif op in ("=~", "!~"):
            sql = strops.eq_ci(self, left, right)
            out = E(sql if op == "=~" else f"(NOT {sql})", "bool", True)
        elif op.lstrip("!") in strops.PREDICATES or op == "matches regex":
            out = strops.predicate(self, op, left, right, node)
        else:
            raise self.c.unsupported(f"operator '{op}'", node)
        out.agg = agg
        return out

    def as_bool(self, e: E) -> str:
        if e.type == "dynamic":
            return f"TRY_CAST(json_extract_string({e.sql}, '$') AS BOOLEAN)"
        return e.sql

    def x_Between(self, node: A.Between, ctx: Ctx) -> E:
        x = self.compile_in(node.expr, ctx)
        lo = self.compile_in(node.low, ctx)
        hi = self.compile_in(node.high, ctx)
        if x.type == "datetime" and lo.type == "datetime" and hi.type == "timespan":
            hi = arith(self, "+", lo, hi, node)
        ge = compare(self, ">=", x, lo, node)
        le = compare(self, "<=", x, hi, node)
        sql = f"({ge.sql} AND {le.sql})"
        return E(f"(NOT {sql})" if node.negated else sql, "bool")

    def x_InList(self, node: A.InList, ctx: Ctx) -> E:
        return strops.in_list(self, node, ctx)

    def x_Pipe(self, node: A.Pipe, ctx: Ctx) -> E:
        raise self.c.error("a tabular expression cannot be used as a scalar here (use toscalar())", node)

    # ------------------------------------------------------------------------------------------ calls
    def x_Call(self, node: A.Call, ctx: Ctx) -> E:
        from .compiler import FunctionBinding
        from .functions import AGGREGATES, SCALARS
        b = ctx.scope.lookup(node.name)
        if isinstance(b, FunctionBinding):
            return self.user_call(b, node, ctx)
        fn = SCALARS.get(node.name)
        if fn is not None:
            args = Args(self, node, ctx)
            out = fn(args)
            if not out.agg and any(e.agg for e in args._cache.values()):
                out.agg = True      # summarize r = tohex(binary_all_and(x)): an aggregate inside a scalar call
            return out
        agg = AGGREGATES.get(node.name)
        if agg is not None:
            if not ctx.agg:
                raise self.c.error(f"aggregate function {node.name}() is only valid in summarize (or make-series)", node)
            inner = Ctx(ctx.row, ctx.scope, False, ctx.sides, ctx.side_alias)
            out = agg(Args(self, node, inner))
            out.agg = True
            return out
        stored = self.c.catalog.function(node.name)
        if stored is not None:
            func, src = stored
            from .compiler import Scope
            return self.user_call(FunctionBinding(node.name, func, Scope(), src), node, ctx)
        raise self.c.unsupported(f"function {node.name}()", node)

    def user_call(self, b, node: A.Call, ctx: Ctx) -> E:
        result = self.c.call_function(b, node, ctx.scope, row=ctx.row)
        if not isinstance(result, E):
            raise self.c.error(f"function '{b.name}' returns a table; a scalar is expected here", node)
        return result


ARITH_OPS = ("+", "-", "*", "/", "%")


def _num_result(lt: str, rt: str) -> str:
    if "real" in (lt, rt) or "decimal" in (lt, rt):
        return "real"
    if "long" in (lt, rt):
        return "long"
    return "int"


def arith(ec: ExprCompiler, op: str, l: E, r: E, node: A.Node) -> E:
    """+ - * / % over numbers, datetimes and timespans (query/numerical-operators.md, datetime-timespan-arithmetic.md)."""
    d = ec.d
    lt, rt = l.type, r.type
    if lt == "dynamic" or rt == "dynamic":
        from .functions.conversion import dynamic_number
        l = dynamic_number(ec.c, l) if lt == "dynamic" else l
        r = dynamic_number(ec.c, r) if rt == "dynamic" else r
        lt, rt = l.type, r.type
    if lt == "bool":
        l, lt = E(f"CAST({l.sql} AS INTEGER)", "int"), "int"
    if rt == "bool":
        r, rt = E(f"CAST({r.sql} AS INTEGER)", "int"), "int"
    if lt in NUMERIC and rt in NUMERIC:
        t = _num_result(lt, rt)
        if op == "/" and t in ("int", "long"):
            return E(f"({l.sql} // NULLIF({r.sql}, 0))", t)
        if op == "/":
            return E(f"(CAST({l.sql} AS DOUBLE) / {r.sql})", "real")
        if op == "%":
            if t == "real":
                return E(f"fmod({l.sql}, {r.sql})", t)
            return E(f"((({l.sql} % NULLIF({r.sql}, 0)) + abs({r.sql})) % abs({r.sql}))", t)
        return E(f"({l.sql} {op} {r.sql})", t)
    if lt == "datetime" and rt == "datetime" and op == "-":
        return E(f"({d.epoch_us(l.sql)} - {d.epoch_us(r.sql)})", "timespan")
    if lt == "datetime" and rt == "timespan" and op in "+-":
        return E(d.add_us(l.sql, r.sql if op == "+" else f"(-{r.sql})"), "datetime")
    if lt == "timespan" and rt == "datetime" and op == "+":
        return E(d.add_us(r.sql, l.sql), "datetime")
    if lt == "timespan" and rt == "timespan":
        if op in "+-":
            return E(f"({l.sql} {op} {r.sql})", "timespan")
        if op == "/":
            return E(f"(CAST({l.sql} AS DOUBLE) / {r.sql})", "real")
        if op == "%":
            return E(f"({l.sql} % {r.sql})", "timespan")
    if lt == "timespan" and rt in NUMERIC and op in "*/":
        return E(f"CAST(round(CAST({l.sql} AS DOUBLE) {op} {r.sql}) AS BIGINT)", "timespan")
    if lt in NUMERIC and rt == "timespan" and op == "*":
        return E(f"CAST(round({l.sql} * CAST({r.sql} AS DOUBLE)) AS BIGINT)", "timespan")
    raise ec.c.error(f"operator '{op}' cannot combine {lt} and {rt}", node)


_ORDER = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def compare(ec: ExprCompiler, op: str, l: E, r: E, node: A.Node, pred: bool = False) -> E:
    """== != < <= > >= with Kusto's null rules: strings never null; `null != x` is true for other types."""
    sop = _ORDER[op]
    lt, rt = l.type, r.type
    if lt == "dynamic" and rt != "dynamic":
        l, lt = _dyn_as(ec, l, rt), rt
    elif rt == "dynamic" and lt != "dynamic":
        r, rt = _dyn_as(ec, r, lt), lt
    if "string" in (lt, rt) or "guid" in (lt, rt):
        if lt not in ("string", "guid") or rt not in ("string", "guid"):
            raise ec.c.error(f"cannot compare {lt} with {rt} using '{op}'", node)
        if op in ("==", "!=") and (l.split or r.split):
            fast = split_equality(ec, l, r) if l.split else split_equality(ec, r, l)
            if fast is not None:
                if op == "==":
                    return E(fast if pred else f"coalesce({fast}, FALSE)", "bool", not pred)
                return E(f"(NOT coalesce({fast}, FALSE))", "bool", True)
        ls = l.sql if (l.notnull or (op == "==" and r.is_const and r.const not in ("", None))) else f"coalesce({l.sql}, '')"
        rs = r.sql if (r.notnull or (op == "==" and l.is_const and l.const not in ("", None))) else f"coalesce({r.sql}, '')"
        return E(f"({ls} {sop} {rs})", "bool", l.notnull and r.notnull)
    if lt == "bool" and rt in NUMERIC:
        l, lt = E(f"CAST({l.sql} AS INTEGER)", "int"), "int"
    if rt == "bool" and lt in NUMERIC:
        r, rt = E(f"CAST({r.sql} AS INTEGER)", "int"), "int"
    ok = (lt == rt) or (lt in NUMERIC and rt in NUMERIC)
    if not ok:
        raise ec.c.error(f"cannot compare {lt} with {rt} using '{op}'", node)
    if lt == "dynamic":
        return E(f"(CAST({l.sql} AS VARCHAR) {sop} CAST({r.sql} AS VARCHAR))", "bool")
    if op == "==":
        # null-values.md: `null == x` is false, `null == null` is null; in a where clause both just drop the row.
        if pred or (l.notnull and r.notnull):
            return E(f"({l.sql} = {r.sql})", "bool")
        if l.notnull or r.notnull:
            return E(f"coalesce({l.sql} = {r.sql}, FALSE)", "bool", True)
        return E(f"CASE WHEN {l.sql} IS NULL AND {r.sql} IS NULL THEN NULL ELSE coalesce({l.sql} = {r.sql}, FALSE) END", "bool")
    if op == "!=":
        # null-values.md: `null != x` is true, `null != null` is null.
        if l.is_const and l.const is None or r.is_const and r.const is None:
            other = r if l.is_const and l.const is None else l
            return E(f"CASE WHEN {other.sql} IS NULL THEN NULL ELSE TRUE END", "bool")
        if r.notnull or l.notnull:
            return E(f"({l.sql} IS DISTINCT FROM {r.sql})", "bool")
        return E(f"CASE WHEN {l.sql} IS NULL AND {r.sql} IS NULL THEN NULL ELSE {l.sql} IS DISTINCT FROM {r.sql} END", "bool")
    return E(f"({l.sql} {sop} {r.sql})", "bool")


def split_equality(ec: ExprCompiler, part: E, other: E) -> str | None:
    """split(x, d)[-1] == 'lit'  <=>  x == 'lit' or x ends with d + 'lit' (when 'lit' holds no d and is not empty);
    split(x, d)[0] == 'lit'  <=>  x == 'lit' or x starts with 'lit' + d. Avoids building a list per row."""
    if not other.is_const or not isinstance(other.const, str):
        return None
    src, delim, column, index = part.split
    lit = other.const
    if lit == "" or delim in lit or index not in (0, -1):
        return None
    d = ec.d
    if column is not None:
        src = d.ident(column)     # NULL (= "") never equals a non-empty literal, so no coalesce is needed
    if index == -1:
        return f"({src} = {d.string(lit)} OR {d.ends_with(src, d.string(delim + lit))})"
    return f"({src} = {d.string(lit)} OR {d.starts_with(src, d.string(lit + delim))})"


def _dyn_as(ec: ExprCompiler, e: E, typ: str) -> E:
    from .functions.conversion import convert
    return convert(ec.c, e, typ)

