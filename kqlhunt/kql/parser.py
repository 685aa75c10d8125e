"""Recursive-descent parser: tokens -> `ast.Body`.

Expressions use precedence climbing; tabular operators are parsed by one small method each, found through
`OPERATORS` (operator name -> method), so adding an operator is adding one entry. Errors are `KqlError`
with line:column and name what was expected.
"""
from __future__ import annotations

import datetime as dt

from ..errors import KqlError, position
from . import ast as A
from .lexer import EOF, IDENT, NUMBER, OP, RAW, STRING, TIMESPAN, Token, tokenize
from .literals import TYPE_NAMES, parse_datetime, parse_timespan

# Binary string/comparison operators written as words (query/datatypes-string-operators.md).
_WORD_OPS = {
    "contains", "contains_cs", "has", "has_cs", "hasprefix", "hasprefix_cs", "hassuffix", "hassuffix_cs",
    "startswith", "startswith_cs", "endswith", "endswith_cs", "like", "notlike", "likecs", "notlikecs",
    "notcontains", "notcontainscs", "containscs", "nothas", "nothascs",
}
_NEGATABLE = _WORD_OPS | {"in", "between", "has_any", "has_all"}
_LIST_OPS = {"in", "has_any", "has_all", "has_any_cs", "has_all_cs"}
_COMPARE = {"==", "!=", "<>", "<", "<=", ">", ">=", "=~", "!~"}

# Operators recognised but not implemented: parsed far enough to name them in an error.
_UNSUPPORTED_OPS = {"fork", "facet", "reduce", "scan", "partition", "find", "consume", "sample-distinct",
                    "make-graph", "graph-match", "graph-merge", "graph-to-table", "macro-expand", "externaldata"}


class Parser:
    def __init__(self, source: str):
        self.source = source
        self.toks: list[Token] = tokenize(source)
        self.i = 0

    # ------------------------------------------------------------------------------------------ token helpers
    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def advance(self) -> Token:
        t = self.toks[self.i]
        if self.i < len(self.toks) - 1:
            self.i += 1
        return t

    def error(self, message: str, tok: Token | None = None, kind: str = "syntax") -> KqlError:
        tok = tok or self.tok
        line, col = position(self.source, tok.start)
        err = KqlError(message, line, col, self.source)
        err.kind = kind
        return err

    def describe(self, tok: Token) -> str:
        if tok.kind == EOF:
            return "end of query"
        return repr(self.source[tok.start:tok.end])

    def is_op(self, *ops: str) -> bool:
        return self.tok.kind == OP and self.tok.value in ops

    def is_word(self, *words: str) -> bool:
        return self.tok.kind == IDENT and self.tok.value in words

    def expect_op(self, op: str, what: str = "") -> Token:
        if not self.is_op(op):
            raise self.error(f"expected '{op}'{what} but found {self.describe(self.tok)}")
        return self.advance()

    def expect_word(self, word: str) -> Token:
        if not self.is_word(word):
            raise self.error(f"expected '{word}' but found {self.describe(self.tok)}")
        return self.advance()

    def accept_op(self, op: str) -> bool:
        if self.is_op(op):
            self.advance()
            return True
        return False

    def accept_word(self, word: str) -> bool:
        if self.is_word(word):
            self.advance()
            return True
        return False

    def adjacent(self, k: int = 1) -> bool:
        """Is token i+k glued to token i+k-1 (no space between)?"""
        return self.peek(k).start == self.peek(k - 1).end

    def ident(self, what: str = "a name") -> str:
        t = self.tok
        if t.kind == IDENT:
            self.advance()
            return t.value
        if self.is_op("[") and self.peek().kind == STRING and self.peek(2).kind == OP and self.peek(2).value == "]":
            self.advance()
            name = self.advance().value
            self.advance()
            return name
        raise self.error(f"expected {what} but found {self.describe(t)}")

    def is_ident_start(self) -> bool:
        return self.tok.kind == IDENT or (self.is_op("[") and self.peek().kind == STRING)

    def dashed_name(self) -> str:
        """An identifier that may contain dashes with no spaces: project-away, mv-expand, hint.strategy."""
        name = self.ident()
        while (self.is_op("-", ".") and self.tok.start == self.toks[self.i - 1].end
               and self.peek().kind == IDENT and self.peek().start == self.tok.end):
            name += self.advance().value + self.advance().value
        return name

    # ------------------------------------------------------------------------------------------ statements
    def parse_body(self, end: str | None = None) -> A.Body:
        start = self.tok.start
        lets: list[A.Let] = []
        result = None
        while True:
            if end and self.is_op(end) or self.tok.kind == EOF:
                break
            if self.accept_op(";"):
                continue
            if self.is_word("let"):
                lets.append(self.parse_let())
            elif self.is_word("set") and self.peek().kind == IDENT:
                self.skip_set()
            elif self.is_word("declare"):
                raise self.error("unsupported: declare query_parameters statement", kind="unsupported")
            else:
                if result is not None:
                    raise self.error("unsupported: more than one query statement (only the last result would be shown)",
                                     kind="unsupported")
                result = self.parse_pipe()
                if not (self.is_op(";") or self.tok.kind == EOF or (end and self.is_op(end))):
                    raise self.error(f"expected '|' or ';' or end of query but found {self.describe(self.tok)}")
        return A.Body(start, lets, result)

    def skip_set(self) -> None:
        while not (self.is_op(";") or self.tok.kind == EOF):
            self.advance()

    def parse_let(self) -> A.Let:
        start = self.expect_word("let").start
        name = self.ident("a name after 'let'")
        self.expect_op("=", " after the let name")
        if self.is_word("view") and self.peek().kind == OP and self.peek().value == "(":
            self.advance()
        if self.is_op("(") and self.looks_like_function():
            value: A.Node = self.parse_function_def()
        else:
            value = self.parse_pipe()
        if not (self.is_op(";") or self.tok.kind == EOF or self.is_op("}")):
            raise self.error(f"expected ';' after the let statement but found {self.describe(self.tok)}")
        return A.Let(start, name, value)

    def looks_like_function(self) -> bool:
        # '(' ')' '{'   or   '(' name ':'
        p1, p2 = self.peek(1), self.peek(2)
        if p1.kind == OP and p1.value == ")":
            return p2.kind == OP and p2.value == "{"
        if p1.kind == IDENT and p2.kind == OP and p2.value == ":":
            return True
        return p1.kind == OP and p1.value == "[" and self.peek(4).kind == OP and self.peek(4).value == ":"

    def parse_function_def(self) -> A.FunctionDef:
        start = self.expect_op("(").start
        params: list[A.Param] = []
        while not self.is_op(")"):
            pstart = self.tok.start
            pname = self.ident("a parameter name")
            self.expect_op(":", " and a type after the parameter name")
            columns = None
            if self.is_op("("):
                self.advance()
                columns = []
                if self.accept_op("*"):
                    pass
                else:
                    while not self.is_op(")"):
                        cname = self.ident("a column name")
                        self.expect_op(":")
                        columns.append((cname, self.type_name()))
                        if not self.accept_op(","):
                            break
                self.expect_op(")")
                ptype = "table"
            else:
                ptype = self.type_name()
            default = None
            if self.accept_op("="):
                default = self.parse_expr()
            params.append(A.Param(pstart, pname, ptype, default, columns))
            if not self.accept_op(","):
                break
        self.expect_op(")", " to close the parameter list")
        self.expect_op("{", " to open the function body")
        body = self.parse_body(end="}")
        self.expect_op("}", " to close the function body")
        if body.result is None:
            raise self.error("a function body must end with an expression")
        return A.FunctionDef(start, params, body)

    def type_name(self) -> str:
        t = self.tok
        name = self.ident("a type name")
        if name.lower() not in TYPE_NAMES:
            raise self.error(f"unknown type '{name}'", t)
        return TYPE_NAMES[name.lower()]

    # ------------------------------------------------------------------------------------------ pipelines
    def parse_pipe(self) -> A.Node:
        start = self.tok.start
        source = self.parse_source()
        ops = []
        while self.is_op("|"):
            self.advance()
            ops.append(self.parse_operator())
        return A.Pipe(start, source, ops) if ops else source

    def parse_source(self) -> A.Node:
        t = self.tok
        if t.kind == IDENT:
            nxt = self.peek()
            w = t.value
            if w == "print":
                return self.op_print()
            if w == "datatable" and nxt.kind == OP and nxt.value == "(":
                return self.parse_datatable()
            if w == "range" and nxt.kind == IDENT:
                return self.parse_range()
            if w == "union" and not (nxt.kind == OP and nxt.value in ("=", "==", "|", ";", ")", ".")):
                self.advance()
                return self.union_body(t.start, source_form=True)
            if w == "search" and not (nxt.kind == OP and nxt.value in ("=", "==", "|", ";", ")", ".")):
                self.advance()
                return self.search_body(t.start)
            if w == "evaluate" and nxt.kind == IDENT:
                raise self.error("unsupported: evaluate as a query source", kind="unsupported")
            if w in _UNSUPPORTED_OPS and nxt.kind != OP:
                raise self.error(f"unsupported: {w}", kind="unsupported")
        return self.parse_expr()

    def parse_operator(self) -> A.Node:
        t = self.tok
        if t.kind != IDENT:
            raise self.error(f"expected a tabular operator after '|' but found {self.describe(t)}")
        name = self.dashed_name()
        method = OPERATORS.get(name)
        if method is None:
            if name in _UNSUPPORTED_OPS:
                raise self.error(f"unsupported: {name} operator", t, kind="unsupported")
            raise self.error(f"unknown tabular operator '{name}'", t)
        node = method(self, t.start)
        return node

    def hints(self) -> dict[str, str]:
        """kind=..., hint.x=..., with_itemindex=...: name=value pairs before an operator's body."""
        out = {}
        while self.tok.kind == IDENT and self.peek().kind == OP and (
                self.peek().value == "=" or (self.peek().value == "." and self.tok.value == "hint")):
            if self.tok.value not in ("kind", "hint", "withsource", "isfuzzy", "with_itemindex", "flags", "bagexpansion",
                                      "with_source", "decodeblocks"):
                break
            key = self.dashed_name()
            self.expect_op("=")
            vt = self.tok
            if vt.kind in (IDENT, STRING, NUMBER):
                value = self.advance().value
                while vt.kind == IDENT and self.is_op("-") and self.peek().kind == IDENT and self.adjacent():
                    value += self.advance().value + self.advance().value
            else:
                raise self.error(f"expected a value for {key}= but found {self.describe(vt)}")
            out[key] = str(value)
        return out

    # --- operator bodies ---------------------------------------------------------------------------------
    def op_where(self, start: int) -> A.Node:
        return A.Where(start, self.parse_expr())

    def op_extend(self, start: int) -> A.Node:
        return A.Extend(start, self.assign_list())

    def op_project(self, start: int) -> A.Node:
        return A.Project(start, self.assign_list())

    def op_project_away(self, start: int) -> A.Node:
        return A.ProjectAway(start, self.pattern_list())

    def op_project_keep(self, start: int) -> A.Node:
        return A.ProjectKeep(start, self.pattern_list())

    def op_project_rename(self, start: int) -> A.Node:
        pairs = []
        while True:
            new = self.ident("a new column name")
            self.expect_op("=")
            pairs.append((new, self.ident("a column name")))
            if not self.accept_op(","):
                return A.ProjectRename(start, pairs)

    def op_project_reorder(self, start: int) -> A.Node:
        items = []
        while True:
            pat = self.pattern()
            order = None
            if self.is_word("asc", "desc"):
                order = self.advance().value
            elif self.is_word("granny") and self.peek().kind == OP:
                order = self.dashed_name()
            items.append((pat, order))
            if not self.accept_op(","):
                return A.ProjectReorder(start, items)

    def op_summarize(self, start: int) -> A.Node:
        self.hints()
        aggs = [] if self.is_word("by") else self.assign_list()
        by = []
        if self.accept_word("by"):
            by = self.assign_list()
        return A.Summarize(start, aggs, by)

    def op_count(self, start: int) -> A.Node:
        if self.accept_word("as"):
            return A.Count(start, self.ident())
        return A.Count(start)

    def op_distinct(self, start: int) -> A.Node:
        self.hints()
        if self.is_op("*"):
            return A.Distinct(start, [A.Star(self.advance().start)])
        return A.Distinct(start, [a for a in self.expr_list()])

    def op_sort(self, start: int) -> A.Node:
        self.hints()
        self.expect_word("by")
        return A.Sort(start, self.sort_keys())

    def sort_keys(self) -> list[A.SortKey]:
        keys = []
        while True:
            kstart = self.tok.start
            expr = self.parse_expr()
            desc = True
            if self.is_word("asc", "desc"):
                desc = self.advance().value == "desc"
            nulls = None
            if self.accept_word("nulls"):
                if self.is_word("first", "last"):
                    nulls = self.advance().value == "first"
                else:
                    raise self.error(f"expected 'first' or 'last' after 'nulls' but found {self.describe(self.tok)}")
            keys.append(A.SortKey(kstart, expr, desc, nulls))
            if not self.accept_op(","):
                return keys

    def op_top(self, start: int) -> A.Node:
        count = self.parse_expr()
        self.expect_word("by")
        return A.Top(start, count, self.sort_keys())

    def op_take(self, start: int) -> A.Node:
        self.hints()
        return A.Take(start, self.parse_expr())

    def op_sample(self, start: int) -> A.Node:
        return A.Sample(start, self.parse_expr())

    def table_operand(self) -> A.Node:
        """The right side of join/lookup/union legs: (pipe), a name (with wildcards), or a call."""
        if self.is_op("("):
            st = self.advance().start
            inner = self.parse_pipe()
            self.expect_op(")", " to close the subquery")
            return inner if isinstance(inner, A.Pipe) else A.Pipe(st, inner, [])
        t = self.tok
        if t.kind == IDENT or self.is_op("["):
            if t.kind == IDENT and self.peek().kind == OP and self.peek().value == "(" and self.adjacent():
                return self.parse_postfix()
            pat = self.pattern()
            return A.Name(t.start, pat)
        if t.kind == IDENT or t.kind == OP and t.value == "*":
            return A.Name(t.start, self.pattern())
        raise self.error(f"expected a table, a name or '(' but found {self.describe(t)}")

    def op_join(self, start: int) -> A.Node:
        hints = self.hints()
        kind = hints.pop("kind", "innerunique")
        right = self.table_operand()
        hints.update(self.hints())
        on = []
        # Sentinel content has joins without `on` that Microsoft's own KQL validation accepts (e.g. the
        # NylonTyphoon hunting query); the parser takes them and the compiler refuses to guess their meaning
        if self.accept_word("on"):
            for e in self.expr_list():
                on.extend(_split_and(e))
        return A.Join(start, kind.lower(), right, on, hints)

    def op_lookup(self, start: int) -> A.Node:
        hints = self.hints()
        kind = hints.pop("kind", "leftouter")
        right = self.table_operand()
        self.expect_word("on")
        on = []
        for e in self.expr_list():
            on.extend(_split_and(e))
        return A.Lookup(start, kind.lower(), right, on)

    def op_union(self, start: int) -> A.Node:
        return self.union_body(start, source_form=False)

    def union_body(self, start: int, source_form: bool) -> A.Node:
        hints = self.hints()
        legs = [self.table_operand()]
        while self.accept_op(","):
            legs.append(self.table_operand())
        u = A.Union(start, legs, hints.get("kind", "outer"), hints.get("withsource") or hints.get("with_source"),
                    hints.get("isfuzzy", "false").lower() == "true")
        return u

    def op_mv_expand(self, start: int) -> A.Node:
        hints = self.hints()
        items = self.mv_items()
        limit = None
        if self.accept_word("limit"):
            limit = self.parse_expr()
        kind = hints.get("kind", hints.get("bagexpansion", "bag"))
        return A.MvExpand(start, items, kind, hints.get("with_itemindex"), limit)

    def mv_items(self) -> list[A.MvExpandItem]:
        items = []
        while True:
            istart = self.tok.start
            name = None
            if self.is_ident_start() and self.peek().kind == OP and self.peek().value == "=" :
                name = self.ident()
                self.advance()
            expr = self.parse_expr()
            to_type = None
            if self.accept_word("to"):
                self.expect_word("typeof")
                self.expect_op("(")
                to_type = self.type_name()
                self.expect_op(")")
            items.append(A.MvExpandItem(istart, name, expr, to_type))
            if not self.accept_op(","):
                return items

    def op_mv_apply(self, start: int) -> A.Node:
        hints = self.hints()
        items = self.mv_items()
        limit = None
        if self.accept_word("limit"):
            limit = self.parse_expr()
        self.expect_word("on")
        st = self.expect_op("(", " to open the mv-apply subquery").start
        ops = [self.parse_operator()]
        while self.accept_op("|"):
            ops.append(self.parse_operator())
        self.expect_op(")", " to close the mv-apply subquery")
        return A.MvApply(start, items, hints.get("with_itemindex"), A.Pipe(st, A.Name(st, "$mvapply"), ops), limit)

    def op_parse(self, start: int, where: bool = False) -> A.Node:
        hints = self.hints()
        expr = self.parse_expr()
        self.expect_word("with")
        parts: list[A.ParsePart] = []
        while True:
            t = self.tok
            if t.kind == STRING:
                parts.append(A.ParsePart(t.start, literal=self.string_literal()))
            elif self.is_op("*"):
                self.advance()
                parts.append(A.ParsePart(t.start))
            elif t.kind == IDENT or self.is_op("["):
                name = self.ident()
                typ = None
                if self.accept_op(":"):
                    typ = self.type_name()
                parts.append(A.ParsePart(t.start, column=name, type=typ))
            else:
                break
            if self.is_op("|", ";", ")") or self.tok.kind == EOF:
                break
        return A.Parse(start, expr, parts, hints.get("kind", "simple"), hints.get("flags", ""), where)

    def op_parse_where(self, start: int) -> A.Node:
        return self.op_parse(start, where=True)

    def op_parse_kv(self, start: int) -> A.Node:
        expr = self.parse_expr()
        self.expect_word("as")
        self.expect_op("(")
        cols = []
        while not self.is_op(")"):
            cname = self.ident("a column name")
            ctype = "string"
            if self.accept_op(":"):
                ctype = self.type_name()
            cols.append((cname, ctype))
            if not self.accept_op(","):
                break
        self.expect_op(")")
        options: dict[str, A.Node] = {}
        if self.accept_word("with"):
            self.expect_op("(")
            while not self.is_op(")"):
                key = self.ident("an option name")
                self.expect_op("=")
                options[key] = self.parse_expr()
                if not self.accept_op(","):
                    break
            self.expect_op(")")
        return A.ParseKv(start, expr, cols, options)

    def op_evaluate(self, start: int) -> A.Node:
        hints = self.hints()
        call = self.parse_postfix()
        if not isinstance(call, A.Call):
            raise self.error("expected a plugin call after 'evaluate'")
        schema = None
        if self.accept_op(":"):
            self.expect_op("(")
            schema = []
            while not self.is_op(")"):
                if self.accept_op("*"):
                    schema.append(("*", None))
                else:
                    cname = self.ident("a column name")
                    self.expect_op(":")
                    schema.append((cname, self.type_name()))
                if not self.accept_op(","):
                    break
            self.expect_op(")")
        return A.Evaluate(start, call, hints, schema)

    def op_as(self, start: int) -> A.Node:
        self.hints()
        return A.As(start, self.ident())

    def op_serialize(self, start: int) -> A.Node:
        if self.is_op("|", ";", ")") or self.tok.kind == EOF:
            return A.Serialize(start, [])
        return A.Serialize(start, self.assign_list())

    def op_top_nested(self, start: int) -> A.Node:
        levels = []
        while True:
            lstart = self.tok.start
            count = None
            if not self.is_word("of"):
                count = self.parse_expr()
            self.expect_word("of")
            name = None
            if self.is_ident_start() and self.peek().kind == OP and self.peek().value == "=":
                name = self.ident()
                self.advance()
            of = self.parse_expr()
            others = None
            if self.accept_word("with"):
                self.expect_word("others")
                self.expect_op("=")
                others = self.parse_expr()
            self.expect_word("by")
            agg = self.assign()
            desc = True
            if self.is_word("asc", "desc"):
                desc = self.advance().value == "desc"
            levels.append(A.TopNestedLevel(lstart, count, name, of, others, agg, desc))
            if not self.accept_op(","):
                return A.TopNested(start, levels)
            self.expect_top_nested()

    def expect_top_nested(self) -> None:
        if self.dashed_name() != "top-nested":
            raise self.error("expected 'top-nested'")

    def op_project_by_names(self, start: int) -> A.Node:
        return A.ProjectByNames(start, self.expr_list())

    def op_getschema(self, start: int) -> A.Node:
        return A.GetSchema(start)

    def op_search(self, start: int) -> A.Node:
        return self.search_body(start)

    def search_body(self, start: int) -> A.Node:
        self.hints()
        tables = None
        if self.is_word("in") and self.peek().kind == OP and self.peek().value == "(":
            self.advance()
            self.advance()
            tables = [self.pattern()]
            while self.accept_op(","):
                tables.append(self.pattern())
            self.expect_op(")")
        return A.Search(start, self.parse_expr(), tables)

    def op_invoke(self, start: int) -> A.Node:
        call = self.parse_postfix()
        if not isinstance(call, A.Call):
            raise self.error("expected a function call after 'invoke'")
        return A.Invoke(start, call)

    def op_make_series(self, start: int) -> A.Node:
        self.hints()
        aggs, defaults = [], []
        while True:
            aggs.append(self.assign())
            default = None
            if self.accept_word("default"):
                self.expect_op("=")
                default = self.parse_expr()
            defaults.append(default)
            if not self.accept_op(","):
                break
        self.expect_word("on")
        on = self.parse_expr()
        start_e = end_e = None
        if self.accept_word("in"):
            self.expect_word("range")
            self.expect_op("(")
            start_e = self.parse_expr()
            self.expect_op(",")
            end_e = self.parse_expr()
            self.expect_op(",")
            step = self.parse_expr()
            self.expect_op(")")
        else:
            if self.accept_word("from"):
                start_e = self.parse_expr()
            if self.accept_word("to"):
                end_e = self.parse_expr()
            self.expect_word("step")
            step = self.parse_expr()
        by = []
        if self.accept_word("by"):
            by = self.assign_list()
        return A.MakeSeries(start, aggs, defaults, on, start_e, end_e, step, by)

    def op_render(self, start: int) -> A.Node:
        depth, begin = 0, self.tok.start
        while self.tok.kind != EOF:
            if self.is_op("(", "["):
                depth += 1
            elif self.is_op(")", "]"):
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and self.is_op("|", ";"):
                break
            self.advance()
        return A.Render(start, self.source[begin:self.tok.start].strip())

    def op_print(self) -> A.Node:
        start = self.advance().start
        return A.Print(start, self.assign_list())

    def parse_datatable(self) -> A.Node:
        start = self.advance().start
        self.expect_op("(")
        cols = []
        while not self.is_op(")"):
            name = self.ident("a column name")
            self.expect_op(":", " and a type after the column name")
            cols.append((name, self.type_name()))
            if not self.accept_op(","):
                break
        self.expect_op(")")
        self.expect_op("[", " to open the datatable values")
        values = []
        while not self.is_op("]"):
            values.append(self.parse_expr())
            if not self.accept_op(","):
                break
        self.expect_op("]", " to close the datatable values")
        return A.Datatable(start, cols, values)

    def parse_range(self) -> A.Node:
        start = self.advance().start
        name = self.ident("a column name after 'range'")
        self.expect_word("from")
        lo = self.parse_expr()
        self.expect_word("to")
        hi = self.parse_expr()
        self.expect_word("step")
        step = self.parse_expr()
        return A.Range(start, name, lo, hi, step)

    # --- lists --------------------------------------------------------------------------------------------
    def assign_list(self) -> list[A.Assign]:
        items = [self.assign()]
        while self.accept_op(","):
            items.append(self.assign())
        return items

    def assign(self) -> A.Assign:
        start = self.tok.start
        if self.is_op("(") and self.peek().kind == IDENT and self.peek(2).kind == OP and self.peek(2).value in (",", ")"):
            # (a, b) = expr
            save = self.i
            self.advance()
            names = [self.ident()]
            while self.accept_op(","):
                names.append(self.ident())
            if self.accept_op(")") and self.is_op("="):
                self.advance()
                return A.Assign(start, names, self.parse_expr())
            self.i = save
        if self.is_ident_start():
            save = self.i
            name = self.ident()
            if self.is_op("="):
                self.advance()
                return A.Assign(start, [name], self.parse_expr())
            self.i = save
        return A.Assign(start, [], self.parse_expr())

    def expr_list(self) -> list[A.Node]:
        items = [self.parse_expr()]
        while self.accept_op(","):
            items.append(self.parse_expr())
        return items

    def pattern(self) -> str:
        """A column name or a wildcard pattern like `Col*` or `*Suffix` (glued tokens)."""
        t = self.tok
        if self.is_op("["):
            return self.ident()
        if not (t.kind == IDENT or self.is_op("*")):
            raise self.error(f"expected a column name but found {self.describe(t)}")
        text = self.advance().value
        while (self.tok.kind == IDENT or self.is_op("*")) and self.tok.start == self.toks[self.i - 1].end:
            text += self.advance().value
        return text

    def pattern_list(self) -> list[str]:
        items = [self.pattern()]
        while self.accept_op(","):
            items.append(self.pattern())
        return items

    # ------------------------------------------------------------------------------------------ expressions
    def parse_expr(self) -> A.Node:
        return self.parse_or()

    def parse_or(self) -> A.Node:
        left = self.parse_and()
        while self.is_word("or"):
            t = self.advance()
            left = A.Binary(t.start, "or", left, self.parse_and())
        return left

    def parse_and(self) -> A.Node:
        left = self.parse_compare()
        while self.is_word("and"):
            t = self.advance()
            left = A.Binary(t.start, "and", left, self.parse_compare())
        return left

    def compare_op(self) -> str | None:
        """The comparison operator at the cursor (without consuming), as a canonical string."""
        t = self.tok
        if t.kind == OP and t.value in _COMPARE:
            return t.value
        if t.kind == OP and t.value == "!" and self.peek().kind == IDENT and self.adjacent() and self.peek().value in _NEGATABLE:
            name = "!" + self.peek().value
            if self.peek().value == "in" and self.peek(2).kind == OP and self.peek(2).value == "~" and self.adjacent(2):
                return "!in~"
            return name
        if t.kind == IDENT:
            if t.value in _WORD_OPS or t.value in _LIST_OPS or t.value == "between":
                if t.value == "in" and self.peek().kind == OP and self.peek().value == "~" and self.adjacent():
                    return "in~"
                return t.value
            if t.value == "matches" and self.peek().kind == IDENT and self.peek().value == "regex":
                return "matches regex"
        return None

    def parse_compare(self) -> A.Node:
        left = self.parse_additive()
        while True:
            op = self.compare_op()
            if op is None:
                return left
            t = self.tok
            ntoks = {"!in~": 3, "in~": 2, "matches regex": 2}.get(op, 2 if op.startswith("!") and op not in _COMPARE else 1)
            for _ in range(ntoks):
                self.advance()
            base = op.lstrip("!")
            if base in _LIST_OPS or base == "in~":
                left = A.InList(t.start, op, left, self.in_values())
            elif base == "between":
                self.expect_op("(", " after 'between'")
                lo = self.parse_additive()
                self.expect_op("..", " between the bounds of 'between'")
                hi = self.parse_additive()
                self.expect_op(")")
                left = A.Between(t.start, op.startswith("!"), left, lo, hi)
            else:
                if op == "<>":
                    op = "!="
                left = A.Binary(t.start, op, left, self.parse_additive())

    def in_values(self) -> list[A.Node]:
        if not self.is_op("("):
            # `x has_any dynlist` without parentheses
            return [self.parse_additive()]
        self.advance()
        values = []
        while not self.is_op(")"):
            values.append(self.parse_pipe())
            if not self.accept_op(","):
                break
        self.expect_op(")", " to close the list")
        return values

    def parse_additive(self) -> A.Node:
        left = self.parse_multiplicative()
        while self.is_op("+", "-"):
            t = self.advance()
            left = A.Binary(t.start, t.value, left, self.parse_multiplicative())
        return left

    def parse_multiplicative(self) -> A.Node:
        left = self.parse_unary()
        while self.is_op("*", "/", "%"):
            t = self.advance()
            left = A.Binary(t.start, t.value, left, self.parse_unary())
        return left

    def parse_unary(self) -> A.Node:
        if self.is_op("-", "+"):
            t = self.advance()
            operand = self.parse_unary()
            if isinstance(operand, A.Literal) and operand.type in ("long", "int", "real", "timespan", "decimal") and t.value == "-":
                operand.value = -operand.value
                operand.pos = t.start
                return operand
            return A.Unary(t.start, t.value, operand)
        return self.parse_postfix()

    def parse_postfix(self) -> A.Node:
        node = self.parse_primary()
        while True:
            if self.is_op(".") and (self.peek().kind == IDENT or (self.peek().kind == OP and self.peek().value == "[")):
                t = self.advance()
                if self.is_op("["):  # a.["key"]
                    self.advance()
                    idx = self.parse_expr()
                    self.expect_op("]")
                    node = A.Index(t.start, node, idx)
                else:
                    node = A.Member(t.start, node, self.advance().value)
            elif self.is_op("["):
                t = self.advance()
                idx = self.parse_expr()
                self.expect_op("]", " to close the index")
                node = A.Index(t.start, node, idx)
            else:
                return node

    def string_literal(self) -> str:
        parts = [self.advance().value]
        while self.tok.kind == STRING:
            parts.append(self.advance().value)
        return "".join(parts)

    def parse_primary(self) -> A.Node:
        t = self.tok
        if t.kind == STRING:
            return A.Literal(t.start, self.string_literal(), "string")
        if t.kind == NUMBER:
            self.advance()
            if isinstance(t.value, float):
                return A.Literal(t.start, t.value, "real")
            return A.Literal(t.start, t.value, "long")
        if t.kind == TIMESPAN:
            self.advance()
            return A.Literal(t.start, int(round(t.value)), "timespan")
        if t.kind == RAW:
            self.advance()
            return self.raw_literal(t)
        if t.kind == OP:
            if t.value == "(":
                self.advance()
                inner = self.parse_pipe()
                if self.is_op(","):
                    raise self.error("unexpected ',' in parentheses (a list is only valid after in/has_any/has_all)")
                self.expect_op(")", " to close the parenthesis")
                return inner
            if t.value == "[" and self.peek().kind == STRING:
                return A.Name(t.start, self.ident())
            if t.value == "*":
                self.advance()
                return A.Star(t.start)
            raise self.error(f"expected an expression but found {self.describe(t)}")
        if t.kind == IDENT:
            w = t.value
            nxt = self.peek()
            if w in ("true", "false") and not (nxt.kind == OP and nxt.value == "("):
                self.advance()
                return A.Literal(t.start, w == "true", "bool")
            if w in ("null",):
                self.advance()
                return A.Literal(t.start, None, "dynamic")
            if nxt.kind == OP and nxt.value == "(":
                if w == "dynamic":
                    return self.dynamic_literal()
                if w in TYPE_NAMES and w not in ("string", "date", "time", "guid", "uniqueid", "uuid"):
                    return self.typed_literal(TYPE_NAMES[w])
                if w == "typeof":
                    self.advance()
                    self.advance()
                    typ = self.type_name()
                    self.expect_op(")")
                    return A.TypeOf(t.start, typ)
                return self.call()
            self.advance()
            return A.Name(t.start, w)
        raise self.error(f"expected an expression but found {self.describe(t)}")

    def call(self) -> A.Call:
        t = self.advance()
        self.expect_op("(")
        args: list[A.Node] = []
        while not self.is_op(")"):
            if self.tok.kind == IDENT and self.peek().kind == OP and self.peek().value == "=":
                nt = self.advance()
                self.advance()
                args.append(A.NamedArg(nt.start, nt.value, self.parse_pipe()))
            else:
                args.append(self.parse_pipe())
            if not self.accept_op(","):
                break
        self.expect_op(")", f" to close the arguments of {t.value}()")
        return A.Call(t.start, t.value, args)

    def raw_literal(self, t: Token) -> A.Node:
        kind, text = t.value
        typ = TYPE_NAMES[kind]
        inner = text.strip()
        if inner == "null":
            return A.Literal(t.start, None, typ)
        if typ == "datetime":
            value = parse_datetime(inner)
            if value is None:
                raise self.error(f"invalid datetime literal '{inner}'", t)
            return A.Literal(t.start, value, "datetime")
        if typ == "timespan":
            value = parse_timespan(inner)
            if value is None:
                raise self.error(f"invalid timespan literal '{inner}'", t)
            return A.Literal(t.start, value, "timespan")
        return A.Literal(t.start, inner.lower(), "guid")

    def typed_literal(self, typ: str) -> A.Node:
        t = self.advance()
        self.expect_op("(")
        sign = -1 if self.accept_op("-") else 1
        self.accept_op("+")
        v = self.tok
        if v.kind == IDENT and v.value == "null":
            self.advance()
            value = None
        elif v.kind == IDENT and v.value in ("nan", "inf", "true", "false"):
            self.advance()
            value = {"nan": float("nan"), "inf": sign * float("inf"), "true": True, "false": False}[v.value]
        elif v.kind == NUMBER:
            self.advance()
            value = sign * v.value
        else:
            raise self.error(f"expected a {typ} value in {t.value}(...) but found {self.describe(v)}")
        self.expect_op(")", f" to close {t.value}(")
        if value is not None:
            if typ in ("int", "long"):
                value = int(value) if not isinstance(value, bool) else int(value)
            elif typ in ("real", "decimal"):
                value = float(value) if not isinstance(value, bool) else float(value)
            elif typ == "bool":
                value = bool(value)
        return A.Literal(t.start, value, typ)

    def dynamic_literal(self) -> A.Node:
        t = self.advance()
        self.expect_op("(")
        value = self.json_value()
        self.expect_op(")", " to close dynamic(")
        return A.Literal(t.start, value, "dynamic")

    def json_value(self):
        t = self.tok
        if self.accept_op("["):
            out = []
            while not self.is_op("]"):
                out.append(self.json_value())
                if not self.accept_op(","):
                    break
            self.expect_op("]")
            return out
        if self.accept_op("{"):
            out = {}
            while not self.is_op("}"):
                kt = self.tok
                if kt.kind == STRING:
                    key = self.string_literal()
                elif kt.kind == IDENT:
                    key = self.advance().value
                else:
                    raise self.error(f"expected a property name but found {self.describe(kt)}")
                self.expect_op(":")
                out[key] = self.json_value()
                if not self.accept_op(","):
                    break
            self.expect_op("}")
            return out
        if t.kind == STRING:
            return self.string_literal()
        if self.is_op("-", "+"):
            sign = -1 if self.advance().value == "-" else 1
            v = self.json_value()
            if not isinstance(v, (int, float)):
                raise self.error("expected a number after the sign", t)
            return sign * v
        if t.kind == NUMBER:
            self.advance()
            return t.value
        if t.kind == TIMESPAN:
            self.advance()
            return dt.timedelta(microseconds=round(t.value))
        if t.kind == RAW:
            self.advance()
            lit = self.raw_literal(t)
            return dt.timedelta(microseconds=lit.value) if lit.type == "timespan" and lit.value is not None else lit.value
        if t.kind == IDENT:
            if t.value in ("true", "false"):
                self.advance()
                return t.value == "true"
            if t.value == "null":
                self.advance()
                return None
            if t.value == "dynamic" and self.peek().kind == OP and self.peek().value == "(":
                return self.dynamic_literal().value
            if t.value in TYPE_NAMES and self.peek().kind == OP and self.peek().value == "(":
                return self.typed_literal(TYPE_NAMES[t.value]).value
        raise self.error(f"expected a value in the dynamic literal but found {self.describe(t)}")


def _split_and(e: A.Node) -> list[A.Node]:
    if isinstance(e, A.Binary) and e.op == "and":
        return _split_and(e.left) + _split_and(e.right)
    return [e]


OPERATORS = {
    "where": Parser.op_where, "filter": Parser.op_where,
    "extend": Parser.op_extend,
    "project": Parser.op_project,
    "project-away": Parser.op_project_away,
    "project-keep": Parser.op_project_keep,
    "project-rename": Parser.op_project_rename,
    "project-reorder": Parser.op_project_reorder,
    "project-by-names": Parser.op_project_by_names,
    "summarize": Parser.op_summarize,
    "count": Parser.op_count,
    "distinct": Parser.op_distinct,
    "sort": Parser.op_sort, "order": Parser.op_sort,
    "top": Parser.op_top,
    "take": Parser.op_take, "limit": Parser.op_take,
    "sample": Parser.op_sample,
    "join": Parser.op_join,
    "lookup": Parser.op_lookup,
    "union": Parser.op_union,
    "mv-expand": Parser.op_mv_expand, "mvexpand": Parser.op_mv_expand,
    "mv-apply": Parser.op_mv_apply, "mvapply": Parser.op_mv_apply,
    "parse": Parser.op_parse,
    "parse-where": Parser.op_parse_where,
    "parse-kv": Parser.op_parse_kv,
    "evaluate": Parser.op_evaluate,
    "as": Parser.op_as,
    "serialize": Parser.op_serialize,
    "top-nested": Parser.op_top_nested,
    "getschema": Parser.op_getschema,
    "search": Parser.op_search,
    "invoke": Parser.op_invoke,
    "make-series": Parser.op_make_series,
    "render": Parser.op_render,
}


def parse(source: str) -> A.Body:
    """Parse a KQL query (let statements and one query) into a `Body`. Raises `KqlError`."""
    p = Parser(source)
    body = p.parse_body()
    if p.tok.kind != EOF:
        raise p.error(f"unexpected {p.describe(p.tok)}")
    return body
