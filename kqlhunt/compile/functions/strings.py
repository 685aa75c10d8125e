"""String functions: strcat, strlen, tolower/toupper, substring, indexof, split, extract, extract_all,
replace_string, replace_regex, trim*, strcat_delim, reverse, countof, ... (query/*-function.md).
Inputs read NULL as "" (strings are never null); regex patterns go through `strops.check_regex`.
"""
from __future__ import annotations

from ..strops import check_regex
from ..types import E
from . import scalar
from .conversion import convert


def s(a, i: int) -> str:
    """Argument i as non-null string SQL (non-strings converted as tostring() would)."""
    return a.ec.nn(a[i])


def regex_arg(a, i: int) -> str:
    e = a[i]
    if e.is_const:
        return a.d.string(check_regex(a.ec, str(e.const), a.call))
    return s(a, i)


@scalar("strcat")
def f_strcat(a):
    a.check(1, 64)
    return E("concat(" + ", ".join(s(a, i) for i in range(len(a))) + ")", "string", True)


@scalar("strcat_delim")
def f_strcat_delim(a):
    a.check(3, 65)
    return E(f"concat_ws({s(a, 0)}, " + ", ".join(s(a, i) for i in range(1, len(a))) + ")", "string", True)


@scalar("strlen")
def f_strlen(a):
    a.check(1)
    return E(f"CAST(length({s(a, 0)}) AS BIGINT)", "long", True)


@scalar("tolower")
def f_tolower(a):
    a.check(1)
    return E(f"lower({s(a, 0)})", "string", True)


@scalar("toupper")
def f_toupper(a):
    a.check(1)
    return E(f"upper({s(a, 0)})", "string", True)


@scalar("substring")
def f_substring(a):
    a.check(2, 3)
    x = s(a, 0)
    start = a[1].sql
    # substring-function.md: a negative start counts from the end; out-of-range gives ""
    st = f"(CASE WHEN {start} < 0 THEN greatest(length({x}) + {start}, 0) ELSE {start} END)"
    if len(a) == 3:
        return E(f"coalesce(substr({x}, {st} + 1, greatest({a[2].sql}, 0)), '')", "string", True)
    return E(f"coalesce(substr({x}, {st} + 1), '')", "string", True)


@scalar("indexof")
def f_indexof(a):
    a.check(2, 5)
    x, needle = s(a, 0), s(a, 1)
    if len(a) == 2:
        return E(f"CAST(strpos({x}, {needle}) - 1 AS BIGINT)", "long", True)
    start = a[2].sql
    length = a[3].sql if len(a) > 3 else "-1"
    occ = a[4].sql if len(a) > 4 else "1"
    return E(f"kql_indexof({x}, {needle}, {start}, {length}, {occ})", "long")


@scalar("split")
def f_split(a):
    a.check(2, 3)
    x, delim = s(a, 0), s(a, 1)
    parts = f"string_split({x}, {delim})"
    if len(a) == 3:
        idx = a[2].sql
        return E(f"CASE WHEN {idx} >= 0 AND {idx} < len({parts}) THEN [{parts}[{idx} + 1]] ELSE [] END", "dynamic", rep="list")
    return E(parts, "dynamic", True, rep="list")


@scalar("extract")
def f_extract(a):
    a.check(3, 4)
    pat = regex_arg(a, 0)
    group = a[1]
    if not group.is_const:
        raise a.error("extract(): the capture group must be a constant")
    x = s(a, 2)
    sql = f"regexp_extract({x}, {pat}, {int(group.const)})"
    if len(a) == 4:
        from ...kql import ast as A
        t = a.nodes[3]
        if not isinstance(t, A.TypeOf):
            raise a.error("extract(): the 4th argument must be typeof(<type>)")
        # a failed match is null, so an empty capture converts to null
        text = E(f"nullif({sql}, '')", "string")
        if t.type == "string":
            return E(f"coalesce({sql}, '')", "string", True)
        return convert(a.c, text, t.type)
    return E(sql, "string", True)


@scalar("extract_all")
def f_extract_all(a):
    a.check(2, 3)
    pat_e = a[0]
    if len(a) == 2:
        x = s(a, 1)
        pat = regex_arg(a, 0)
        # with one capture group the groups' texts, with none the whole matches
        import re as _re
        groups = _re.compile(str(pat_e.const).replace("(?P<", "(?P<")).groups if pat_e.is_const else 1
        if groups > 1:
            return E(f"kql_extract_all_groups({x}, {pat})", "dynamic")
        sql = f"regexp_extract_all({x}, {pat}, {1 if groups == 1 else 0})"
        return E(f"CASE WHEN len({sql}) = 0 THEN NULL ELSE to_json({sql}) END", "dynamic")
    raise a.unsupported("extract_all() with a capture-group selection")


@scalar("replace_string", "replace")
def f_replace_string(a):
    a.check(3)
    if a.call.name == "replace":
        return f_replace_regex(a)
    return E(f"replace({s(a, 0)}, {s(a, 1)}, {s(a, 2)})", "string", True)


@scalar("replace_regex")
def f_replace_regex(a):
    a.check(3)
    if a.call.name == "replace":
        pat, rew, x = regex_arg(a, 0), a[1], s(a, 2)
    else:
        x, pat, rew = s(a, 0), regex_arg(a, 1), a[2]
    # Kusto rewrites use \0..\9 (replace-regex-function.md); RE2 uses the same backslash form
    rw = a.d.string(str(rew.const)) if rew.is_const else a.ec.nn(rew)
    return E(f"regexp_replace({x}, {pat}, {rw}, 'g')", "string", True)


@scalar("reverse")
def f_reverse(a):
    a.check(1)
    return E(f"reverse({s(a, 0)})", "string", True)


def _trim(a, side: str):
    a.check(2)
    pat = a[0]
    x = s(a, 1)
    if pat.is_const:
        p = check_regex(a.ec, str(pat.const), a.call)
        lead = a.d.string(f"^(?:{p})+")
        trail = a.d.string(f"(?:{p})+$")
    else:
        lead = f"'^(?:' || {s(a, 0)} || ')+'"
        trail = f"'(?:' || {s(a, 0)} || ')+$'"
    if side in ("both", "start"):
        x = f"regexp_replace({x}, {lead}, '')"
    if side in ("both", "end"):
        x = f"regexp_replace({x}, {trail}, '')"
    return E(x, "string", True)


@scalar("trim")
def f_trim(a):
    return _trim(a, "both")


@scalar("trim_start")
def f_trim_start(a):
    return _trim(a, "start")


@scalar("trim_end")
def f_trim_end(a):
    return _trim(a, "end")


@scalar("isascii")
def f_isascii(a):
    a.check(1)
    return E(f"regexp_matches({s(a, 0)}, '^[\\x00-\\x7F]*$')", "bool", True)


@scalar("translate")
def f_translate(a):
    a.check(3)
    return E(f"translate({s(a, 2)}, {s(a, 0)}, {s(a, 1)})", "string", True)
