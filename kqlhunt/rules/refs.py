"""What a query reads: the tables and stored functions it names (not bound by `let`, function parameters or
`as`), found by walking the parsed tree. Names inside `union isfuzzy=true` legs are optional: the query still
runs if they are missing."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from ..kql import ast as A
from ..kql.parser import parse

# calls whose argument is a tabular expression rather than a table name
_TABULAR_WRAPPERS = {"materialize", "view", "toscalar"}
# calls in tabular position that are not tables or stored functions
_BUILTIN_TABULAR = {"externaldata", "_GetWatchlist", "range", "datatable", "print", "find", "search"}


@dataclass
class Reads:
    required: set[str] = field(default_factory=set)
    optional: set[str] = field(default_factory=set)    # only in isfuzzy union legs
    watchlists: set[str] = field(default_factory=set)

    @property
    def all(self) -> list[str]:
        return sorted(self.required | self.optional)


def query_reads(text: str | A.Body) -> Reads:
    """Tables and stored functions a query reads (raises KqlError if it does not parse)."""
    body = parse(text) if isinstance(text, str) else text
    reads = Reads()
    _Walker(reads).body(body, frozenset(), False)
    reads.optional -= reads.required
    return reads


def _children(node):
    for f in dataclasses.fields(node):
        v = getattr(node, f.name)
        if isinstance(v, A.Node):
            yield v
        elif isinstance(v, (list, tuple)):
            for x in v:
                if isinstance(x, A.Node):
                    yield x
                elif isinstance(x, (list, tuple)):
                    yield from (y for y in x if isinstance(y, A.Node))


class _Walker:
    """Walks a query; `tabular()` returns the node to use in place of a table source, so a subclass can wrap
    sources (`source()` hook) — the hunt runner uses this to apply a time window."""

    def __init__(self, reads: Reads):
        self.reads = reads

    def source(self, node, name: str, bound, optional: bool):
        """A table/function reference in tabular position (not let-bound): record it; return its replacement."""
        if name in bound or "*" in name or name.startswith("$"):
            return node
        (self.reads.optional if optional else self.reads.required).add(name)
        return node

    def body(self, body: A.Body, bound, optional: bool) -> None:
        bound = set(bound)
        for let in body.lets:
            if isinstance(let.value, A.FunctionDef):
                params = {p.name for p in let.value.params}
                self.body(let.value.body, frozenset(bound | params | {let.name}), optional)
            else:
                let.value = self.tabular(let.value, frozenset(bound), optional, maybe=True)
            bound.add(let.name)
        if body.result is not None:
            body.result = self.tabular(body.result, frozenset(bound), optional)

    def tabular(self, node, bound, optional: bool, maybe: bool = False):
        """`node` stands where a table is expected (maybe: a let value, which may also be a scalar)."""
        if isinstance(node, A.Name):
            return node if maybe else self.source(node, node.name, bound, optional)
        if isinstance(node, A.Call):
            if node.name in _TABULAR_WRAPPERS:
                node.args = [self.tabular(a, bound, optional, maybe=node.name == "toscalar") for a in node.args]
                return node
            if node.name == "table" and node.args and isinstance(node.args[0], A.Literal):
                return self.source(node, str(node.args[0].value), bound, optional)
            for a in node.args:
                self.scalar(a, bound, optional)
            if node.name == "_GetWatchlist" and node.args and isinstance(node.args[0], A.Literal):
                self.reads.watchlists.add(str(node.args[0].value))
            elif not maybe and node.name not in _BUILTIN_TABULAR:
                return self.source(node, node.name, bound, optional)
            return node
        if isinstance(node, A.Pipe):
            node.source = self.tabular(node.source, bound, optional)
            for op in node.ops:
                self.op(op, bound, optional)
            return node
        if isinstance(node, A.Union):           # union source form
            node.legs = [self.tabular(leg, bound, optional or node.isfuzzy) for leg in node.legs]
            return node
        if isinstance(node, A.Body):
            self.body(node, bound, optional)
            return node
        self.scalar(node, bound, optional)
        return node

    def op(self, op, bound, optional: bool) -> None:
        if isinstance(op, (A.Join, A.Lookup)):
            op.right = self.tabular(op.right, bound, optional)
            for n in op.on:
                self.scalar(n, bound, optional)
            return
        if isinstance(op, A.Union):
            op.legs = [self.tabular(leg, bound, optional or op.isfuzzy) for leg in op.legs]
            return
        if isinstance(op, A.As):
            return
        if isinstance(op, A.MvApply):
            for it in op.items:
                self.scalar(it, bound, optional)
            sub = op.subquery
            if isinstance(sub, A.Pipe):
                for o in sub.ops:
                    self.op(o, bound, optional)
            return
        self.scalar(op, bound, optional)

    def scalar(self, node, bound, optional: bool) -> None:
        """Scalar context: only nested tabular expressions (sub-queries) read tables."""
        if isinstance(node, (A.Pipe, A.Union, A.Body)):
            self.tabular(node, bound, optional)
            return
        if isinstance(node, A.Call) and node.name in _TABULAR_WRAPPERS:
            self.tabular(node, bound, optional)
            return
        if isinstance(node, A.InList) and len(node.values) == 1 and isinstance(node.values[0], (A.Pipe, A.Union)):
            self.scalar(node.left, bound, optional)
            node.values[0] = self.tabular(node.values[0], bound, optional)
            return
        if isinstance(node, A.Node):
            for child in _children(node):
                self.scalar(child, bound, optional)
