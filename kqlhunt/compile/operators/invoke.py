"""invoke (query/invoke-operator.md): `T | invoke F(args)` calls F with T as its first (tabular) parameter."""
from __future__ import annotations

from ...kql import ast as A
from ..compiler import FunctionBinding, Rel, Scope
from . import operator


@operator(A.Invoke)
def invoke(c, rel: Rel, op: A.Invoke, scope) -> Rel:
    call = op.call
    b = scope.lookup(call.name)
    if not isinstance(b, FunctionBinding):
        stored = c.catalog.function(call.name)
        if stored is None:
            raise c.error(f"invoke: unknown function '{call.name}'", call)
        func, src = stored
        b = FunctionBinding(call.name, func, Scope(), src)
    result = c.call_function(b, call, scope, input_rel=rel)
    if not isinstance(result, Rel):
        raise c.error(f"invoke: function '{call.name}' returns a scalar, not a table", call)
    return result


# column_names_of(T) (query/column-names-of-function.md) is a scalar over a *table*: the compile-time list of its
# column names. It lives here with the other helpers for functions that take tables.
from ..functions import scalar  # noqa: E402


@scalar("column_names_of")
def f_column_names_of(a):
    a.check(1)
    node = a.nodes[0]
    if not a.c.is_tabular(node, a.ctx.scope):
        raise a.error("column_names_of(): the argument must be a table")
    rel = a.c.tabular(node, a.ctx.scope)
    return a.ec.const(list(rel.columns), "dynamic")
