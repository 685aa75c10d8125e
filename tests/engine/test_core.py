"""Core semantics of the engine, each against the Microsoft doc page that defines it."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from kqlhunt import KqlError


def rows(engine, q):
    r = engine.query(q)
    return r.columns, r.rows


def test_int_division_truncates_and_modulo_sign(engine):
    """query/numerical-operators.md: int/int is integer division; % result lies in [0, abs(divisor))."""
    assert rows(engine, "print a = 7/2, b = -7/2, c = -14 % 12, d = 14 % -12, e = 1.0/2")[1] == [(3, -3, 10, 2, 0.5)]


def test_null_comparisons(engine):
    """query/scalar-data-types/null-values.md: null == x is false, null != x is true; where drops null predicates."""
    q = "datatable(v:int)[5, int(null)] | extend eq = v == 5, ne = v != 5 | where ne or eq"
    assert rows(engine, q) == (["v", "eq", "ne"], [(5, True, False), (None, False, True)])


def test_strings_are_never_null(engine):
    """query/scalar-data-types/null-values.md: string has no null; isempty('') true, isnull('') false."""
    engine.register("T", pa.table({"s": pa.array([None, "a"], pa.string())}))
    q = "T | extend e = isempty(s), n = isnull(s), l = strlen(s), ne = s != 'a' | order by l asc"
    assert rows(engine, q) == (["s", "e", "n", "l", "ne"], [("", True, False, 0, True), ("a", False, False, 1, False)])


def test_extend_existing_column_moves_it_last(engine):
    """query/extend-operator.md (Returns): an existing column given a new value is removed and appended."""
    assert rows(engine, "print a=1, b=2 | extend a = 3") == (["b", "a"], [(2, 3)])


def test_extend_sees_earlier_items(engine):
    assert rows(engine, "print a=1 | extend b = a + 1, c = b * 10") == (["a", "b", "c"], [(1, 2, 20)])


def test_sort_defaults_desc_nulls_last(engine):
    """query/sort-operator.md: default desc; nulls last when descending, first when ascending."""
    q = "datatable(x:long)[2, long(null), 3, 1]"
    assert rows(engine, q + " | sort by x")[1] == [(3,), (2,), (1,), (None,)]
    assert rows(engine, q + " | sort by x asc")[1] == [(None,), (1,), (2,), (3,)]


def test_summarize_naming_and_empty_input(engine):
    """query/summarize-operator.md: count_ / min_x; no group-by over empty input gives one row."""
    q = "datatable(x:long, k:string)[1,'a', 5,'a', 2,'b'] | summarize count(), min(x), sum(x) by k | order by k asc"
    assert rows(engine, q) == (["k", "count_", "min_x", "sum_x"], [("a", 2, 1, 6), ("b", 1, 2, 2)])
    q = "datatable(x:long)[1] | where x > 5 | summarize count(), sum(x)"
    assert rows(engine, q) == (["count_", "sum_x"], [(0, 0)])


def test_join_kinds_and_right_name_suffix(engine):
    """query/join-operator.md: right columns whose names clash get a numeric suffix."""
    q = ("let L = datatable(k:string, v:long)['a',1, 'b',2]; let R = datatable(k:string, w:long)['a',10, 'c',30];"
         " L | join kind=inner R on k")
    assert rows(engine, q) == (["k", "v", "k1", "w"], [("a", 1, "a", 10)])
    q2 = q.replace("kind=inner", "kind=leftanti")
    assert rows(engine, q2) == (["k", "v"], [("b", 2)])


def test_join_innerunique_dedups_left(engine):
    """query/join-innerunique.md: the default kind keeps one left row per key."""
    q = ("let L = datatable(k:string, v:long)['a',1, 'a',1]; let R = datatable(k:string, w:long)['a',10, 'a',20];"
         " L | join R on k | project w | order by w asc")
    assert rows(engine, q)[1] == [(10,), (20,)]


def test_union_splits_columns_by_type(engine):
    """query/union-operator.md: same name, different types -> name_<type> columns."""
    q = "union (print x=1), (print x='a')"
    cols, data = rows(engine, q)
    assert cols == ["x_long", "x_string"]
    assert sorted(data, key=str) == sorted([(1, ""), (None, "a")], key=str)


def test_unsupported_function_names_itself_with_position(engine):
    with pytest.raises(KqlError) as info:
        engine.query("print x = 1\n| extend y = no_such_function(x)")
    assert str(info.value) == "unsupported: function no_such_function() at line 2:14"
    assert info.value.kind == "unsupported"


def test_unknown_column_is_a_semantic_error(engine):
    with pytest.raises(KqlError) as info:
        engine.query("print x = 1 | where y > 0")
    assert str(info.value) == "Failed to resolve scalar expression named 'y' at line 1:21"
    assert info.value.kind == "semantic"


def test_missing_table(engine):
    with pytest.raises(KqlError) as info:
        engine.query("SecurityEvent | take 1")
    assert str(info.value) == "unknown table or function 'SecurityEvent' at line 1:1"
    assert info.value.kind == "missing_table"


def test_reference_time_drives_now_and_ago(engine):
    assert rows(engine, "print n = now(), a = ago(1d)")[1] == [(
        dt.datetime(2024, 5, 1, 12, tzinfo=dt.timezone.utc), dt.datetime(2024, 4, 30, 12, tzinfo=dt.timezone.utc))]


def test_split_negative_index(engine):
    """query/split-function.md + scalar-data-types/dynamic.md: negative indexes count from the end."""
    assert rows(engine, r"print f = tostring(split(@'C:\Windows\System32\net.exe', '\\')[-1])")[1] == [("net.exe",)]


def test_let_tabular_and_toscalar(engine):
    q = "let T = range x from 1 to 5 step 1; let m = toscalar(T | summarize max(x)); T | where x == m"
    assert rows(engine, q) == (["x"], [(5,)])


def test_user_function_with_default(engine):
    q = "let f = (a:long, b:long = 10) { a * b }; print x = f(2), y = f(2, 3)"
    assert rows(engine, q)[1] == [(20, 6)]


def test_todatetime_us_slash_form(engine):
    """todatetime-function.md / parse-operator.md example: '02/17/2016 08:40:01' is month/day/year."""
    r = engine.query("print c = todatetime('02/17/2016 08:40:01'), v = todatetime(strcat('02/17/2016', ' 08:40:01'))")
    assert r.rows == [(dt.datetime(2016, 2, 17, 8, 40, 1, tzinfo=dt.timezone.utc),) * 2]


def test_innerunique_where_on_left_applies_before_dedup(engine):
    """query/join-innerunique.md: a where on left columns right after the join filters before deduplication."""
    q = ("let t1 = datatable(key:long, value:string)[1, 'val1.1', 1, 'val1.2'];"
         " let t2 = datatable(key:long, value:string)[1, 'val1.3', 1, 'val1.4'];"
         " t1 | join kind=innerunique t2 on key | where value == 'val1.2' | order by value1 asc")
    assert rows(engine, q)[1] == [(1, "val1.2", 1, "val1.3"), (1, "val1.2", 1, "val1.4")]
