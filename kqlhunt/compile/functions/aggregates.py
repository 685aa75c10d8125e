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
    if len(a) == 0 or type(a.nodes[0]).__name__ == "Star":
        return E("count(*)", "long", True)
    return E(f"count({a[0].sql})", "long", True)


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


def _collect(a, distinct: bool, cond: str | None, limit_arg: int):
    e = a[0]
    if e.type == "dynamic":
        v = a.ec.to_json(e).sql
        # make_set/make_list flatten arrays (make-set-aggregation-function.md)
        items = (f"CASE WHEN json_type({v}) = 'ARRAY' THEN CAST(json_extract({v}, '$[*]') AS JSON[]) "
                 f"WHEN {v} IS NULL OR json_type({v}) = 'NULL' THEN CAST([] AS JSON[]) ELSE [{v}] END")
        if distinct:
            inner = f"list_distinct(flatten(list({items}{' ORDER BY ' + v if False else ''}){''}))"
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


@aggregate("stdev", prefix="stdev")
def f_stdev(a):
    a.check(1)
    return E(f"coalesce(stddev_samp({a[0].sql}), 0)", "real", empty="0")


@aggregate("variance", prefix="variance")
def f_variance(a):
    a.check(1)
    return E(f"coalesce(var_samp({a[0].sql}), 0)", "real", empty="0")


@aggregate("arg_max", "arg_min", prefix="")
def f_arg_max(a):
    raise a.error(f"{a.call.name}() must be a top-level aggregation of summarize")
