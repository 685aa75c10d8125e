"""summarize aggregates and naming, each against the Microsoft doc page that defines it (query/<page>.md)."""
from __future__ import annotations

import math


def q(engine, text):
    r = engine.query(text)
    return r.columns, r.types, r.rows


def test_output_naming_and_duplicates(engine):
    """query/summarize-operator.md: <fn>_<col>, make_set -> set_, duplicates get 1, covariance_x_y."""
    cols, _, _ = q(engine, "range x from 1 to 4 step 1 | extend y = x * 2 | summarize count(), make_set(y), make_set(y), "
                           "make_list(x), dcountif(x, x > 1), covariance(x, y), percentile(x, 55)")
    assert cols == ["count_", "set_y", "set_y1", "list_x", "dcountif_x", "covariance_x_y", "percentile_x_55"]


def test_empty_input_defaults(engine):
    """query/summarize-operator.md: no group-by over empty input gives one row of defaults."""
    cols, _, rows = q(engine, "range x from 1 to 3 step 1 | where x > 5 | summarize count(), sum(x), avg(x), stdev(x), "
                              "make_list(x), make_bag(pack('a', x)), max(x)")
    (row,) = rows
    assert row[:2] == (0, 0) and math.isnan(row[2]) and row[3:] == (0.0, [], {}, None)
    assert q(engine, "range x from 1 to 3 step 1 | where x > 5 | summarize count() by x")[2] == []


def test_count_of_a_column_counts_rows(engine):
    """query/summarize-operator.md: "the standard count function includes null values in its count"."""
    assert q(engine, "range x from 1 to 2 step 1 | extend y = iff(x == 1, real(null), real(5)) | summarize count(y)")[2] == [(2,)]


def test_make_list_with_nulls_and_limits(engine):
    """query/make-list-with-nulls-aggregation-function.md, make-list-aggregation-function.md (maxSize)."""
    text = "datatable(v:int)[int(null), 4, 5] | summarize a = make_list_with_nulls(v), b = make_list(v), c = make_list(v, 1)"
    assert q(engine, text)[2] == [([None, 4, 5], [4, 5], [4])]


def test_make_set_flattens_arrays(engine):
    """query/make-set-aggregation-function.md: array values contribute their elements."""
    (row,) = q(engine, "datatable(d:dynamic)[dynamic([1,2]), dynamic([2,3])] | summarize s = make_set(d)")[2]
    assert sorted(row[0]) == [1, 2, 3]


def test_make_bag(engine):
    """query/make-bag-aggregation-function.md, make-bag-if-aggregation-function.md."""
    text = """datatable(prop:string, value:string, ok:bool)["prop01", "val_a", true, "prop02", "val_b", false, "prop03", "val_c", true]
| extend p = bag_pack(prop, value) | summarize a = make_bag(p), b = make_bag_if(p, ok)"""
    assert q(engine, text)[2] == [({"prop01": "val_a", "prop02": "val_b", "prop03": "val_c"},
                                   {"prop01": "val_a", "prop03": "val_c"})]


def test_arg_min_all_null_keys_and_star_order(engine):
    """query/arg-min-aggregation-function.md: by-columns, then the key, then the other columns; a group whose keys are
    all null still returns a row."""
    text = """datatable(Fruit: string, Color: string, Version: int) ["Apple", "Red", 1, "Apple", "Green", int(null),
    "Banana", "Yellow", int(null), "Pear", "Brown", 1, "Pear", "Green", 2]
| summarize arg_min(Version, *) by Fruit | sort by Fruit asc"""
    cols, _, rows = q(engine, text)
    assert cols == ["Fruit", "Version", "Color"]
    assert rows == [("Apple", 1, "Red"), ("Banana", None, "Yellow"), ("Pear", 1, "Brown")]


def test_percentiles_nearest_rank(engine):
    """query/percentiles-aggregation-function.md: nearest-rank (the ceil(P/100*N)-th smallest, P=0 is the minimum)."""
    cols, _, rows = q(engine, "range x from 1 to 20 step 1 | summarize percentile(x, 55), percentiles(x, 0, 50, 99.5), "
                              "p = percentiles_array(x, 10, 100)")
    assert cols == ["percentile_x_55", "percentile_x_0", "percentile_x_50", "percentile_x_99_5", "p"]
    assert rows == [(11, 1, 10, 20, [2, 20])]


def test_stdev_variance_family(engine):
    """query/stdevif-aggregation-function.md (sqrt(850) over even 2..100), variancep, stdevp, binary_all_and."""
    (row,) = q(engine, "range x from 1 to 100 step 1 | summarize stdevif(x, x % 2 == 0), variancep(x), variance(x), "
                       "stdev(toreal(1))")[2]
    assert math.isclose(row[0], 29.1547594742265) and math.isclose(row[1], 833.25) and math.isclose(row[2], 841.6666666666666)
    assert row[3] == 0.0
    assert q(engine, "datatable(num:long)[0xFFFFFFFF, 0xFFFFF00F, 0xCFFFFFFD, 0xFAFEFFFF] "
                     "| summarize result = toupper(tohex(binary_all_and(num)))")[2] == [("CAFEF00D",)]
