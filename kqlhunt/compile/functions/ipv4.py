"""IPv4 functions (query/parse-ipv4-function.md, parse-ipv4-mask-function.md, ipv4-compare-function.md,
ipv4-is-match-function.md, ipv4-is-in-range-function.md, ipv4-is-private-function.md, format-ipv4*-function.md,
has-ipv4*-function.md, has-any-ipv4*-function.md).

An address is four dot-separated decimal octets (0-255), optionally followed by `/prefix` (0-32); anything else
is invalid (null, or false for the has_* functions). A prefix masks the address: `parse_ipv4("127.0.0.1/24")` =
2130706432. Where two prefixes meet (ip's own and an argument), the smaller wins. SQL helpers: `kql_ipv4_*` macros.

In text (has_ipv4 and friends) an address counts only when delimited by non-alphanumeric characters (or the text's
ends): the has-ipv4 page's rule, with letters and digits as in the has-family terms ([\\pL\\pN]).
IPv6 functions are not implemented (they raise unsupported).
"""
from __future__ import annotations

import re

from ..types import E
from . import scalar

OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
EDGE_L = r"(?:^|[^\pL\pN])"
EDGE_R = r"(?:$|[^\pL\pN])"


def _s(a, i: int) -> str:
    return a.ec.nn(a[i])


def _prefix_arg(a, i: int) -> str:
    e = a[i]
    if e.type not in ("int", "long"):
        raise a.error(f"{a.call.name}(): the prefix must be an integer")
    return e.sql


def _addr(a, i: int) -> tuple[str, str]:
    """(masked long, prefix) SQL for argument i (a string address, or for format_ipv4 a long)."""
    e = a[i]
    if e.type in ("int", "long"):
        v = f"CAST({e.sql} AS BIGINT)"
        return f"CASE WHEN {v} BETWEEN 0 AND 4294967295 THEN {v} END", "32"
    x = _s(a, i)
    return f"kql_ipv4_long({x})", f"kql_ipv4_pfx({x})"


@scalar("parse_ipv4")
def f_parse_ipv4(a):
    a.check(1)
    x = _s(a, 0)
    return E(f"kql_ipv4_masked(kql_ipv4_long({x}), kql_ipv4_pfx({x}))", "long")


@scalar("parse_ipv4_mask")
def f_parse_ipv4_mask(a):
    a.check(2)
    x = _s(a, 0)
    p = _prefix_arg(a, 1)
    return E(f"CASE WHEN {p} BETWEEN 0 AND 32 THEN kql_ipv4_masked(kql_ipv4_long({x}), least(kql_ipv4_pfx({x}), {p})) END",
             "long")


def _compare_sql(a) -> str:
    a.check(2, 3)
    x, y = _s(a, 0), _s(a, 1)
    p = f"least(kql_ipv4_pfx({x}), kql_ipv4_pfx({y}))"
    if len(a) == 3:
        q = _prefix_arg(a, 2)
        p = f"CASE WHEN {q} BETWEEN 0 AND 32 THEN least({p}, {q}) END"
    lx = f"kql_ipv4_masked(kql_ipv4_long({x}), {p})"
    ly = f"kql_ipv4_masked(kql_ipv4_long({y}), {p})"
    return f"sign({lx} - {ly})"


@scalar("ipv4_compare")
def f_ipv4_compare(a):
    return E(f"CAST({_compare_sql(a)} AS INTEGER)", "int")


@scalar("ipv4_is_match")
def f_ipv4_is_match(a):
    return E(f"({_compare_sql(a)} = 0)", "bool")


@scalar("ipv4_is_in_range")
def f_ipv4_is_in_range(a):
    a.check(2)
    x, r = _s(a, 0), _s(a, 1)
    p = f"kql_ipv4_pfx({r})"
    return E(f"(kql_ipv4_masked(kql_ipv4_masked(kql_ipv4_long({x}), kql_ipv4_pfx({x})), {p}) "
             f"= kql_ipv4_masked(kql_ipv4_long({r}), {p}))", "bool")


@scalar("ipv4_is_private")
def f_ipv4_is_private(a):
    """RFC 1918 blocks 10/8, 172.16/12, 192.168/16. An address whose own prefix is wider than its block is
    undocumented and raises at run time."""
    a.check(1)
    x = _s(a, 0)
    return E(f"kql_ipv4_private(kql_ipv4_long({x}), kql_ipv4_pfx({x}))", "bool")


@scalar("ipv4_netmask_suffix")
def f_ipv4_netmask_suffix(a):
    a.check(1)
    x = _s(a, 0)
    return E(f"CAST(CASE WHEN kql_ipv4_long({x}) IS NOT NULL THEN kql_ipv4_pfx({x}) END AS INTEGER)", "int")


def _format(a, with_mask: bool) -> E:
    a.check(1, 2)
    v, p = _addr(a, 0)
    if len(a) == 2:
        q = _prefix_arg(a, 1)
        p = f"CASE WHEN {q} BETWEEN 0 AND 32 THEN least({p}, {q}) END"
    m = f"kql_ipv4_masked({v}, {p})"
    text = f"kql_ipv4_text({m})"
    if with_mask:
        text = f"{text} || '/' || CAST({p} AS VARCHAR)"
    return E(f"coalesce({text}, '')", "string", True)


@scalar("format_ipv4")
def f_format_ipv4(a):
    return _format(a, False)


@scalar("format_ipv4_mask")
def f_format_ipv4_mask(a):
    return _format(a, True)


# ---------------------------------------------------------------------------------------------- addresses in text
def _valid_ip(t: str) -> bool:
    return re.fullmatch(rf"{OCTET}\.{OCTET}\.{OCTET}\.{OCTET}", t) is not None


def _ip_pattern(t: str, prefix: bool) -> str | None:
    """RE2 pattern finding address t (or, for prefix=True, an address starting with prefix t) in text."""
    if _valid_ip(t):
        return EDGE_L + re.escape(t).replace("\\.", "\\.") + EDGE_R
    if not prefix:
        return None
    m = re.fullmatch(rf"((?:{OCTET}\.){{1,3}})", t)
    if not m:
        return None
    rest = 4 - t.count(".")
    tail = r"\.".join([OCTET] * rest)
    return EDGE_L + t.replace(".", "\\.") + tail + EDGE_R


def _has_ip(a, prefix: bool, many: bool) -> E:
    if many:
        a.check(2, 10_000)
    else:
        a.check(2)
    x = _s(a, 0)
    needles: list[str] = []
    for i in range(1, len(a)):
        e = a[i]
        if not e.is_const:
            if many or prefix:
                raise a.unsupported(f"{a.call.name}() with non-constant addresses")
            n = _s(a, i)
            pat = f"'{EDGE_L}' || regexp_escape({n}) || '{EDGE_R}'"
            sql = (f"(kql_ipv4_long({n}) IS NOT NULL AND NOT contains({n}, '/') AND contains({x}, {n}) "
                   f"AND regexp_matches({x}, {pat}))")
            return E(sql, "bool")
        vals = e.const if isinstance(e.const, list) else [e.const]
        if isinstance(e.const, list) and not many:
            raise a.error(f"{a.call.name}(): the address must be a string")
        for v in vals:
            if isinstance(v, list):
                raise a.error(f"{a.call.name}(): nested arrays are not addresses")
            needles.append("" if v is None else str(v))
    parts = []
    for n in dict.fromkeys(needles):
        pat = _ip_pattern(n, prefix)
        if pat is None:
            continue   # an invalid address or prefix never matches (the pages' "invalid" examples)
        parts.append(f"(contains({x}, {a.d.string(n)}) AND regexp_matches({x}, {a.d.string(pat)}))")
    if not parts:
        return E("FALSE", "bool", True)
    return E("(" + " OR ".join(parts) + ")", "bool", True)


@scalar("has_ipv4")
def f_has_ipv4(a):
    return _has_ip(a, False, False)


@scalar("has_any_ipv4")
def f_has_any_ipv4(a):
    return _has_ip(a, False, True)


@scalar("has_ipv4_prefix")
def f_has_ipv4_prefix(a):
    return _has_ip(a, True, False)


@scalar("has_any_ipv4_prefix")
def f_has_any_ipv4_prefix(a):
    return _has_ip(a, True, True)
