"""How Kusto names columns nobody named: `extend tolower(x)` -> Column1, `project d.Name` -> d_Name,
`print 1` -> print_0, duplicates -> Name1, Name2 (query/extend-operator.md, print-operator.md)."""
from __future__ import annotations

from dataclasses import fields

from ...kql import ast as A


def expr_name(node: A.Node) -> str | None:
    """The name Kusto derives from an expression, or None when it would invent ColumnN."""
    if isinstance(node, A.Name):
        return node.name
    if isinstance(node, A.Member):
        base = expr_name(node.expr)
        return f"{base}_{node.name}" if base else None
    if isinstance(node, A.Index) and isinstance(node.index, A.Literal) and node.index.type == "string":
        base = expr_name(node.expr)
        return f"{base}_{node.index.value}" if base else None
    return None


def unique(name: str, taken) -> str:
    """name, or name1, name2... if taken."""
    if name not in taken:
        return name
    i = 1
    while f"{name}{i}" in taken:
        i += 1
    return f"{name}{i}"


class ColumnCounter:
    """Hands out Column1, Column2, ... skipping names already taken."""

    def __init__(self, prefix: str = "Column", start: int = 1):
        self.prefix, self.n = prefix, start

    def next(self, taken) -> str:
        while f"{self.prefix}{self.n}" in taken:
            self.n += 1
        name = f"{self.prefix}{self.n}"
        self.n += 1
        return name


def names_in(node) -> set[str]:
    """Every Name referenced inside an expression tree (to know when an extend item uses an earlier one)."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, A.Name):
            out.add(n.name)
        elif isinstance(n, list):
            stack.extend(n)
        elif isinstance(n, A.Node):
            for f in fields(n):
                v = getattr(n, f.name, None)
                if isinstance(v, (A.Node, list)):
                    stack.append(v)
    return out


def wildcard_match(pattern: str, name: str) -> bool:
    if "*" not in pattern:
        return pattern == name
    import fnmatch
    return fnmatch.fnmatchcase(name, pattern)
