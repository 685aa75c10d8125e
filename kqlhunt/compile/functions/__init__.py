"""The scalar and aggregate function tables. Each family module registers its functions with `@scalar(...)` or
`@aggregate(...)`; a handler receives `Args` (the call's arguments, compiled on demand) and returns an `E`.

Adding a function is adding one decorated handler in the module of its family.
"""
from __future__ import annotations

from typing import Callable

SCALARS: dict[str, Callable] = {}
AGGREGATES: dict[str, Callable] = {}
# aggregate name -> output column prefix when unnamed (query/summarize-operator.md): count() -> count_, make_set(x) -> set_x
AGG_PREFIX: dict[str, str] = {}


def scalar(*names: str):
    def register(fn):
        for n in names:
            SCALARS[n] = fn
        return fn
    return register


def aggregate(*names: str, prefix: str | None = None):
    def register(fn):
        for n in names:
            AGGREGATES[n] = fn
            AGG_PREFIX[n] = prefix if prefix is not None else n
        return fn
    return register


from . import (conversion, core, strings, datetime_fns, dynamic, math_fns, aggregates,  # noqa: E402,F401
               formatting, encoding, ipv4, parsing, arrays, bags, window)
