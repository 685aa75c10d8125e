"""The KQL syntax tree. Plain dataclasses; every node keeps `pos`, the character offset it starts at.

Scalar expressions and tabular expressions share one tree: a `Pipe` is a source followed by operators,
and a `Name` or `Call` may turn out to be a table or a scalar; the compiler decides (it knows the scopes).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Node:
    pos: int


# ----------------------------------------------------------------------------------------------- expressions
@dataclass(slots=True)
class Literal(Node):
    value: Any            # python value; datetime literals: datetime (naive UTC); timespans: microseconds (int)
    type: str             # KQL type name: string, long, int, real, bool, datetime, timespan, dynamic, guid, decimal


@dataclass(slots=True)
class Name(Node):
    name: str


@dataclass(slots=True)
class Star(Node):
    """`*` as an argument (count(*), arg_max(x, *)) or a wildcard pattern in project-away etc."""


@dataclass(slots=True)
class Member(Node):
    """`expr.name` (dynamic property access or `$left.X`)."""
    expr: Node
    name: str


@dataclass(slots=True)
class Index(Node):
    """`expr[index]`."""
    expr: Node
    index: Node


@dataclass(slots=True)
class NamedArg(Node):
    name: str
    value: Node


@dataclass(slots=True)
class Call(Node):
    name: str
    args: list[Node]


@dataclass(slots=True)
class Unary(Node):
    op: str               # '-' or '+'
    operand: Node


@dataclass(slots=True)
class Binary(Node):
    op: str               # 'and', 'or', '+', '==', 'contains', '!has', 'matches regex', ...
    left: Node
    right: Node


@dataclass(slots=True)
class InList(Node):
    op: str               # 'in', '!in', 'in~', '!in~', 'has_any', 'has_all', 'has_any_cs'...
    left: Node
    values: list[Node]    # scalars, dynamic arrays, or one tabular expression


@dataclass(slots=True)
class Between(Node):
    negated: bool
    expr: Node
    low: Node
    high: Node


@dataclass(slots=True)
class TypeOf(Node):
    """`typeof(long)` as in `to typeof(long)` or a function parameter type."""
    type: str


# ----------------------------------------------------------------------------------------------- tabular
@dataclass(slots=True)
class Pipe(Node):
    source: Node
    ops: list[Node]


@dataclass(slots=True)
class Datatable(Node):
    columns: list[tuple[str, str]]
    values: list[Node]


@dataclass(slots=True)
class Print(Node):
    items: list["Assign"]


@dataclass(slots=True)
class Range(Node):
    name: str
    start: Node
    stop: Node
    step: Node


@dataclass(slots=True)
class Assign(Node):
    """`name = expr`, `(a, b) = expr`, or a bare `expr` (names empty: the compiler picks the name)."""
    names: list[str]
    expr: Node


@dataclass(slots=True)
class SortKey(Node):
    expr: Node
    desc: bool = True
    nulls_first: bool | None = None   # None: the default for the direction


@dataclass(slots=True)
class Op(Node):
    """Base of tabular operators."""


@dataclass(slots=True)
class Where(Op):
    predicate: Node


@dataclass(slots=True)
class Extend(Op):
    items: list[Assign]


@dataclass(slots=True)
class Project(Op):
    items: list[Assign]


@dataclass(slots=True)
class ProjectAway(Op):
    patterns: list[str]


@dataclass(slots=True)
class ProjectKeep(Op):
    patterns: list[str]


@dataclass(slots=True)
class ProjectRename(Op):
    pairs: list[tuple[str, str]]      # (new, old)


@dataclass(slots=True)
class ProjectReorder(Op):
    patterns: list[tuple[str, str | None]]   # (pattern, None|'asc'|'desc'|'granny-asc'|'granny-desc')


@dataclass(slots=True)
class Summarize(Op):
    aggs: list[Assign]
    by: list[Assign]


@dataclass(slots=True)
class Count(Op):
    name: str = "Count"


@dataclass(slots=True)
class Distinct(Op):
    items: list[Node]                  # [Star] for distinct *


@dataclass(slots=True)
class Sort(Op):
    keys: list[SortKey]


@dataclass(slots=True)
class Top(Op):
    count: Node
    keys: list[SortKey]


@dataclass(slots=True)
class Take(Op):
    count: Node


@dataclass(slots=True)
class Join(Op):
    kind: str
    right: Node
    on: list[Node]                     # Name (same column both sides) or Binary('==', $left.X, $right.Y)
    hints: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Lookup(Op):
    kind: str
    right: Node
    on: list[Node]


@dataclass(slots=True)
class Union(Op):
    """`T | union U, V` (op form) or `union T, U` (source form: first leg is the first table)."""
    legs: list[Node]
    kind: str = "outer"
    withsource: str | None = None
    isfuzzy: bool = False


@dataclass(slots=True)
class MvExpandItem(Node):
    name: str | None
    expr: Node
    to_type: str | None


@dataclass(slots=True)
class MvExpand(Op):
    items: list[MvExpandItem]
    kind: str = "bag"
    with_itemindex: str | None = None
    limit: Node | None = None


@dataclass(slots=True)
class MvApply(Op):
    items: list[MvExpandItem]
    with_itemindex: str | None
    subquery: Node                     # a Pipe whose source is Name('$mvapply') (the expanded rows)
    limit: Node | None = None


@dataclass(slots=True)
class ParsePart(Node):
    """One element of a parse pattern: a literal string or a column (name, optional type)."""
    literal: str | None = None
    column: str | None = None
    type: str | None = None


@dataclass(slots=True)
class Parse(Op):
    expr: Node
    parts: list[ParsePart]
    kind: str = "simple"               # simple | regex | relaxed
    flags: str = ""
    where: bool = False                # parse-where


@dataclass(slots=True)
class ParseKv(Op):
    expr: Node
    columns: list[tuple[str, str]]
    options: dict[str, Node]


@dataclass(slots=True)
class Evaluate(Op):
    call: Call
    hints: dict[str, str] = field(default_factory=dict)
    schema: list[tuple[str, str | None]] | None = None   # `: (*, Name:string)` output schema


@dataclass(slots=True)
class ProjectByNames(Op):
    items: list[Node]


@dataclass(slots=True)
class As(Op):
    name: str


@dataclass(slots=True)
class Serialize(Op):
    items: list[Assign]


@dataclass(slots=True)
class TopNestedLevel(Node):
    count: Node | None
    name: str | None
    of: Node
    others: Node | None
    agg: Assign
    desc: bool = True


@dataclass(slots=True)
class TopNested(Op):
    levels: list[TopNestedLevel]


@dataclass(slots=True)
class GetSchema(Op):
    pass


@dataclass(slots=True)
class Search(Op):
    predicate: Node
    tables: list[str] | None = None


@dataclass(slots=True)
class Invoke(Op):
    call: Call


@dataclass(slots=True)
class MakeSeries(Op):
    aggs: list[Assign]
    defaults: list[Node | None]
    on: Node
    start: Node | None
    end: Node | None
    step: Node
    by: list[Assign]


@dataclass(slots=True)
class Render(Op):
    """`render` only asks a client to chart the result; it does not change it."""
    text: str


@dataclass(slots=True)
class Sample(Op):
    count: Node


@dataclass(slots=True)
class Unsupported(Op):
    name: str


# ----------------------------------------------------------------------------------------------- statements
@dataclass(slots=True)
class Param(Node):
    name: str
    type: str | None                   # scalar type name, or 'table' for a tabular parameter
    default: Node | None
    columns: list[tuple[str, str]] | None = None   # tabular parameter schema, (*) -> []


@dataclass(slots=True)
class FunctionDef(Node):
    params: list[Param]
    body: "Body"


@dataclass(slots=True)
class Let(Node):
    name: str
    value: Node                        # expression, Pipe, or FunctionDef


@dataclass(slots=True)
class Body(Node):
    """A sequence of let statements ending with one expression (a query, or a function body)."""
    lets: list[Let]
    result: Node | None
