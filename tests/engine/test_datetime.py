"""Date and time functions against the examples of Microsoft's KQL reference (MicrosoftDocs/dataexplorer-docs,
data-explorer/kusto/query/<page>). Most checks run twice: with constants (folded at compile time, full 100 ns ticks)
and with the same values in a datatable column (the SQL path, microsecond representation)."""
from __future__ import annotations

import datetime as dt

import pytest

from kqlhunt import KqlError

UTC = dt.timezone.utc


def D(*a) -> dt.datetime:
    return dt.datetime(*a, tzinfo=UTC)


def T(**k) -> dt.timedelta:
    return dt.timedelta(**k)


def both(engine, expr: str, value: str, typ: str = "datetime"):
    """Rows of `expr` over x = value, as a constant and as a column."""
    c = engine.query(f"let x = {typ}({value}); print r = {expr}")
    s = engine.query(f"datatable(x:{typ})[{typ}({value})] | project r = {expr}")
    assert c.types == s.types
    return c.rows[0][0], s.rows[0][0], c.types[0]


def test_datetime_diff_doc_example(engine):
    """datetime-diff-function.md: calendar boundaries crossed, weeks start on Sunday."""
    r = engine.query("""print
year = datetime_diff('year',datetime(2017-01-01),datetime(2000-12-31)),
quarter = datetime_diff('quarter',datetime(2017-07-01),datetime(2017-03-30)),
month = datetime_diff('month',datetime(2017-01-01),datetime(2015-12-30)),
week = datetime_diff('week',datetime(2017-10-29 00:00),datetime(2017-09-30 23:59)),
day = datetime_diff('day',datetime(2017-10-29 00:00),datetime(2017-09-30 23:59)),
hour = datetime_diff('hour',datetime(2017-10-31 01:00),datetime(2017-10-30 23:59)),
minute = datetime_diff('minute',datetime(2017-10-30 23:05:01),datetime(2017-10-30 23:00:59)),
second = datetime_diff('second',datetime(2017-10-30 23:00:10.100),datetime(2017-10-30 23:00:00.900)),
millisecond = datetime_diff('millisecond',datetime(2017-10-30 23:00:00.200100),datetime(2017-10-30 23:00:00.100900)),
microsecond = datetime_diff('microsecond',datetime(2017-10-30 23:00:00.1009001),datetime(2017-10-30 23:00:00.1008009)),
nanosecond = datetime_diff('nanosecond',datetime(2017-10-30 23:00:00.0000000),datetime(2017-10-30 23:00:00.0000007))""")
    assert r.columns == ["year", "quarter", "month", "week", "day", "hour", "minute", "second", "millisecond",
                         "microsecond", "nanosecond"]
    assert r.types == ["long"] * 11
    assert r.rows == [(17, 2, 13, 5, 29, 2, 5, 10, 100, 100, -700)]


def test_datetime_diff_columns(engine):
    """datetime-diff-function.md, the same pairs from a table (the SQL path)."""
    r = engine.query("""datatable(p:string, a:datetime, b:datetime)[
'year', datetime(2017-01-01), datetime(2000-12-31),
'quarter', datetime(2017-07-01), datetime(2017-03-30),
'month', datetime(2017-01-01), datetime(2015-12-30),
'week', datetime(2017-10-29 00:00), datetime(2017-09-30 23:59),
'day', datetime(2017-10-29 00:00), datetime(2017-09-30 23:59),
'hour', datetime(2017-10-31 01:00), datetime(2017-10-30 23:59),
'minute', datetime(2017-10-30 23:05:01), datetime(2017-10-30 23:00:59),
'second', datetime(2017-10-30 23:00:10.100), datetime(2017-10-30 23:00:00.900),
'millisecond', datetime(2017-10-30 23:00:00.200100), datetime(2017-10-30 23:00:00.100900),
'microsecond', datetime(2017-10-30 23:00:00.1009001), datetime(2017-10-30 23:00:00.1008009)]
| extend r = case(p == 'year', datetime_diff('year', a, b), p == 'quarter', datetime_diff('quarter', a, b),
  p == 'month', datetime_diff('month', a, b), p == 'week', datetime_diff('week', a, b),
  p == 'day', datetime_diff('day', a, b), p == 'hour', datetime_diff('hour', a, b),
  p == 'minute', datetime_diff('minute', a, b), p == 'second', datetime_diff('second', a, b),
  p == 'millisecond', datetime_diff('millisecond', a, b), datetime_diff('microsecond', a, b))
| project r""")
    assert [row[0] for row in r.rows] == [17, 2, 13, 5, 29, 2, 5, 10, 100, 100]


def test_datetime_part_doc_example(engine):
    """datetime-part-function.md (nanosecond needs the 7th digit: exact for constants)."""
    q = """let dt = datetime(2017-10-30 01:02:03.7654321);
print year = datetime_part("year", dt), quarter = datetime_part("quarter", dt), month = datetime_part("month", dt),
weekOfYear = datetime_part("week_of_year", dt), day = datetime_part("day", dt),
dayOfYear = datetime_part("dayOfYear", dt), hour = datetime_part("hour", dt), minute = datetime_part("minute", dt),
second = datetime_part("second", dt), millisecond = datetime_part("millisecond", dt),
microsecond = datetime_part("microsecond", dt), nanosecond = datetime_part("nanosecond", dt)"""
    r = engine.query(q)
    assert r.types == ["int"] * 12
    assert r.rows == [(2017, 4, 10, 44, 30, 303, 1, 2, 3, 765, 765432, 765432100)]
    s = engine.query(q.replace("let dt = datetime(2017-10-30 01:02:03.7654321);\nprint",
                               "datatable(dt:datetime)[datetime(2017-10-30 01:02:03.7654321)] | project"))
    # a column holds microseconds: the 100 ns digit is gone
    assert s.rows == [(2017, 4, 10, 44, 30, 303, 1, 2, 3, 765, 765432, 765432000)]


@pytest.mark.parametrize("value,week", [("2020-12-31", 53), ("2020-06-15", 25), ("1970-01-01", 1), ("2000-01-01", 52)])
def test_week_of_year(engine, value, week):
    """week-of-year-function.md: ISO 8601 weeks."""
    c, s, t = both(engine, "week_of_year(x)", value)
    assert (c, s, t) == (week, week, "int")


def test_format_datetime_doc_examples(engine):
    """format-datetime-function.md: the three examples."""
    for fmt, want in [("yy-MM-dd [HH:mm:ss]", "17-01-29 [09:00:05]"), ("yyyy-M-dd [H:mm:ss]", "2017-1-29 [9:00:05]"),
                      ("yy-MM-dd [hh:mm:ss tt]", "17-01-29 [09:00:05 AM]")]:
        c, s, t = both(engine, f"format_datetime(x, '{fmt}')", "2017-01-29 09:00:05")
        assert (c, s, t) == (want, want, "string")


@pytest.mark.parametrize("value,fmt,want", [
    ("2009-06-15T13:45:30.6170000", "f", "6"), ("2009-06-15T13:45:30.05", "f", "0"),
    ("2009-06-15T13:45:30.0050000", "ff", "00"), ("2009-06-15T13:45:30.0005", "fff", "000"),
    ("2009-06-15T13:45:30.6175400", "fffff", "61754"), ("2009-06-15T13:45:30.0001150", "fffffff", "0001150"),
    ("2009-06-15T13:45:30.0500000", "F", ""), ("2009-06-15T13:45:30.6170000", "FFF", "617"),
    ("2009-06-15T13:45:30.5275000", "FFFF", "5275"), ("2009-06-15T13:45:30.0001150", "FFFFFFF", "000115"),
    ("2009-06-15T13:45:30", "h", "1"), ("2009-06-15T13:45:30", "hh", "01"), ("2009-06-15T01:45:30", "H", "1"),
    ("2009-06-15T01:09:30", "m", "9"), ("2009-06-15T13:45:09", "s", "9"), ("2009-06-15T13:45:09", "tt", "PM"),
    ("0001-01-01T00:00:00", "y", "1"), ("0900-01-01T00:00:00", "yy", "00"), ("0900-01-01T00:00:00", "yyyy", "0900"),
    ("2019-06-15T13:45:30", "y", "19"), ("2009-06-01T13:45:30", "d", "1"), ("2009-06-15T13:45:30", "M", "6"),
])
def test_format_datetime_specifiers(engine, value, fmt, want):
    """format-datetime-function.md, the table of specifiers (a lone 'd' is the day of month)."""
    c, s, _ = both(engine, f"format_datetime(x, '{fmt}')", value)
    assert c == want and s == want


def test_format_datetime_seventh_digit(engine):
    """format-datetime-function.md: 'fffffff' of 30.6175425 is 6175425 (exact for a constant)."""
    c, s, _ = both(engine, "format_datetime(x, 'fffffff')", "2009-06-15T13:45:30.6175425")
    assert c == "6175425"
    assert s == "6175420"   # a column keeps microseconds


@pytest.mark.parametrize("fmt", ["ss.FFF", "ddd", "MMM", "yyy", "yyyy-MM-ddTHH", "t", "dd'x'"])
def test_format_datetime_undocumented_is_unsupported(engine, fmt):
    """format-datetime-function.md lists the specifiers and delimiters; anything else is not guessed."""
    with pytest.raises(KqlError, match="unsupported"):
        engine.query(f'print format_datetime(datetime(2017-01-29 09:00:05), "{fmt}")')


def test_format_datetime_non_constant_format_unsupported(engine):
    with pytest.raises(KqlError, match="unsupported"):
        engine.query("datatable(f:string)['yyyy'] | project format_datetime(datetime(2017-01-29), f)")


def test_format_datetime_null(engine):
    """A null datetime formats as an empty string (strings are never null)."""
    r = engine.query("datatable(x:datetime)[datetime(null)] | project r = format_datetime(x, 'yyyy')")
    assert r.rows == [("",)]


def test_format_timespan_doc_example(engine):
    """format-timespan-function.md"""
    for fmt, want in [("dd.hh:mm:ss:FF", "29.09:00:05:12"), ("ddd.h:mm:ss [fffffff]", "029.9:00:05 [1234500]")]:
        c, s, t = both(engine, f"format_timespan(x, '{fmt}')", "29.09:00:05.12345", "time")
        assert (c, s, t) == (want, want, "string")


def test_format_timespan_days_wider_than_format(engine):
    """format-timespan-function.md: d..dddddddd pad with zeros; more days than digits are all printed."""
    c, s, _ = both(engine, "format_timespan(x, 'd:HH')", "123.04:00:00", "time")
    assert c == s == "123:04"


def test_bin_doc_examples(engine):
    """bin-function.md"""
    r = engine.query("print a = bin(4.5, 1), b = bin(time(16d), 7d), c = bin(datetime(1970-05-11 13:45:07), 1d)")
    assert r.types == ["real", "timespan", "datetime"]
    assert r.rows == [(4.0, T(days=14), D(1970, 5, 11))]
    c, s, _ = both(engine, "bin(x, 1d)", "1970-05-11 13:45:07")
    assert c == s == D(1970, 5, 11)


def test_bin_negative_values_and_bad_sizes(engine):
    """bin-function.md: rounds down (toward -inf); a zero or negative bin size gives null."""
    r = engine.query("datatable(x:long, t:timespan)[-7, time(-1h)] | project a = bin(x, 2), b = bin(t, 7m), "
                     "c = bin(x, 0), d = bin(x, -2), e = bin(datetime(1969-12-31 23:59:59), 1h)")
    assert r.rows == [(-8, T(minutes=-63), None, None, D(1969, 12, 31, 23))]


def test_bin_at_doc_examples(engine):
    """bin-at-function.md"""
    r = engine.query("print a = bin_at(6.5, 2.5, 7), b = bin_at(time(1h), 1d, 12h), "
                     "c = bin_at(datetime(2017-05-15 10:20:00.0), 1d, datetime(1970-01-01 12:00:00.0)), "
                     "d = bin_at(datetime(2017-05-17 10:20:00.0), 7d, datetime(2017-06-04 00:00:00.0))")
    assert r.types == ["real", "timespan", "datetime", "datetime"]
    assert r.rows == [(4.5, T(hours=-12), D(2017, 5, 14, 12), D(2017, 5, 14))]
    r = engine.query("""datatable(Date:datetime, NumOfEvents:int)[
datetime(2018-02-24T15:14),3, datetime(2018-02-24T15:24),4, datetime(2018-02-23T16:14),4,
datetime(2018-02-23T17:29),4, datetime(2018-02-26T15:14),5]
| summarize TotalEvents=sum(NumOfEvents) by bin_at(Date, 1d, datetime(2018-02-24 15:14:00.0000000))
| sort by Date asc""")
    assert r.columns == ["Date", "TotalEvents"]
    assert r.rows == [(D(2018, 2, 23, 15, 14), 8), (D(2018, 2, 24, 15, 14), 7), (D(2018, 2, 26, 15, 14), 5)]


def test_startof_endof_with_offsets(engine):
    """startofday/-week/-month/-year and endof* pages: `range offset from -1 to 1` examples; weeks start Sunday."""
    r = engine.query("""range offset from -1 to 1 step 1
| project d = startofday(datetime(2017-01-01 10:10:17), offset), w = startofweek(datetime(2017-01-01 10:10:17), offset),
  m = startofmonth(datetime(2017-01-01 10:10:17), offset), y = startofyear(datetime(2017-01-01 10:10:17), offset),
  ed = endofday(datetime(2017-01-01 10:10:17), offset), ew = endofweek(datetime(2017-01-01 10:10:17), offset),
  em = endofmonth(datetime(2017-01-01 10:10:17), offset), ey = endofyear(datetime(2017-01-01 10:10:17), offset)""")
    last = dict(hour=23, minute=59, second=59, microsecond=999999)
    assert r.rows == [
        (D(2016, 12, 31), D(2016, 12, 25), D(2016, 12, 1), D(2016, 1, 1),
         D(2016, 12, 31).replace(**last), D(2016, 12, 31).replace(**last), D(2016, 12, 31).replace(**last),
         D(2016, 12, 31).replace(**last)),
        (D(2017, 1, 1), D(2017, 1, 1), D(2017, 1, 1), D(2017, 1, 1),
         D(2017, 1, 1).replace(**last), D(2017, 1, 7).replace(**last), D(2017, 1, 31).replace(**last),
         D(2017, 12, 31).replace(**last)),
        (D(2017, 1, 2), D(2017, 1, 8), D(2017, 2, 1), D(2018, 1, 1),
         D(2017, 1, 2).replace(**last), D(2017, 1, 14).replace(**last), D(2017, 2, 28).replace(**last),
         D(2018, 12, 31).replace(**last)),
    ]


def test_endofday_constant_keeps_last_tick(engine):
    """endofday-function.md: 23:59:59.9999999 (a folded constant prints all seven digits)."""
    r = engine.query("print r = format_datetime(endofday(datetime(2017-01-01 10:10:17)), 'HH:mm:ss.fffffff')")
    assert r.rows == [("23:59:59.9999999",)]


def test_startofweek_from_monday_doc_example(engine):
    """startofweek-function.md: a Monday-based week with datetime_add."""
    r = engine.query("""let startofweekFromMonday = (dateArg: datetime) {
    datetime_add('day', 1, startofweek(datetime_add('day', -1, dateArg)))
};
datatable(Date: datetime)[datetime(2025, 6, 14), datetime(2025, 6, 15), datetime(2025, 6, 16), datetime(2025, 6, 17)]
| extend MondayWeek=startofweekFromMonday(Date)""")
    assert [row[1] for row in r.rows] == [D(2025, 6, 9), D(2025, 6, 9), D(2025, 6, 16), D(2025, 6, 16)]


def test_datetime_add_doc_examples(engine):
    """datetime-add-function.md"""
    r = engine.query("""print year = datetime_add('year',-5,make_datetime(2017,1,1)),
quarter = datetime_add('quarter',12,make_datetime(2017,1,1)), month = datetime_add('month',-15,make_datetime(2017,1,1)),
week = datetime_add('week',100,make_datetime(2017,1,1))""")
    assert r.rows == [(D(2012, 1, 1), D(2020, 1, 1), D(2015, 10, 1), D(2018, 12, 2))]
    for period, n, want in [("month", 1, D(2017, 2, 28)), ("year", 1, D(2018, 1, 31)), ("hour", -1, D(2017, 1, 30, 23)),
                            ("millisecond", 1500, D(2017, 1, 31, 0, 0, 1, 500000))]:
        c, s, _ = both(engine, f"datetime_add('{period}', {n}, x)", "2017-01-31")
        assert c == s == want


def test_make_datetime_and_make_timespan(engine):
    """make-datetime-function.md, make-timespan-function.md"""
    r = engine.query("print a = make_datetime(2017,10,01), b = make_datetime(2017,10,01,12,10), "
                     "c = make_datetime(2017,10,01,12,11,0.1234567), d = make_datetime(2017,13,01), "
                     "e = make_timespan(1,12,30,55.123), f = make_timespan(2, 30), g = tostring(make_timespan(1,12,30,55.123))")
    assert r.types == ["datetime"] * 4 + ["timespan", "timespan", "string"]
    assert r.rows == [(D(2017, 10, 1), D(2017, 10, 1, 12, 10), D(2017, 10, 1, 12, 11, 0, 123456), None,
                       T(days=1, hours=12, minutes=30, seconds=55, microseconds=123000), T(hours=2, minutes=30),
                       "1.12:30:55.1230000")]
    r = engine.query("datatable(y:long, m:long, s:real)[2017, 10, 0.1234567, 2017, 13, 1.0] "
                     "| project a = make_datetime(y, m, 1, 12, 11, s), b = make_timespan(1, 12, 30, s)")
    assert r.rows == [(D(2017, 10, 1, 12, 11, 0, 123456), T(days=1, hours=12, minutes=30, microseconds=123456)),
                      (None, T(days=1, hours=12, minutes=30, seconds=1))]


def test_unixtime_todatetime(engine):
    """unixtime-seconds/-milliseconds/-microseconds/-nanoseconds-todatetime-function.md"""
    for fn, v in [("seconds", "1546300800"), ("milliseconds", "1546300800000"),
                  ("microseconds", "1546300800000000"), ("nanoseconds", "1546300800000000000")]:
        c, s, t = both(engine, f"unixtime_{fn}_todatetime(x)", v, "long")
        assert (c, s, t) == (D(2019, 1, 1), D(2019, 1, 1), "datetime")
    c, s, _ = both(engine, "unixtime_seconds_todatetime(x)", "-1.5", "real")
    assert c == s == D(1969, 12, 31, 23, 59, 58, 500000)


def test_datetime_local_to_utc_doc_examples(engine):
    """datetime-local-to-utc-function.md, including the DST gap of Europe/Brussels."""
    r = engine.query("""datatable(local_dt: datetime, tz: string)
[ datetime(2020-02-02 20:02:20), 'US/Pacific', datetime(2020-02-02 20:02:20), 'America/Chicago',
  datetime(2020-02-02 20:02:20), 'Europe/Paris']
| extend utc_dt = datetime_local_to_utc(local_dt, tz)""")
    assert [row[2] for row in r.rows] == [D(2020, 2, 3, 4, 2, 20), D(2020, 2, 3, 2, 2, 20), D(2020, 2, 2, 19, 2, 20)]
    r = engine.query("""range Local from datetime(2022-03-27 01:00:00.0000000) to datetime(2022-03-27 04:00:00.0000000) step 1h
| extend UTC=datetime_local_to_utc(Local, 'Europe/Brussels')
| extend BackToLocal=datetime_utc_to_local(UTC, 'Europe/Brussels')
| extend diff=Local-BackToLocal""")
    assert r.rows == [
        (D(2022, 3, 27, 1), D(2022, 3, 27, 0), D(2022, 3, 27, 1), T()),
        (D(2022, 3, 27, 2), D(2022, 3, 27, 0), D(2022, 3, 27, 1), T(hours=1)),
        (D(2022, 3, 27, 3), D(2022, 3, 27, 1), D(2022, 3, 27, 3), T()),
        (D(2022, 3, 27, 4), D(2022, 3, 27, 2), D(2022, 3, 27, 4), T()),
    ]


def test_datetime_utc_to_local_doc_example(engine):
    """datetime-utc-to-local-function.md: US/Pacific - Australia/Canberra = -17h in July 2022."""
    r = engine.query("print dt=datetime(2022-07-11 22:18:48.4678620) | extend pacific_dt = datetime_utc_to_local(dt, "
                     "'US/Pacific'), canberra_dt = datetime_utc_to_local(dt, 'Australia/Canberra') "
                     "| extend diff = pacific_dt - canberra_dt")
    assert r.rows == [(D(2022, 7, 11, 22, 18, 48, 467862), D(2022, 7, 11, 15, 18, 48, 467862),
                       D(2022, 7, 12, 8, 18, 48, 467862), T(hours=-17))]
    r = engine.query("datatable(tz:string)['Not/AZone'] | project r = datetime_utc_to_local(datetime(2022-01-01), tz)")
    assert r.rows == [(None,)]


@pytest.mark.parametrize("text,want", [
    ("2014-05-25T08:20:03.123456Z", D(2014, 5, 25, 8, 20, 3, 123456)), ("2014-05-25T08:20", D(2014, 5, 25, 8, 20)),
    ("2014-11-08 15:55:55", D(2014, 11, 8, 15, 55, 55)), ("2014-11-08", D(2014, 11, 8)),
    ("Sat, 8 Nov 14 15:05:02 GMT", D(2014, 11, 8, 15, 5, 2)), ("8 Nov 14 15:05", D(2014, 11, 8, 15, 5)),
    ("Saturday, 08-Nov-14 15:05:02 GMT", D(2014, 11, 8, 15, 5, 2)), ("08-Nov-14 15:05", D(2014, 11, 8, 15, 5)),
    ("2014-11-8 15:05:25", D(2014, 11, 8, 15, 5, 25)), ("2014-11-08T15:05 GMT", D(2014, 11, 8, 15, 5)),
    ("2014-05-25T08:20:03+02:00", D(2014, 5, 25, 6, 20, 3)), ("12-02-2022", D(2022, 12, 2)),
    ("not a date", None), ("2017-02-30", None),
])
def test_todatetime_documented_formats(engine, text, want):
    """scalar-data-types/datetime.md (supported formats), todatetime-function.md."""
    c = engine.query(f"print r = todatetime('{text}')").rows[0][0]
    s = engine.query(f"datatable(s:string)['{text}'] | project r = todatetime(s)").rows[0][0]
    assert c == s == want


@pytest.mark.parametrize("text,want", [
    ("0.00:01:00", T(minutes=1)), ("1.02:03:04.5", T(days=1, hours=2, minutes=3, seconds=4.5)),
    ("-00:10:00", T(minutes=-10)), ("2d", T(days=2)), ("1.5h", T(hours=1.5)), ("100ms", T(milliseconds=100)),
    ("10microsecond", T(microseconds=10)), ("15 seconds", T(seconds=15)), ("2", T(days=2)), ("x1", None),
])
def test_totimespan(engine, text, want):
    """totimespan-function.md (totimespan("0.00:01:00") == time(1min)), scalar-data-types/timespan.md forms."""
    c = engine.query(f"print r = totimespan('{text}')").rows[0][0]
    s = engine.query(f"datatable(s:string)['{text}'] | project r = totimespan(s)").rows[0][0]
    assert c == s == want


def test_dayofweek_and_parts(engine):
    """dayofweek-function.md (a timespan, Sunday = 0), getyear/monthofyear/dayofmonth/dayofyear/hourofday pages."""
    c, s, t = both(engine, "dayofweek(x)", "1947-11-30 10:00:05")
    assert (c, s, t) == (T(), T(), "timespan")
    c, s, _ = both(engine, "dayofweek(x)", "1970-05-11")
    assert c == s == T(days=1)
    r = engine.query("datatable(x:datetime)[datetime(2015-12-31 23:59:59.9)] | project getyear(x), monthofyear(x), "
                     "getmonth(x), dayofmonth(x), dayofyear(x), hourofday(x)")
    assert r.types == ["int"] * 6
    assert r.rows == [(2015, 12, 12, 31, 365, 23)]


def test_now_and_ago_use_reference_time(engine):
    """now-function.md, ago-function.md: the engine's reference time (Engine(now=...))."""
    r = engine.query("print a = now(), b = ago(1h), c = now(-1d), d = ago(-30m)")
    assert r.rows == [(D(2024, 5, 1, 12), D(2024, 5, 1, 11), D(2024, 4, 30, 12), D(2024, 5, 1, 12, 30))]
    r = engine.query("datatable(t:timespan)[1h] | project ago(t)")
    assert r.rows == [(D(2024, 5, 1, 11),)]
