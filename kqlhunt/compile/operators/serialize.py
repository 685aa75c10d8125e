"""serialize (query/serialize-operator.md): marks the row set as serialized (its current order is kept) and may
extend columns like `extend`. Window functions (row_number, prev, next, row_cumsum, row_rank_*) are not implemented
yet: they raise the "needs a serialized row set" error (compile/expr.py), never a guessed order."""
from __future__ import annotations

from dataclasses import replace

from ...kql import ast as A
from ..compiler import Rel
from . import operator
from .basic import extend


@operator(A.Serialize)
def serialize(c, rel: Rel, op: A.Serialize, scope) -> Rel:
    if op.items:
        rel = extend(c, rel, A.Extend(op.pos, op.items), scope)
    return replace(rel, ordered=True)
