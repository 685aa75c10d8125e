"""IPv4 functions: exact results; each test cites its doc page (data-explorer/kusto/query/...)."""
from __future__ import annotations


def q(engine, text):
    r = engine.query(text)
    return r.columns, r.types, r.rows


def test_parse_ipv4(engine):
    """parse-ipv4-function.md and parse-ipv4-mask-function.md: big-endian long, a prefix masks, invalid -> null."""
    assert q(engine, 'print a = parse_ipv4("127.0.0.1"), b = parse_ipv4("127.0.0.1/24"), c = parse_ipv4("256.0.0.1"), '
                     'd = parse_ipv4_mask("127.0.0.1", 24), e = parse_ipv4_mask("192.1.168.2", 31), f = parse_ipv4("x")') == (
        ["a", "b", "c", "d", "e", "f"], ["long"] * 6, [(2130706433, 2130706432, None, 2130706432, 3221334018, None)])


def test_compare_match_range(engine):
    """ipv4-compare-function.md, ipv4-is-match-function.md, ipv4-is-in-range-function.md."""
    assert q(engine, 'print a = ipv4_compare("127.0.0.1", "127.0.0.2"), b = ipv4_compare("192.168.1.1", "192.168.1.255", 24), '
                     'c = ipv4_is_match("192.168.1.1/24", "192.168.1.255"), d = ipv4_is_in_range("10.1.2.3", "10.1.0.0/16"), '
                     'e = ipv4_is_in_range("10.2.2.3", "10.1.0.0/16"), f = ipv4_compare("x", "1.2.3.4")')[2] == [
        (-1, 0, True, True, False, None)]


def test_is_private(engine):
    """ipv4-is-private-function.md: 10/8, 172.16/12, 192.168/16."""
    assert q(engine, 'print a = ipv4_is_private("10.1.2.3"), b = ipv4_is_private("172.31.255.255"), '
                     'c = ipv4_is_private("172.32.0.1"), d = ipv4_is_private("192.168.1.1/24"), e = ipv4_is_private("8.8.8.8")')[2] == [
        (True, True, False, True, False)]


def test_format_ipv4_doc(engine):
    """format-ipv4-function.md / format-ipv4-mask-function.md example table."""
    rows = q(engine, 'datatable(address:string, mask:long)["192.168.1.1", 24, "192.168.1.1", 32, "192.168.1.1/24", 32, '
                     '"192.168.1.1/24", long(-1)] | extend result = format_ipv4(address, mask), result_mask = format_ipv4_mask(address, mask)')[2]
    assert rows == [("192.168.1.1", 24, "192.168.1.0", "192.168.1.0/24"), ("192.168.1.1", 32, "192.168.1.1", "192.168.1.1/32"),
                    ("192.168.1.1/24", 32, "192.168.1.0", "192.168.1.0/24"), ("192.168.1.1/24", -1, "", "")]


def test_has_ipv4_family(engine):
    """has-ipv4-function.md, has-ipv4-prefix-function.md, has-any-ipv4(-prefix)-function.md examples: valid,
    invalid and improperly delimited addresses."""
    rows = q(engine, 'print a = has_ipv4("05:04:54 127.0.0.1 GET /favicon.ico 404", "127.0.0.1"), '
                     'b = has_ipv4("05:04:54 127.0.0.256 GET /favicon.ico 404", "127.0.0.256"), '
                     'c = has_ipv4("05:04:54127.0.0.1 GET /favicon.ico 404", "127.0.0.1"), '
                     'd = has_ipv4_prefix("05:04:54 127.0.0.1 GET /favicon.ico 404", "127.0."), '
                     'e = has_ipv4_prefix("05:04:54 127.0.0.1 GET /favicon.ico 404", "127.0"), '
                     'f = has_ipv4_prefix("05:04:54 127.0.0.256 GET /favicon.ico 404", "127.0."), '
                     'g = has_any_ipv4("05:04:54 127.0.0.1 GET /favicon.ico 404", dynamic(["127.0.0.1", "127.0.0.2"])), '
                     'h = has_any_ipv4("05:04:54 127.0.0.256 GET", dynamic(["127.0.0.256", "192.168.1.1"])), '
                     'i = has_any_ipv4_prefix("05:04:54 127.0.0.1 GET /favicon.ico 404", "127.0.", "192.168."), '
                     'j = has_ipv4("Source address is 10.1.2.3:1234", "10.1.2.3")')[2]
    assert rows == [(True, False, False, True, False, False, True, False, True, True)]


def test_has_ipv4_column_needle(engine):
    """has-ipv4-function.md with the address from a column."""
    rows = q(engine, 'datatable(t:string, ip:string)["a 10.0.0.1 b", "10.0.0.1", "a10.0.0.1", "10.0.0.1", "x 1.2.3.4", "1.2.3.999"] '
                     '| extend r = has_ipv4(t, ip)')[2]
    assert [r[2] for r in rows] == [True, False, False]
