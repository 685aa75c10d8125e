"""The rule funnel ("why did my rule miss?"): the row count after each operator of the query's main pipeline,
and for a `where` whose predicate is an `and` of conditions, how many of the operator's input rows each
condition drops on its own. Sub-queries are compiled from the parsed tree (the pipeline cut after operator k),
so the counts are exactly what the engine computes.

    stages = funnel(engine, query_text, window=None)   # -> list[Stage]
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.result import Result
from ..errors import KqlError
from ..kql import ast as A
from ..kql.lexer import tokenize
from .compiling import Window, compile_body, prepare


@dataclass
class Condition:
    text: str
    kept: int
    dropped: int

    def to_dict(self) -> dict:
        return {"text": self.text, "kept": self.kept, "dropped": self.dropped}


@dataclass
class Stage:
    index: int                  # 0 = the source
    operator: str               # 'source', 'where', 'extend', ...
    text: str                   # the operator as written
    rows_in: int | None
    rows: int
    conditions: list[Condition] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"index": self.index, "operator": self.operator, "text": self.text, "rows_in": self.rows_in,
                "rows": self.rows, "conditions": [c.to_dict() for c in self.conditions]}


def split_and(e: A.Node) -> list[A.Node]:
    if isinstance(e, A.Binary) and e.op == "and":
        return split_and(e.left) + split_and(e.right)
    return [e]


class _Text:
    """Source text of nodes, from the tokens: a node runs from its `pos` to the end of the last token before the
    next boundary."""

    def __init__(self, source: str):
        self.source = source
        try:
            self.tokens = tokenize(source)
        except KqlError:
            self.tokens = []

    def span(self, start: int, boundary: int, drop_trailing=("|",)) -> str:
        toks = [t for t in self.tokens if start <= t.start < boundary and t.kind != "eof"]
        while toks and str(toks[-1].value) in drop_trailing and toks[-1].kind != "string":
            toks.pop()
        if not toks:
            return ""
        text = self.source[start:toks[-1].end]
        # a conjunct cut out of `(a or b) and c` keeps balanced parentheses
        opened = closed = 0
        for t in toks:
            if t.kind == "op" and t.value == "(":
                opened += 1
            elif t.kind == "op" and t.value == ")":
                if opened:
                    opened -= 1
                else:
                    closed += 1
        text = "(" * closed + text + ")" * opened
        return " ".join(text.split())


def start_of(node: A.Node) -> int:
    """Where a node's text starts: the smallest position in its subtree (a Binary's pos is its operator)."""
    import dataclasses
    best = node.pos
    for f in dataclasses.fields(node):
        v = getattr(node, f.name)
        for x in (v if isinstance(v, (list, tuple)) else [v]):
            if isinstance(x, A.Node):
                best = min(best, start_of(x))
    return best


def _op_name(op: A.Node) -> str:
    name = type(op).__name__
    return {"Where": "where", "Extend": "extend", "Project": "project", "ProjectAway": "project-away",
            "ProjectKeep": "project-keep", "ProjectRename": "project-rename", "ProjectReorder": "project-reorder",
            "Summarize": "summarize", "Sort": "sort", "Top": "top", "Take": "take", "Join": "join",
            "Lookup": "lookup", "Union": "union", "MvExpand": "mv-expand", "MvApply": "mv-apply",
            "Parse": "parse", "ParseKv": "parse-kv", "Distinct": "distinct", "Count": "count",
            "Evaluate": "evaluate", "TopNested": "top-nested", "MakeSeries": "make-series"}.get(name, name.lower())


def _count(engine, body: A.Body, text: str, result: A.Node, aggs: list[A.Node] = ()) -> list[int]:
    pos = result.pos
    items = [A.Assign(pos, ["n"], A.Call(pos, "count", []))]
    items += [A.Assign(pos, [f"c{i}"], A.Call(pos, "countif", [cond])) for i, cond in enumerate(aggs)]
    sub = A.Body(body.pos, body.lets, A.Pipe(pos, result, [A.Summarize(pos, items, [])]))
    compiled = compile_body(engine, sub, text)
    return [int(v or 0) for v in Result(compiled.columns, compiled.types, engine.run(compiled).table).rows[0]]


def funnel(engine, text: str, window: Window | None = None, has_time=None) -> list[Stage]:
    """Row counts after each operator of the main pipeline of `text` (raises KqlError)."""
    body, _ = prepare(text, window, has_time)
    result = body.result
    tx = _Text(text)
    if not isinstance(result, A.Pipe):
        n = _count(engine, body, text, result)[0]
        return [Stage(0, "source", tx.span(getattr(result, "pos", 0), len(text)), None, n)]
    ops = result.ops
    bounds = [op.pos for op in ops] + [len(text)]
    src = result.source
    src_pos = src.source.pos if isinstance(src, A.Pipe) and window else src.pos   # a windowed source is wrapped
    stages = [Stage(0, "source", tx.span(src_pos, bounds[0]), None, _count(engine, body, text, src)[0])]
    for k, op in enumerate(ops):
        prefix = A.Pipe(result.pos, src, ops[:k]) if k else src
        full = A.Pipe(result.pos, src, ops[:k + 1])
        rows_in = stages[-1].rows
        stage = Stage(k + 1, _op_name(op), tx.span(op.pos, bounds[k + 1]), rows_in, 0)
        conds = split_and(op.predicate) if isinstance(op, A.Where) else []
        if len(conds) > 1:
            starts = [start_of(c) for c in conds]
            bounds_c = starts[1:] + [bounds[k + 1]]
            texts = [tx.span(s_, b, drop_trailing=("|", "and", "(")) for s_, b in zip(starts, bounds_c)]
            try:
                counts = _count(engine, body, text, prefix, conds)
                kept = counts[1:]
            except KqlError:
                kept = [_count(engine, body, text, A.Pipe(op.pos, prefix, [A.Where(c.pos, c)]))[0] for c in conds]
            stage.conditions = [Condition(t, k_, rows_in - k_) for t, k_ in zip(texts, kept)]
        stage.rows = _count(engine, body, text, full)[0]
        stages.append(stage)
    return stages
