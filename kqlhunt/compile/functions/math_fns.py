"""Numeric functions: abs, round, ceiling, sqrt, pow, exp, log, log2, log10, sign, isnan, isinf, isfinite,
min_of, max_of, rand, pi."""
from __future__ import annotations

from ..types import E
from . import scalar


def _real(a, i: int) -> str:
    return f"CAST({a[i].sql} AS DOUBLE)"


@scalar("abs")
def f_abs(a):
    a.check(1)
    return E(f"abs({a[0].sql})", a[0].type)


@scalar("round")
def f_round(a):
    a.check(1, 2)
    if len(a) == 1:
        return E(f"round({a[0].sql})", a[0].type)
    return E(f"round({_real(a, 0)}, {a[1].sql})", "real")


@scalar("ceiling")
def f_ceiling(a):
    a.check(1)
    return E(f"ceil({a[0].sql})", a[0].type)


@scalar("sqrt")
def f_sqrt(a):
    a.check(1)
    return E(f"CASE WHEN {a[0].sql} < 0 THEN CAST('nan' AS DOUBLE) ELSE sqrt({_real(a, 0)}) END", "real")


@scalar("pow")
def f_pow(a):
    a.check(2)
    return E(f"pow({_real(a, 0)}, {_real(a, 1)})", "real")


@scalar("exp")
def f_exp(a):
    a.check(1)
    return E(f"exp({_real(a, 0)})", "real")


def _log(a, base: str):
    a.check(1)
    x = _real(a, 0)
    return E(f"CASE WHEN {x} < 0 THEN CAST('nan' AS DOUBLE) WHEN {x} = 0 THEN CAST('-inf' AS DOUBLE) ELSE {base}({x}) END",
             "real")


@scalar("log")
def f_log(a):
    return _log(a, "ln")


@scalar("log2")
def f_log2(a):
    return _log(a, "log2")


@scalar("log10")
def f_log10(a):
    return _log(a, "log10")


@scalar("sign")
def f_sign(a):
    a.check(1)
    return E(f"sign({a[0].sql})", a[0].type)


@scalar("isnan")
def f_isnan(a):
    a.check(1)
    return E(f"isnan({_real(a, 0)})", "bool")


@scalar("isinf")
def f_isinf(a):
    a.check(1)
    return E(f"isinf({_real(a, 0)})", "bool")


@scalar("isfinite")
def f_isfinite(a):
    a.check(1)
    return E(f"isfinite({_real(a, 0)})", "bool")


@scalar("pi")
def f_pi(a):
    a.check(0)
    return E("pi()", "real", True)


@scalar("rand")
def f_rand(a):
    a.check(0, 1)
    if len(a) == 1:
        return E(f"CAST(floor(random() * {a[0].sql}) AS BIGINT)", "long", True)
    return E("random()", "real", True)


def _of(a, fn: str):
    a.check(2, 64)
    from .core import unify
    t, items = unify(a, a.all())
    # min_of/max_of ignore nulls (max-of-function.md)
    return E(f"{fn}({', '.join(e.sql for e in items)})", t)


@scalar("max_of")
def f_max_of(a):
    return _of(a, "greatest")


@scalar("min_of")
def f_min_of(a):
    return _of(a, "least")
