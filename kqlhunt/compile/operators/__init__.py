"""The tabular operator tables: `OPERATORS` maps an operator node type to `handler(compiler, rel, op, scope) -> Rel`;
`SOURCES` maps a source node type (datatable, print, range, union, search) to `handler(compiler, node, scope) -> Rel`.
One module per operator family registers its entries with `@operator(...)` / `@source(...)`.
"""
from __future__ import annotations

from typing import Callable

OPERATORS: dict[type, Callable] = {}
SOURCES: dict[type, Callable] = {}


def operator(*node_types: type):
    def register(fn):
        for t in node_types:
            OPERATORS[t] = fn
        return fn
    return register


def source(*node_types: type):
    def register(fn):
        for t in node_types:
            SOURCES[t] = fn
        return fn
    return register


from . import (basic, sort, summarize, sources, join, union,  # noqa: E402,F401
               mvexpand, mvapply, parse, parsekv, evaluate, invoke, topnested, serialize, makeseries, search)
