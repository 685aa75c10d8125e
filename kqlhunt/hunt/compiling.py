"""Compile a rule's query for one run: parse, optionally restrict every table/function it reads to a time
window (`| where TimeGenerated between (lo .. hi)` right at the source, as Sentinel restricts the tables a
scheduled rule reads to its query period), and compile the tree with the engine's compiler."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..compile.compiler import Compiled, Compiler, Scope
from ..errors import KqlError
from ..kql import ast as A
from ..kql.parser import parse
from ..rules.refs import Reads, _Walker


@dataclass
class Window:
    start: dt.datetime | None = None      # naive UTC, inclusive
    end: dt.datetime | None = None        # naive UTC, inclusive

    def __bool__(self) -> bool:
        return self.start is not None or self.end is not None

    def describe(self) -> str:
        f = lambda t: t.isoformat() + "Z" if t else "…"  # noqa: E731
        return f"{f(self.start)} .. {f(self.end)}"


def naive_utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def time_predicate(pos: int, window: Window) -> A.Node:
    col = A.Name(pos, "TimeGenerated")
    lo = A.Literal(pos, naive_utc(window.start), "datetime") if window.start else None
    hi = A.Literal(pos, naive_utc(window.end), "datetime") if window.end else None
    if lo is not None and hi is not None:
        return A.Between(pos, False, col, lo, hi)
    if lo is not None:
        return A.Binary(pos, ">=", col, lo)
    return A.Binary(pos, "<=", col, hi)


class _Windowing(_Walker):
    def __init__(self, reads: Reads, window: Window, has_time):
        super().__init__(reads)
        self.window = window
        self.has_time = has_time

    def source(self, node, name, bound, optional):
        node = super().source(node, name, bound, optional)
        if name in bound or not self.has_time(name):
            return node
        return A.Pipe(node.pos, node, [A.Where(node.pos, time_predicate(node.pos, self.window))])


class TimeColumns:
    """Which tables/functions of an engine have a datetime TimeGenerated column (cached per engine)."""

    def __init__(self, engine):
        self.engine = engine
        self.cache: dict[str, bool] = {}

    def __call__(self, name: str) -> bool:
        if name not in self.cache:
            cols = self.engine.catalog.table(name)
            if cols is not None:
                self.cache[name] = cols.get("TimeGenerated") == "datetime"
            elif self.engine.catalog.function(name) is not None:
                try:
                    c = self.engine.compile(f"{name} | take 0")
                    self.cache[name] = dict(zip(c.columns, c.types)).get("TimeGenerated") == "datetime"
                except KqlError:
                    self.cache[name] = False
            else:
                self.cache[name] = False
        return self.cache[name]


def prepare(text: str, window: Window | None = None, has_time=None) -> tuple[A.Body, Reads]:
    """Parse `text`; with a window, wrap every source that has TimeGenerated. Returns (tree, what it reads)."""
    body = parse(text)
    reads = Reads()
    if window:
        _Windowing(reads, window, has_time or (lambda n: True)).body(body, frozenset(), False)
    else:
        _Walker(reads).body(body, frozenset(), False)
    reads.optional -= reads.required
    return body, reads


def compile_body(engine, body: A.Body, text: str) -> Compiled:
    """Compile a (possibly rewritten) tree the way `Engine.compile(text)` compiles text."""
    c = Compiler(engine.catalog, now=engine.now)
    c.source = text
    c.sources = [text]
    if body.result is None:
        raise KqlError("the query has no tabular expression to run (only let statements)", kind="syntax")
    result = c.body(body, Scope())
    return c.finish(c.as_rel(result, body.result))
