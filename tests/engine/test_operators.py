"""Tabular operators beyond the core ones: exact results of Microsoft's documented examples (each test cites its page
under data-explorer/kusto/query/) plus edge cases the pages state in prose."""
from __future__ import annotations

import datetime as dt

import pytest

from kqlhunt import KqlError

UTC = dt.timezone.utc


def q(engine, text):
    r = engine.query(text)
    return r.columns, r.types, [tuple(x) for x in r.rows]


# ------------------------------------------------------------------------------------------ mv-expand
def test_mv_expand_array(engine):
    """mv-expand-operator.md: single column, array expansion."""
    cols, types, rows = q(engine, "datatable (a: int, b: dynamic)[1, dynamic([10, 20]), 2, dynamic(['a', 'b'])] | mv-expand b")
    assert cols == ["a", "b"] and types == ["int", "dynamic"]
    assert sorted(rows, key=str) == sorted([(1, 10), (1, 20), (2, "a"), (2, "b")], key=str)


def test_mv_expand_bag_and_parallel_padding(engine):
    """mv-expand-operator.md: a bag expands to single-key bags; two columns expand in parallel, padded with null."""
    _, _, rows = q(engine, 'datatable (a: int, b: dynamic, c: dynamic)[1, dynamic({"prop1": "a", "prop2": "b"}), '
                           'dynamic([5, 4, 3])] | mv-expand b, c')
    assert rows == [(1, {"prop1": "a"}, 5), (1, {"prop2": "b"}, 4), (1, None, 3)]


def test_mv_expand_null_empty_typeof_kind_array_limit_index(engine):
    """mv-expand-operator.md: null -> one row; empty array/bag -> no row; `to typeof()` casts (non-conforming -> null);
    kind=array gives [key, value]; limit caps rows per input row; with_itemindex is 0-based."""
    _, types, rows = q(engine, 'datatable(a:int, b:dynamic)[1, dynamic(null), 2, dynamic([]), 3, dynamic({}), '
                               '4, dynamic([1, "x", 7])] | mv-expand b to typeof(long)')
    assert types == ["int", "long"]
    assert rows == [(1, None), (4, 1), (4, None), (4, 7)]
    cols, types, rows = q(engine, 'datatable(a:int, b:dynamic)[1, dynamic({"x":1, "y":[2]})] '
                                  '| mv-expand kind=array with_itemindex=i b limit 1')
    assert cols == ["a", "b", "i"] and types == ["int", "dynamic", "long"]
    assert rows == [(1, ["x", 1], 0)]


def test_mv_expand_itemindex_after_summarize(engine):
    """mv-expand-operator.md: with_itemindex."""
    cols, _, rows = q(engine, "range x from 1 to 4 step 1 | summarize x = make_list(x) | mv-expand with_itemindex=Index x")
    assert cols == ["x", "Index"]
    assert sorted(rows) == [(1, 0), (2, 1), (3, 2), (4, 3)]


def test_mv_expand_split_and_non_dynamic(engine):
    """mv-expand-operator.md: the expanded expression must be dynamic (split() returns an array)."""
    cols, _, rows = q(engine, 'print s="a,b" | mv-expand x=split(s, ",") to typeof(string)')
    assert cols == ["s", "x"] and rows == [("a,b", "a"), ("a,b", "b")]
    with pytest.raises(KqlError):
        engine.query("datatable(a:int)[1] | mv-expand a")


# ------------------------------------------------------------------------------------------ parse
TRACES = '''let Traces = datatable(EventText: string)[
"Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=23, lockTime=02/17/2016 08:40:01, releaseTime=2016-02-17 08:40:01, previousLockTime=02/17/2016 08:39:01)",
"Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=x27, sliceNumber=15, lockTime=02/17/2016 08:40:00, releaseTime=2016-02-17 08:40:00, previousLockTime=02/17/2016 08:39:00)",
"Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=20, lockTime=02/17/2016 08:40:01, releaseTime=notadate, previousLockTime=02/17/2016 08:39:01)"];
'''


def test_parse_simple_all_or_nothing(engine):
    """parse-operator.md / parse-where-operator.md: kind=simple is strict; a failing delimiter or type nulls every
    extracted column (strings ""), the row is kept."""
    cols, types, rows = q(engine, TRACES + 'Traces | parse EventText with * "resourceName=" resourceName ", totalSlices=" '
                          'totalSlices: long * "sliceNumber=" sliceNumber: long * "releaseTime=" releaseTime: datetime "," * '
                          '| project resourceName, totalSlices, sliceNumber, releaseTime')
    assert types == ["string", "long", "long", "datetime"]
    assert rows == [("PipelineScheduler", 27, 23, dt.datetime(2016, 2, 17, 8, 40, 1, tzinfo=UTC)),
                    ("", None, None, None), ("", None, None, None)]


def test_parse_where_drops(engine):
    """parse-where-operator.md: rows that do not parse are dropped."""
    _, _, rows = q(engine, TRACES + 'Traces | parse-where EventText with * "sliceNumber=" n: long ", lockTime=" * '
                   '"releaseTime=" r: datetime "," * | project n')
    assert rows == [(23,), (15,)]


def test_parse_relaxed_per_column(engine):
    """parse-operator.md (relaxed mode): only the column that fails its type is null."""
    _, _, rows = q(engine, TRACES + 'Traces | parse kind=relaxed EventText with * "totalSlices=" totalSlices: long '
                   '", sliceNumber=" sliceNumber: long * "releaseTime=" releaseTime: datetime "," * '
                   '| project totalSlices, sliceNumber, isnull(releaseTime)')
    assert rows == [(27, 23, False), (None, 15, False), (27, 20, True)]


def test_parse_regex_greedy_and_flags(engine):
    """parse-operator.md (regex mode with flags): without flags string columns are greedy; flags=Ui is lazy and
    case-insensitive (semantics.md §4 follows the examples)."""
    base = 'print t="a=1, b=2, c=3" | parse kind=regex '
    assert q(engine, base + 't with * "a=" v "," * | project v')[2] == [("1, b=2",)]
    assert q(engine, base + 'flags=Ui t with * "A=" v "," * | project v')[2] == [("1",)]


def test_parse_last_column_takes_rest(engine):
    """parse-operator.md: a pattern ending in a column extracts the rest of the text; the pattern is matched from the
    start (use a leading * to skip)."""
    assert q(engine, 'print s="user=bob role=admin" | parse s with "user=" u " role=" r | project u, r')[2] == [("bob", "admin")]
    assert q(engine, 'print s="x user=bob" | parse s with "user=" u | project u')[2] == [("",)]


# ------------------------------------------------------------------------------------------ parse-kv
def test_parse_kv_delimiters(engine):
    """parse-kv-operator.md: specified delimiters; keys and values are trimmed."""
    cols, types, rows = q(engine, 'print str="ThreadId:458745723, Machine:Node001, Text: The service is up, Level: Info" '
                          "| parse-kv str as (Text: string, ThreadId:long, Machine: string) with (pair_delimiter=',', "
                          "kv_delimiter=':') | project-away str")
    assert cols == ["Text", "ThreadId", "Machine"] and types == ["string", "long", "string"]
    assert rows == [("The service is up", 458745723, "Node001")]


def test_parse_kv_quote_escape_greedy(engine):
    """parse-kv-operator.md: quoted keys/values, escapes, greedy mode, missing key -> null/""."""
    _, _, rows = q(engine, "print str='src=10.1.1.123 failure=\"the remote host sent \\\\\"bye!\\\\\"\" \"event time\"=2021-01-01T10:00:54' "
                   "| parse-kv str as (['event time']:datetime, src:string, failure:string, nokey:string, nolong:long) "
                   "with (pair_delimiter=' ', kv_delimiter='=', quote='\"', escape='\\\\') | project-away str")
    assert rows == [(dt.datetime(2021, 1, 1, 10, 0, 54, tzinfo=UTC), "10.1.1.123", 'the remote host sent "bye!"', "", None)]
    base = "print str='name=John Doe phone=555 5555 city=New York' | parse-kv str as (name:string, phone:string, city:string) "
    assert q(engine, base + "with (pair_delimiter=' ', kv_delimiter='=') | project-away str")[2] == [("John", "555", "New")]
    assert q(engine, base + "with (pair_delimiter=' ', kv_delimiter='=', greedy=true) | project-away str")[2] == \
        [("John Doe", "555 5555", "New York")]


def test_parse_kv_no_delimiters_and_regex(engine):
    """parse-kv-operator.md: non-specified delimiters and regex= (the ASIM Sysmon parser's form)."""
    _, _, rows = q(engine, "print str=\"2021-01-01T10:00:34 [INFO] ThreadId:458745723, Machine:Node001, Text: 'The service \\\\' is up'\" "
                   "| parse-kv str as (Text: string, ThreadId:long, Machine: string) with (quote=\"'\", escape='\\\\') "
                   "| project-away str")
    assert rows == [("The service ' is up", 458745723, "Node001")]
    _, _, rows = q(engine, "print EventData='<Data Name=\"Image\">C:\\\\a.exe</Data><Data Name=\"Hashes\">{x}</Data>' "
                   "| parse-kv EventData as (Image:string, Hashes:string, Other:string) "
                   "with (regex=@'<Data Name=\"(\\w+)\">{?([^<]*?)}?</Data>') | project-away EventData")
    assert rows == [("C:\\a.exe", "x", "")]


# ------------------------------------------------------------------------------------------ mv-apply
def test_mv_apply_top_and_itemindex(engine):
    """mv-apply-operator.md: top per subtable; with_itemindex; rows whose subquery returns nothing disappear."""
    base = "let data = datatable (row: int, Arr: dynamic)[0, dynamic([5, 1, 3]), 1, dynamic([4, 10, 8, 7])]; data "
    cols, types, rows = q(engine, base + "| mv-apply topElem=Arr to typeof(long) on (top 1 by topElem)")
    assert cols == ["row", "Arr", "topElem"] and types == ["int", "dynamic", "long"]
    assert sorted(rows) == [(0, [5, 1, 3], 5), (1, [4, 10, 8, 7], 10)]
    cols, _, rows = q(engine, base + "| mv-apply with_itemindex=index value=Arr to typeof(long) on (where index >= 2)")
    assert cols == ["row", "Arr", "value", "index"]
    assert sorted(rows) == [(0, [5, 1, 3], 3, 2), (1, [4, 10, 8, 7], 7, 3), (1, [4, 10, 8, 7], 8, 2)]


def test_mv_apply_summarize_parallel(engine):
    """mv-apply-operator.md: two arrays expanded in parallel (null padded), summarized per row; an expanded column
    replaced in place is not repeated."""
    _, _, rows = q(engine, "datatable (Val: int, Arr1: dynamic, Arr2: dynamic)[1, dynamic(['A1', 'A2']), "
                   "dynamic(['B1', 'B2', 'B3']), 5, dynamic(['C1', 'C2']), dynamic(['D1'])] "
                   "| mv-apply T1=Arr1, T2=Arr2 on (extend Out = strcat(T1, '_', T2) | summarize Out = make_list(Out))")
    assert sorted(rows) == [(1, ["A1", "A2"], ["B1", "B2", "B3"], ["A1_B1", "A2_B2", "_B3"]),
                            (5, ["C1", "C2"], ["D1"], ["C1_D1", "C2_"])]
    cols, _, rows = q(engine, "print k=1, a=dynamic([3, 1, 2]) | mv-apply a to typeof(long) on (summarize s=sum(a))")
    assert cols == ["k", "s"] and rows == [(1, 6)]


# ------------------------------------------------------------------------------------------ invoke, project-by-names
def test_invoke_and_project_by_names(engine):
    """invoke-operator.md; project-by-names-operator.md: column_names_of(), unknown names are ignored."""
    cols, _, rows = q(engine, """let LookupTable = datatable(Name:string, Age:int, City:string, Country:string)
        ['Peter', 39, 'New York', 'USA'];
        let LookupColumns = (Source:(Name:string), lookup_columns: dynamic) {
            Source | lookup LookupTable on Name | project-by-names column_names_of(Source), lookup_columns };
        datatable(Name:string, Data:string)['Peter', 'Source-data']
        | invoke LookupColumns(dynamic(['Country', 'NonExistent']))""")
    assert cols == ["Name", "Data", "Country"] and rows == [("Peter", "Source-data", "USA")]


# ------------------------------------------------------------------------------------------ bag_unpack
def test_bag_unpack(engine):
    """bag-unpack-plugin.md: slots sorted by name, types from the data (dynamic when they differ), prefix, conflicts,
    ignoredProperties, output schema."""
    data = 'datatable(d:dynamic)[dynamic({"Name": "John", "Age":20}), dynamic({"Name": "Dave", "Height": 170, "Age":40.5})]'
    cols, types, rows = q(engine, data + " | evaluate bag_unpack(d)")
    assert cols == ["Age", "Height", "Name"] and types == ["dynamic", "long", "string"]
    assert rows == [(20, None, "John"), (40.5, 170, "Dave")]
    cols, _, _ = q(engine, data + " | evaluate bag_unpack(d, 'P_', ignoredProperties=dynamic(['Height']))")
    assert cols == ["P_Age", "P_Name"]
    conflict = 'datatable(Name:string, d:dynamic)["Old", dynamic({"Name": "John", "Age":20})]'
    assert q(engine, conflict + " | evaluate bag_unpack(d, columnsConflict='keep_source')")[2] == [("Old", 20)]
    assert q(engine, conflict + " | evaluate bag_unpack(d, columnsConflict='replace_source')")[2] == [(20, "John")]
    with pytest.raises(KqlError):
        engine.query(conflict + " | evaluate bag_unpack(d)")
    cols, types, rows = q(engine, 'datatable(d:dynamic, Description: string)[dynamic({"Name": "John", "Age":20, "h":1}), '
                          '"Student"] | evaluate bag_unpack(d) : (*, Name:string, Age:long)')
    assert cols == ["Description", "Name", "Age"] and rows == [("Student", "John", 20)]


# ------------------------------------------------------------------------------------------ union, top-nested, serialize
def test_union_views_wildcard_and_as_label(engine):
    """union-operator.md: wildcards match let views; as-operator.md: `(T | as Name)` names the leg in withsource."""
    _, _, rows = q(engine, "let View_1 = view () { print x=1 }; let View_2 = view () { print x=1 }; "
                   "let OtherView_1 = view () { print x=1 }; union isfuzzy=true View*, SomeView*, OtherView* | count")
    assert rows == [(3,)]
    _, _, rows = q(engine, "union withsource=T (range x from 1 to 2 step 1 | as T1), (range x from 1 to 1 step 1 | as T2)")
    assert sorted(rows) == [("T1", 1), ("T1", 2), ("T2", 1)]


def test_top_nested(engine):
    """top-nested-operator.md: top N per level within the kept groups of the previous level."""
    cols, _, rows = q(engine, 'datatable(s:string, c:string, v:long)["a","x",1, "a","y",5, "a","z",3, "b","x",10, '
                      '"c","q",2] | top-nested 2 of s by T=sum(v), top-nested 1 of c by M=sum(v)')
    assert cols == ["s", "T", "c", "M"]
    assert sorted(rows) == [("a", 9, "y", 5), ("b", 10, "x", 10)]
    with pytest.raises(KqlError, match="unsupported"):
        engine.query('datatable(s:string)["a"] | top-nested 1 of s with others="o" by T=count()')


def test_serialize_extend(engine):
    """serialize-operator.md: serialize may extend columns; row_number() numbers the serialized rows
    (row-number-function.md); the rank functions that need windows over windows stay a loud error."""
    assert q(engine, "range x from 1 to 2 step 1 | serialize y = x * 2")[2] == [(1, 2), (2, 4)]
    assert q(engine, "range x from 1 to 3 step 1 | sort by x desc | extend r = row_number(), p = prev(x)")[2] == [
        (3, 1, None), (2, 2, 3), (1, 3, 2)]
    with pytest.raises(KqlError):
        engine.query("range x from 1 to 2 step 1 | serialize | extend r = row_rank_min(x)")
    with pytest.raises(KqlError):
        engine.query("print x = 1 | summarize by x | extend r = row_number()")
