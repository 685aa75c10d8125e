"""Aggregation functions for summarize: count, countif, dcount, dcountif, sum, sumif, avg, avgif, min, max,
minif, maxif, make_list/make_set (+ _if), take_any/any, stdev, variance, percentile(s).
arg_max/arg_min return several columns and are built by the summarize operator itself.
Names of unnamed results come from `AGG_PREFIX` (query/summarize-operator.md). `dcount` is exact here.
"""
from __future__ import annotations

from ..types import NUMERIC, E
from . import aggregate


def _val(a, i: int) -> str:
    e = a[i]
    if e.type == "string":
        return a.ec.nn(e)
    if e.type == "dynamic":
        return a.ec.to_json(e).sql
    return e.sql


@aggregate("count", prefix="count")
def f_count(a):
    a.check(0, 1)
    # summarize-operator.md: "the standard count function includes null values in its count" (count(y) counts rows)
    if len(a) == 1 and type(a.nodes[0]).__name__ != "Star":
        a[0]    # still compiled, so a bad argument is reported
    return E("count(*)", "long", True, empty="0")


@aggregate("countif", prefix="countif")
def f_countif(a):
    a.check(1)
    return E(f"count(*) FILTER (WHERE {a.ec.as_bool(a[0])})", "long", True)


@aggregate("dcount", prefix="dcount")
def f_dcount(a):
    a.check(1, 2)
    return E(f"count(DISTINCT {_val(a, 0)})", "long", True)


@aggregate("dcountif", prefix="dcountif")
def f_dcountif(a):
    a.check(2, 3)
    return E(f"count(DISTINCT {_val(a, 0)}) FILTER (WHERE {a.ec.as_bool(a[1])})", "long", True)


def _sum_type(t: str) -> str:
    return "real" if t in ("real", "decimal") else ("long" if t in ("int", "long", "bool") else t)


@aggregate("sum", prefix="sum")
def f_sum(a):
    a.check(1)
    e = a[0]
    t = _sum_type(e.type)
    if t not in NUMERIC and t != "timespan":
        raise a.error(f"sum(): cannot sum values of type {e.type}")
    return E(f"CAST(sum({e.sql}) AS {a.d.sql_types[t]})", t, empty="0")


@aggregate("sumif", prefix="sumif")
def f_sumif(a):
    a.check(2)
    e = a[0]
    t = _sum_type(e.type)
    return E(f"CAST(sum({e.sql}) FILTER (WHERE {a.ec.as_bool(a[1])}) AS {a.d.sql_types[t]})", t, empty="0")


@aggregate("avg", prefix="avg")
def f_avg(a):
    a.check(1)
    e = a[0]
    if e.type == "timespan":
        return E(f"CAST(avg({e.sql}) AS BIGINT)", "timespan")
    return E(f"avg({e.sql})", "real", empty="CAST('nan' AS DOUBLE)")


@aggregate("avgif", prefix="avgif")
def f_avgif(a):
    a.check(2)
    return E(f"avg({a[0].sql}) FILTER (WHERE {a.ec.as_bool(a[1])})", "real", empty="CAST('nan' AS DOUBLE)")


def _minmax(a, fn: str):
    a.check(1)
    e = a[0]
    if e.type == "dynamic":
        return E(f"{fn}(TRY_CAST(json_extract_string({a.ec.to_json(e).sql}, '$') AS DOUBLE))", "real")
    return E(f"{fn}({_val(a, 0) if e.type != 'string' else e.sql})", e.type)


@aggregate("min", prefix="min")
def f_min(a):
    return _minmax(a, "min")


@aggregate("max", prefix="max")
def f_max(a):
    return _minmax(a, "max")


@aggregate("minif", prefix="minif")
def f_minif(a):
    a.check(2)
    return E(f"min({a[0].sql}) FILTER (WHERE {a.ec.as_bool(a[1])})", a[0].type)


@aggregate("maxif", prefix="maxif")
def f_maxif(a):
    a.check(2)
    return E(f"max({a[0].sql}) FILTER (WHERE {a.ec.as_bool(a[1])})", a[0].type)


@aggregate("take_any", "any", prefix="any")
def f_take_any(a):
    a.check(1)
    e = a[0]
    return E(f"any_value({e.sql})", e.type)


def _collect(a, distinct: bool, cond: str | None, limit_arg: int, nulls: bool = False):
    e = a[0]
    if nulls:
        # make_list_with_nulls (make-list-with-nulls-aggregation-function.md): nulls are kept as null elements
        v = a.ec.to_json(e).sql if e.type == "dynamic" else f"to_json({_val(a, 0)})"
        if e.type not in ("dynamic", "string"):
            from .conversion import to_dynamic
            v = to_dynamic(a.c, e).sql
        inner = f"list(coalesce({v}, CAST('null' AS JSON)))"
        if len(a) > limit_arg:
            inner = f"list_slice({inner}, 1, {a[limit_arg].sql})"
        return E(f"coalesce(CAST(to_json({inner}) AS JSON), CAST('[]' AS JSON))", "dynamic", True, empty="CAST('[]' AS JSON)")
    if e.type == "dynamic":
        v = a.ec.to_json(e).sql
        # make_set/make_list flatten arrays (make-set-aggregation-function.md)
        items = (f"CASE WHEN json_type({v}) = 'ARRAY' THEN CAST(json_extract({v}, '$[*]') AS JSON[]) "
                 f"WHEN {v} IS NULL OR json_type({v}) = 'NULL' THEN CAST([] AS JSON[]) ELSE [{v}] END")
        if distinct:
            inner = f"list_distinct(flatten(list({items})))"
        else:
            inner = f"flatten(list({items}))"
        if cond:
            inner = inner.replace("list(" + items + ")", f"list({items}) FILTER (WHERE {cond})", 1)
    else:
        v = _val(a, 0)
        filt = f"{e.sql} IS NOT NULL" if e.type != "string" else "TRUE"
        if cond:
            filt = f"{filt} AND ({cond})"
        inner = f"list({'DISTINCT ' if distinct else ''}{v}) FILTER (WHERE {filt})"
    if len(a) > limit_arg:
        inner = f"list_slice({inner}, 1, {a[limit_arg].sql})"
    return E(f"coalesce(to_json({inner}), CAST('[]' AS JSON))", "dynamic", True)


@aggregate("make_set", "makeset", prefix="set")
def f_make_set(a):
    a.check(1, 2)
    return _collect(a, True, None, 1)


@aggregate("make_list", "makelist", prefix="list")
def f_make_list(a):
    a.check(1, 2)
    return _collect(a, False, None, 1)


@aggregate("make_set_if", prefix="set")
def f_make_set_if(a):
    a.check(2, 3)
    return _collect(a, True, a.ec.as_bool(a[1]), 2)


@aggregate("make_list_if", prefix="list")
def f_make_list_if(a):
    a.check(2, 3)
    return _collect(a, False, a.ec.as_bool(a[1]), 2)


@aggregate("make_list_with_nulls", prefix="list")
def f_make_list_with_nulls(a):
    a.check(1, 2)
    return _collect(a, False, None, 1, nulls=True)


def _num(a, i: int) -> str:
    e = a[i]
    if e.type == "dynamic":
        from .conversion import dynamic_number
        return dynamic_number(a.c, e).sql
    if e.type not in NUMERIC and e.type not in ("bool",):
        raise a.error(f"{a.call.name}(): needs a number, not {e.type}")
    return f"CAST({e.sql} AS DOUBLE)"


def _stat(a, fn: str, cond_arg: int | None):
    """stdev/variance (sample: one value gives 0, stdev-aggregation-function.md), stdevp/variancep (population)."""
    a.check(1 if cond_arg is None else 2)
    filt = f" FILTER (WHERE {a.ec.as_bool(a[cond_arg])})" if cond_arg is not None else ""
    x = _num(a, 0)
    if fn in ("stddev_samp", "var_samp"):
        # a single value has no sample deviation in SQL (NULL); Kusto gives 0
        return E(f"CASE WHEN count({x}){filt} = 1 THEN 0.0 ELSE {fn}({x}){filt} END", "real", empty="0")
    return E(f"{fn}({x}){filt}", "real", empty="0")


@aggregate("stdev", prefix="stdev")
def f_stdev(a):
    return _stat(a, "stddev_samp", None)


@aggregate("stdevif", prefix="stdevif")
def f_stdevif(a):
    return _stat(a, "stddev_samp", 1)


@aggregate("stdevp", prefix="stdevp")
def f_stdevp(a):
    return _stat(a, "stddev_pop", None)


@aggregate("variance", prefix="variance")
def f_variance(a):
    return _stat(a, "var_samp", None)


@aggregate("varianceif", prefix="varianceif")
def f_varianceif(a):
    return _stat(a, "var_samp", 1)


@aggregate("variancep", prefix="variancep")
def f_variancep(a):
    return _stat(a, "var_pop", None)


@aggregate("covariance", prefix="covariance")
def f_covariance(a):
    """covariance-aggregation-function.md: sample covariance, named covariance_x_y."""
    a.check(2)
    x, y = _num(a, 0), _num(a, 1)
    return E(f"CASE WHEN count({x} + {y}) = 1 THEN 0.0 ELSE covar_samp({y}, {x}) END", "real", empty="0")


@aggregate("covariancep", prefix="covariancep")
def f_covariancep(a):
    a.check(2)
    return E(f"covar_pop({_num(a, 1)}, {_num(a, 0)})", "real", empty="0")


def _bits(a, fn: str):
    a.check(1)
    e = a[0]
    if e.type not in ("int", "long"):
        raise a.error(f"{a.call.name}(): needs a long, not {e.type}")
    return E(f"CAST({fn}(CAST({e.sql} AS BIGINT)) AS BIGINT)", "long")


@aggregate("binary_all_and", prefix="binary_all_and")
def f_binary_all_and(a):
    """binary-all-and-aggregation-function.md"""
    return _bits(a, "bit_and")


@aggregate("binary_all_or", prefix="binary_all_or")
def f_binary_all_or(a):
    """binary-all-or-aggregation-function.md"""
    return _bits(a, "bit_or")


@aggregate("binary_all_xor", prefix="binary_all_xor")
def f_binary_all_xor(a):
    """binary-all-xor-aggregation-function.md"""
    return _bits(a, "bit_xor")


def nearest_rank(a, x: str, p) -> str:
    """percentile-aggregation-function.md: the nearest-rank percentile, exactly (Kusto estimates with T-Digest;
    exact on small inputs and within its error bound on large ones). P-th value = the ceil(P/100 * N)-th smallest
    (1-based), the 0-th percentile = the smallest. Computed with exact rationals so 55% of 20 is rank 11, not 12.
    DuckDB's quantile_disc uses a different rank (floor(q * (N - 1))) and is not used."""
    from fractions import Fraction
    try:
        f = Fraction(str(p))
    except (ValueError, TypeError):
        raise a.error(f"{a.call.name}(): the percentile must be a number")
    if f < 0 or f > 100:
        raise a.error(f"{a.call.name}(): the percentile must be between 0 and 100")
    num, den = f.numerator, f.denominator * 100
    rank = f"greatest(CAST((({num} * count({x})) + {den - 1}) // {den} AS BIGINT), 1)"
    return f"list_extract(list_sort(list({x}) FILTER (WHERE {x} IS NOT NULL)), {rank})"


def _pct_value(a):
    e = a[0]
    if e.type in NUMERIC or e.type in ("datetime", "timespan"):
        return e.sql, e.type
    if e.type == "dynamic":
        from .conversion import dynamic_number
        return dynamic_number(a.c, e).sql, "real"
    raise a.error(f"{a.call.name}(): cannot take a percentile of {e.type}")


@aggregate("percentile", prefix="percentile")
def f_percentile(a):
    a.check(2)
    x, t = _pct_value(a)
    p = a.const(1, "a constant percentile")
    return E(nearest_rank(a, x, p), t)


@aggregate("percentiles_array", prefix="percentiles")
def f_percentiles_array(a):
    """percentiles-aggregation-function.md: percentiles_array(x, p1, p2, ...) or (x, dynamic([...])) -> one array."""
    a.check(2, 64)
    x, t = _pct_value(a)
    ps = []
    for i in range(1, len(a)):
        v = a.const(i, "a constant percentile")
        ps.extend(v if isinstance(v, list) else [v])
    from .conversion import to_dynamic
    items = [to_dynamic(a.c, E(nearest_rank(a, x, p), t)).sql for p in ps]
    return E(f"CAST(to_json([{', '.join(items)}]::JSON[]) AS JSON)", "dynamic", True)


@aggregate("percentiles", prefix="percentile")
def f_percentiles(a):
    """percentiles(x, p1, p2, ...): one column per percentile, built by the summarize operator."""
    raise a.error("percentiles() must be a top-level aggregation of summarize")


@aggregate("arg_max", "arg_min", prefix="")
def f_arg_max(a):
    raise a.error(f"{a.call.name}() must be a top-level aggregation of summarize")
