"""Dynamic values, arrays, bags and sets, each against the Microsoft doc page that defines it (query/<page>.md)."""
from __future__ import annotations

import pytest

from kqlhunt import KqlError


def q(engine, text):
    r = engine.query(text)
    return r.columns, r.types, r.rows


def one(engine, text):
    return engine.query(text).rows[0]


def test_access_and_negative_index(engine):
    """query/scalar-data-types/dynamic.md: o.key, o['key'], negative indexes count from the end; access is dynamic."""
    cols, types, rows = q(engine, "print d = dynamic({'a': {'b': [1, 2, 3]}, 'x y': 'v'}) "
                                  "| project b = d.a.b[-1], c = d['x y'], e = d.a['b'][0], m = d.nope")
    assert cols == ["b", "c", "e", "m"] and types == ["dynamic"] * 4
    assert rows == [(3, "v", 1, None)]


def test_split_item_stays_a_string(engine):
    """query/split-function.md: elements of split() are strings, also when they look like numbers."""
    assert one(engine, 'print a = pack_array(split("1,2", ",")[0]), b = split("x,y", ",")[-1]') == (["1"], "y")


def test_tostring_of_dynamic(engine):
    """semantics §10 / query/tostring-function.md: strings without quotes, arrays and bags as JSON text."""
    assert one(engine, "print a = tostring(dynamic('s')), b = tostring(dynamic([1,2])), c = tostring(dynamic(null))") == \
        ("s", "[1,2]", "")


def test_array_length_and_bag_keys_shapes(engine):
    """query/array-length-function.md, query/bag-keys-function.md: null for the wrong shape, [] for {}."""
    assert one(engine, "print a = array_length(dynamic([1,2])), b = array_length(dynamic({'a':1})), "
                       "c = bag_keys(dynamic({})), d = bag_keys(dynamic([1]))") == (2, None, [], None)


def test_array_slice(engine):
    """query/array-slice-function.md: inclusive end, negative indexes from the end."""
    assert one(engine, "let a = dynamic([1,2,3,4,5]); print x = array_slice(a, 1, 2), y = array_slice(a, 2, -1), "
                       "z = array_slice(a, -3, -2), w = array_slice(a, 7, 9)") == ([2, 3], [3, 4, 5], [3, 4], [])


def test_array_index_of(engine):
    """query/array-index-of-function.md: the doc's nine cases."""
    text = """let arr=dynamic(["this", "is", "an", "example", "an", "example"]);
print idx1 = array_index_of(arr,"an"), idx2 = array_index_of(arr,"example",1,3), idx3 = array_index_of(arr,"example",1,2),
 idx4 = array_index_of(arr,"is",2,4), idx5 = array_index_of(arr,"example",2,-1), idx6 = array_index_of(arr, "an", 1, -1, 2),
 idx7 = array_index_of(arr, "an", 1, -1, 3), idx8 = array_index_of(arr, "an", -3), idx9 = array_index_of(arr, "is", -4),
 bad = array_index_of(arr, "an", 0, -2)"""
    assert one(engine, text) == (2, 3, -1, -1, 3, 4, -1, 4, -1, None)


def test_array_sort_multi_column_naming(engine):
    """query/array-sort-asc-function.md: several arrays give several columns named <arg>_sorted, nulls last."""
    cols, types, rows = q(engine, 'let array1 = dynamic([1,3,4,5,2]); let array2 = dynamic(["a","b","c","d","e"]);\n'
                                  "print array_sort_asc(array1, array2)")
    assert cols == ["array1_sorted", "array2_sorted"] and rows == [([1, 2, 3, 4, 5], ["a", "e", "b", "c", "d"])]
    assert one(engine, 'print r = array_sort_asc(dynamic([null,"blue","yellow","green",null]), false)') == \
        ([None, None, "blue", "green", "yellow"],)
    cols, _, rows = q(engine, "print x = dynamic([2, 1]) | extend (p, r) = array_sort_desc(x, dynamic(['a','b','c']))")
    assert cols == ["x", "p", "r"] and rows == [([2, 1], [2, 1], None)]


def test_array_sort_desc_on_split(engine):
    """query/array-sort-desc-function.md example 2."""
    assert one(engine, 'print r = strcat_array(array_sort_desc(split("John,Paul,Jane,Kayo", ",")), ",")') == \
        ("Paul,Kayo,John,Jane",)


def test_shift_rotate_split_sum_iff(engine):
    """query/array-shift-left-function.md, array-rotate-right-function.md, array-split-function.md, array-sum-function.md,
    array-iff-function.md."""
    row = one(engine, "let a = dynamic([1,2,3,4,5]); print s = array_shift_left(a, -2, -1), r = array_rotate_right(a, -2), "
                      "p = array_split(a, dynamic([1,3])), t = array_sum(dynamic([1,2,3,4])), "
                      "i = array_iff(dynamic([true, 0, 'x']), 1, dynamic([7])), v = array_reverse(a)")
    assert row == ([-1, -1, 1, 2, 3], [3, 4, 5, 1, 2], [[1], [2, 3], [4, 5]], 10.0, [1, None, None], [5, 4, 3, 2, 1])


def test_sets_and_zip_and_concat(engine):
    """query/set-union-function.md, set-intersect-function.md, set-difference-function.md, set-has-element-function.md,
    zip-function.md, array-concat-function.md."""
    row = one(engine, "print u = set_union(dynamic([1,2,1]), dynamic([3,2])), i = set_intersect(dynamic([1,2]), dynamic([2,3])), "
                      "d = set_difference(dynamic([1,2,3]), dynamic([1])), h = set_has_element(dynamic(['a']), 'a'), "
                      "z = zip(dynamic([1,3,5]), dynamic([2,4])), c = array_concat(dynamic([1]), dynamic(['a']))")
    assert row == ([1, 2, 3], [2], [2, 3], True, [[1, 2], [3, 4], [5, None]], [1, "a"])


def test_range_function(engine):
    """query/range-function.md: inclusive stop, 1h default step for timespans, capped at 1,048,576 values."""
    assert one(engine, "print a = range(1, 8, 3), b = range(1h, 3h), c = array_length(range(1, 1000000000))") == \
        ([1, 4, 7], ["01:00:00", "02:00:00", "03:00:00"], 1048576)


def test_bags(engine):
    """query/bag-merge-function.md, bag-remove-keys-function.md, bag-set-key-function.md, bag-has-key-function.md,
    bag-zip.md, bag-pack-columns-function.md."""
    row = one(engine, "let b = dynamic({'key1': 123, 'key2': {'prop1': 'abc', 'prop2': 'xyz'}, 'key3': [100, 200]});\n"
                      "print m = bag_merge(dynamic({'A1':12, 'B1':2}), dynamic({'A2':81, 'A1':1})), "
                      "r = bag_remove_keys(b, dynamic(['$.key2.prop1', 'key3'])), "
                      "s = bag_set_key(dynamic({'key1': 123}), '$.key2.prop1', 'abc'), "
                      "h = bag_has_key(b, '$.key2.prop2'), z = bag_zip(dynamic(['a', 8, 'b', 'c']), dynamic([1, '2', 2.5]))")
    assert row == ({"A1": 12, "B1": 2, "A2": 81}, {"key1": 123, "key2": {"prop2": "xyz"}},
                   {"key1": 123, "key2": {"prop1": "abc"}}, True, {"a": 1, "b": 2.5, "c": None})
    cols, _, rows = q(engine, 'datatable(Id: string, Value: long)["A", 1] | extend P = bag_pack_columns(Id, Value), '
                              'Q = pack_all()')
    assert rows == [("A", 1, {"Id": "A", "Value": 1}, {"Id": "A", "Value": 1})]


def test_dynamic_to_json_sorts_keys(engine):
    """query/dynamic-to-json-function.md: keys sorted at every level (constant and run-time values)."""
    assert one(engine, "print a = dynamic_to_json(dynamic({'b': 1, 'a': {'d': [1, {'z': 1, 'y': 2}], 'c': 2}}))") == \
        ('{"a":{"c":2,"d":[1,{"y":2,"z":1}]},"b":1}',)
    assert one(engine, "datatable(d:dynamic)[dynamic({'b': [{'z': 1, 'y': 2}], 'a': 1})] | project j = dynamic_to_json(d)") == \
        ('{"a":1,"b":[{"y":2,"z":1}]}',)


def test_extract_json(engine):
    """query/extract-json-function.md"""
    assert one(engine, 'print a = extract_json("$.hosts[1].AvailableMB", \'{"hosts":[{"AvailableMB":1},{"AvailableMB":5}]}\', '
                       'typeof(int)), b = extract_json("$.name", \'{"name": "John"}\'), c = extract_json("$.x", "not json")') == \
        (5, "John", "")


def test_unsupported_is_loud(engine):
    """Anything not implemented raises `unsupported` (issue 2)."""
    with pytest.raises(KqlError, match="unsupported"):
        engine.query("print bag_remove_keys(dynamic({'a': [1]}), dynamic(['$.a[0]']))")
    with pytest.raises(KqlError, match="unsupported"):
        engine.query("print x = dynamic([1]) | summarize by array_sort_asc(x, x)")
