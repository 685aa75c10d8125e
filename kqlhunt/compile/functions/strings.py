"""String functions: strcat, strlen, string_size, tolower/toupper, substring, indexof(_regex), split, extract,
extract_all, replace_string/regex/strings, trim*, strcat_delim, reverse, countof, strcmp, strrep, translate,
regex_quote, format_bytes, ... (query/*-function.md).
Inputs read NULL as "" (strings are never null); regexes go through `rxdialect.translate` (docs/regex.md) and get a
run-time guard where RE2's ASCII `\\b` could differ from Kusto's Unicode one.
"""
from __future__ import annotations

import re

from ..rxdialect import escape, guarded
from ..strops import check_regex, compile_regex
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
    """strlen-function.md: Unicode code points."""
    a.check(1)
    return E(f"CAST(length({s(a, 0)}) AS BIGINT)", "long", True)


@scalar("string_size")
def f_string_size(a):
    """string-size-function.md: UTF-8 bytes."""
    a.check(1)
    return E(f"CAST(octet_length(encode({s(a, 0)})) AS BIGINT)", "long", True)


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
    """indexof-function.md. With a length and an occurrence > 1, each next occurrence is searched in a window of
    `length` characters starting one past the previous one (the only reading that fits the page's idx8 example)."""
    a.check(2, 5)
    x, needle = s(a, 0), s(a, 1)
    if len(a) == 2:
        return E(f"CAST(strpos({x}, {needle}) - 1 AS BIGINT)", "long", True)
    start = a[2].sql
    length = a[3].sql if len(a) > 3 else "-1"
    occ = a[4].sql if len(a) > 4 else "1"
    return E(f"kql_indexof({x}, {needle}, {start}, {length}, {occ})", "long")


@scalar("indexof_regex")
def f_indexof_regex(a):
    """indexof-regex-function.md: non-overlapping matches; a negative start (or length < -1, occurrence < 1) -> null."""
    a.check(2, 5)
    x = s(a, 0)
    rx = _regex(a, 1)
    pat = a.d.string(rx.re2)
    start = a[2].sql if len(a) > 2 else "0"
    length = a[3].sql if len(a) > 3 else "-1"
    occ = a[4].sql if len(a) > 4 else "1"
    sub = f"substr({x}, {start} + 1, CASE WHEN {length} = -1 THEN length({x}) ELSE {length} END)"
    core = f"kql_indexof_regex({sub}, {pat}, {occ})"
    if rx.word_boundary or re.search(r"\^|\\A|\$|\\z", rx.re2):
        # whether anchors and \b see the search window or the whole text is undocumented
        raise a.unsupported("indexof_regex() with anchors or \\b in the pattern")
    sql = (f"CASE WHEN {start} < 0 OR {length} < -1 OR {occ} < 1 THEN NULL "
           f"WHEN {core} < 0 THEN -1 ELSE {core} + {start} END")
    return E(f"CAST({sql} AS BIGINT)", "long")


@scalar("split")
def f_split(a):
    a.check(2, 3)
    x, delim = s(a, 0), s(a, 1)
    d = a[1]
    if d.is_const and (d.const or "") == "":
        parts = f"[{x}]"
    elif d.is_const:
        parts = f"string_split({x}, {delim})"
    else:
        parts = f"(CASE WHEN {delim} = '' THEN [{x}] ELSE string_split({x}, {delim}) END)"
    if len(a) == 3:
        idx = a[2].sql
        return E(f"CASE WHEN {idx} >= 0 AND {idx} < len({parts}) THEN [{parts}[{idx} + 1]] ELSE [] END", "dynamic", rep="list")
    return E(parts, "dynamic", True, rep="list")


def _regex(a, i: int):
    """Argument i as a translated constant regex (`rxdialect.Regex`)."""
    e = a[i]
    if not e.is_const:
        raise a.unsupported(f"{a.call.name}() with a non-constant regex (it cannot be translated to RE2)")
    return compile_regex(a.ec, "" if e.const is None else str(e.const), a.call)


@scalar("extract")
def f_extract(a):
    a.check(3, 4)
    rx = _regex(a, 0)
    pat = a.d.string(rx.re2)
    group = a[1]
    if not group.is_const:
        raise a.error("extract(): the capture group must be a constant")
    g = int(group.const)
    if g < 0 or g > len(rx.groups):
        raise a.error(f"extract(): the pattern has no capture group {g}")
    x = s(a, 2)
    sql = guarded(x, f"regexp_extract({x}, {pat}, {g})", rx)
    if len(a) == 4:
        from ...kql import ast as A
        t = a.nodes[3]
        if not isinstance(t, A.TypeOf):
            raise a.error("extract(): the 4th argument must be typeof(<type>)")
        if t.type == "string":
            return E(f"coalesce({sql}, '')", "string", True)
        # extract-function.md: no match (or a failed conversion) is null
        text = E(f"nullif({sql}, '')", "string")
        return convert(a.c, text, t.type)
    return E(sql, "string", True)


@scalar("extract_all")
def f_extract_all(a):
    """extract-all-function.md: one selected group -> 1-D array, several -> 2-D; no match -> null."""
    a.check(2, 3)
    rx = _regex(a, 0)
    pat = a.d.string(rx.re2)
    x = s(a, len(a) - 1)
    ngroups = len(rx.groups)
    if ngroups == 0:
        raise a.error("extract_all(): the regular expression must have at least one capture group")
    if ngroups > 16:
        raise a.error("extract_all(): at most 16 capture groups")
    if len(a) == 2:
        sel = list(range(1, ngroups + 1))
    else:
        g = a[1]
        if not g.is_const or not isinstance(g.const, list) or not g.const:
            raise a.error("extract_all(): captureGroups must be a constant non-empty dynamic array")
        sel = []
        for item in g.const:
            if isinstance(item, bool):
                raise a.error("extract_all(): captureGroups holds group numbers or names")
            if isinstance(item, int):
                if item < 0 or item > ngroups:
                    raise a.error(f"extract_all(): the pattern has no capture group {item}")
                sel.append(item)
            elif isinstance(item, str) and item in rx.groups:
                sel.append(rx.groups.index(item) + 1)
            else:
                raise a.error(f"extract_all(): the pattern has no capture group {item!r}")
    lists = [f"regexp_extract_all({x}, {pat}, {g})" for g in sel]
    if len(sel) == 1:
        arr = lists[0]
    else:
        first = lists[0]
        arr = f"list_transform(range(1, len({first}) + 1), lambda i: [{', '.join(l + '[i]' for l in lists)}])"
    sql = f"CASE WHEN len({lists[0]}) = 0 THEN NULL ELSE to_json({arr}) END"
    return E(guarded(x, sql, rx), "dynamic")


@scalar("replace_string", "replace")
def f_replace_string(a):
    a.check(3)
    if a.call.name == "replace":
        return f_replace_regex(a)
    # replace-string-function.md: an empty lookup replaces nothing
    lookup = s(a, 1)
    return E(f"CASE WHEN {lookup} = '' THEN {s(a, 0)} ELSE replace({s(a, 0)}, {lookup}, {s(a, 2)}) END", "string", True)


@scalar("replace_regex")
def f_replace_regex(a):
    a.check(3)
    if a.call.name == "replace":
        rx, rew, x = _regex(a, 0), a[1], s(a, 2)
    else:
        x, rx, rew = s(a, 0), _regex(a, 1), a[2]
    # replace-regex-function.md: the rewrite refers to groups as \0..\9, as RE2 does
    if not rew.is_const:
        raise a.unsupported(f"{a.call.name}() with a non-constant rewrite")
    rw = str(rew.const or "")
    if re.search(r"\\[^0-9\\]", rw) or rw.endswith("\\") and not rw.endswith("\\\\"):
        raise a.unsupported(f"{a.call.name}() rewrite with a backslash not followed by a group number")
    for m in re.finditer(r"\\(\d)", rw.replace("\\\\", "")):
        if int(m.group(1)) > len(rx.groups):
            raise a.error(f"{a.call.name}(): the rewrite refers to group {m.group(1)}, which the pattern lacks")
    sql = f"regexp_replace({x}, {a.d.string(rx.re2)}, {a.d.string(rw)}, 'g')"
    return E(guarded(x, sql, rx), "string", True)


@scalar("reverse")
def f_reverse(a):
    a.check(1)
    return E(f"reverse({s(a, 0)})", "string", True)


def _trim(a, side: str):
    a.check(2)
    rx = _regex(a, 0)
    x = s(a, 1)
    p = rx.re2
    if side in ("both", "start"):
        x = f"regexp_replace({x}, {a.d.string(f'^(?:{p})+')}, '')"
    if side in ("both", "end"):
        x = f"regexp_replace({x}, {a.d.string(f'(?:{p})+$')}, '')"
    return E(guarded(s(a, 1), x, rx), "string", True)


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


@scalar("isutf8")
def f_isutf8(a):
    """isutf8-function.md: every string we hold is valid UTF-8 (DuckDB rejects anything else on input)."""
    a.check(1)
    return E("TRUE", "bool", True)


@scalar("translate")
def f_translate(a):
    """translate-function.md: a shorter replacement list repeats its last character; an empty one deletes."""
    a.check(3)
    search, repl, src = s(a, 0), s(a, 1), s(a, 2)
    r = f"CASE WHEN {repl} = '' THEN '' ELSE rpad({repl}, CAST(greatest(length({search}), length({repl})) AS INTEGER), right({repl}, 1)) END"
    return E(f"translate({src}, {search}, {r})", "string", True)


@scalar("countof")
def f_countof(a):
    """countof-function.md: plain matches may overlap; regex matches do not."""
    a.check(2, 3)
    x = s(a, 0)
    kind = "normal"
    if len(a) == 3:
        k = a[2]
        if not k.is_const or str(k.const) not in ("normal", "regex"):
            raise a.error("countof(): kind must be \"normal\" or \"regex\"")
        kind = str(k.const)
    if kind == "regex":
        rx = _regex(a, 1)
        if rx.re2 == "" or re.fullmatch(r"(?:[^\\]|\\.)*[*?]", rx.re2) and not rx.re2.endswith("\\*"):
            raise a.unsupported("countof() with a regex that can match the empty string")
        sql = f"CAST(len(regexp_extract_all({x}, {a.d.string(rx.re2)}, 0)) AS BIGINT)"
        return E(guarded(x, sql, rx), "long", True)
    n = a[1]
    if n.is_const and (n.const or "") == "":
        raise a.unsupported("countof() with an empty search string")
    ns = s(a, 1)
    return E(f"CAST(len(list_filter(range(length({x})), lambda i: substr({x}, i + 1, length({ns})) = {ns})) AS BIGINT)",
             "long", True)


@scalar("strcmp")
def f_strcmp(a):
    """strcmp-function.md: ordinal comparison -> -1, 0, 1."""
    a.check(2)
    x, y = s(a, 0), s(a, 1)
    return E(f"CAST(CASE WHEN {x} < {y} THEN -1 WHEN {x} > {y} THEN 1 ELSE 0 END AS INTEGER)", "int", True)


@scalar("strrep")
def f_strrep(a):
    """strrep-function.md: value repeated multiplier times (1..1024), joined by delimiter."""
    a.check(2, 3)
    v = s(a, 0)
    n = a[1]
    d = s(a, 2) if len(a) == 3 else "''"
    if n.is_const and (n.const is None or int(n.const) > 1024):
        raise a.unsupported("strrep() with a multiplier above 1024")
    ns = n.sql
    return E(f"CASE WHEN {ns} > 1024 THEN error('unsupported: strrep() with a multiplier above 1024') "
             f"WHEN {ns} <= 0 OR {ns} IS NULL THEN '' ELSE repeat({v} || {d}, CAST({ns} AS BIGINT) - 1) || {v} END",
             "string", True)


# private-use code points stand for replaced spans while replace_strings() works, so no replacement cascades
_PUA = 0xF0000


@scalar("replace_strings")
def f_replace_strings(a):
    """replace-strings-function.md: replacements are simultaneous; earlier lookups win over later overlapping ones."""
    a.check(3)
    lk, rw = a[1], a[2]
    if not (lk.is_const and rw.is_const and isinstance(lk.const, list) and isinstance(rw.const, list)):
        raise a.unsupported("replace_strings() with non-constant lookups or rewrites")
    if not all(isinstance(v, str) for v in lk.const):
        raise a.unsupported("replace_strings() with non-string lookups")
    lookups = list(lk.const)
    # a non-string rewrite leaves its lookup as it is (the page's example with 12345)
    rewrites = [v if isinstance(v, str) else l for v, l in zip(rw.const, lookups)] + rw.const[len(lookups):]
    if len(rewrites) != len(lookups):
        raise a.unsupported("replace_strings() with lookups and rewrites of different lengths")
    if len(lookups) > 200:
        raise a.unsupported("replace_strings() with more than 200 lookups")
    x = s(a, 0)
    sql = x
    used = []
    for i, (l, r) in enumerate(zip(lookups, rewrites)):
        if l == "":
            continue
        ph = chr(_PUA + i)
        sql = f"replace({sql}, {a.d.string(l)}, {a.d.string(ph)})"
        used.append((ph, r))
    for ph, r in used:
        sql = f"replace({sql}, {a.d.string(ph)}, {a.d.string(r)})"
    if not used:
        return E(x, "string", True)
    guard = f"regexp_matches({x}, '[\\x{{F0000}}-\\x{{F00FF}}]')"
    return E(f"CASE WHEN {guard} THEN error('unsupported: replace_strings() on text with private-use characters') "
             f"ELSE {sql} END", "string", True)


def _scalar_text(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        import json
        return json.dumps(v, separators=(",", ":"))
    return str(v)


@scalar("regex_quote")
def f_regex_quote(a):
    """regex-quote-function.md: escapes the characters that are special in Kusto's (Rust) regex syntax."""
    a.check(1)
    e = a[0]
    if e.is_const and e.type == "string":
        return a.ec.const(escape(e.const or ""), "string")
    return E(f"regexp_replace({s(a, 0)}, '([\\\\.+*?()|\\[\\]{{}}^$#&\\-~])', '\\\\\\1', 'g')", "string", True)


@scalar("format_bytes")
def f_format_bytes(a):
    """format-bytes-function.md: value with a size unit (1 KB = 1024 bytes), `precision` decimals (default 0)."""
    a.check(1, 3)
    v = a[0]
    if v.type not in ("int", "long", "real", "decimal"):
        raise a.error("format_bytes(): the value must be a number")
    prec = a[1] if len(a) > 1 else None
    if prec is not None and not prec.is_const:
        raise a.unsupported("format_bytes() with a non-constant precision")
    p = int(prec.const) if prec is not None and prec.const is not None else 0
    units = ["Bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
    x = f"CAST({v.sql} AS DOUBLE)"
    if len(a) == 3:
        u = a[2]
        if not u.is_const or str(u.const) not in units:
            raise a.unsupported("format_bytes() with a unit other than Bytes, KB, MB, GB, TB, PB, EB")
        k = units.index(str(u.const))
        scaled = f"({x} / {1024 ** k})"
        return E(f"CASE WHEN {x} IS NULL THEN '' ELSE {_fmt(scaled, p)} || ' {units[k]}' END", "string", True)
    parts = []
    for k in range(len(units) - 1, 0, -1):
        parts.append(f"WHEN abs({x}) >= {float(1024 ** k)} THEN {_fmt(f'({x} / {1024 ** k})', p)} || ' {units[k]}'")
    return E(f"CASE WHEN {x} IS NULL THEN '' {' '.join(parts)} ELSE {_fmt(x, p)} || ' Bytes' END", "string", True)


def _fmt(x: str, p: int) -> str:
    if p <= 0:
        return f"CAST(CAST(round({x}) AS BIGINT) AS VARCHAR)"
    return f"printf('%.{p}f', round({x}, {p}))"
