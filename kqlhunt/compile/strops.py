"""String predicates (contains, has, hasprefix, startswith, matches regex, ...) and list membership
(in, in~, has_any, has_all), as query/datatypes-string-operators.md and the has-family appendix of
shared/kusto-conformance/semantics.md define them.

Terms: a term character is a Unicode letter or digit; everything else (underscore included) delimits.
`has` needs the needle as a case-insensitive substring plus a term boundary only at an edge whose needle
character is a term character. So `has ' user '` is a plain substring test, and `hassuffix ' /do'` is true
for `... /do` and `... /do /y` but false for `... /domain`.

For speed, a predicate with a constant needle is a plain substring test (or a case-insensitive RE2 literal when
the needle has letters; see `substring_test`); a boundary regex runs after it, only when the needle has a term
character at an edge.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..kql import ast as A
from .types import E

if TYPE_CHECKING:
    from .expr import Ctx, ExprCompiler

TERM_CLASS = r"[\pL\pN]"
NOT_TERM = r"[^\pL\pN]"

# name -> (kind, case_sensitive)
PREDICATES = {
    "contains": ("contains", False), "contains_cs": ("contains", True),
    "containscs": ("contains", True), "notcontains": ("!contains", False), "notcontainscs": ("!contains", True),
    "has": ("has", False), "has_cs": ("has", True), "nothas": ("!has", False), "nothascs": ("!has", True),
    "hasprefix": ("hasprefix", False), "hasprefix_cs": ("hasprefix", True),
    "hassuffix": ("hassuffix", False), "hassuffix_cs": ("hassuffix", True),
    "startswith": ("startswith", False), "startswith_cs": ("startswith", True),
    "endswith": ("endswith", False), "endswith_cs": ("endswith", True),
    "like": ("like", True), "likecs": ("like", True), "notlike": ("!like", True), "notlikecs": ("!like", True),
}


def is_term_char(ch: str) -> bool:
    return ch.isalnum()


def re2_escape(s: str) -> str:
    """Escape text for an RE2 pattern (only ASCII punctuation needs it)."""
    return "".join("\\" + ch if ch in r"\.^$|?*+()[]{}-/" else ch for ch in s)



def has_case(n: str) -> bool:
    """Does the text contain a character with case (so a case-insensitive test must fold case)?"""
    return n.lower() != n.upper()


def substring_test(ec: "ExprCompiler", xs: str, n: str, cs: bool, anchor: str = "") -> str:
    """SQL testing that constant n occurs in xs (anchor '^' at the start, '$' at the end), case-insensitively
    unless cs. Measured on DuckDB 2.0 (1M command lines): plain contains() 0.10 s, an RE2 `(?i)` literal
    0.45 s, contains(lower(x)) 1.2 s — lower() materializes a folded copy of every string. So: no case in the
    needle -> plain test; otherwise a case-insensitive regex literal, never lower()."""
    d = ec.d
    if cs or not has_ascii_letter(n):
        lit = d.string(n)
        return {"": d.contains, "^": d.starts_with, "$": d.ends_with}[anchor](xs, lit)
    # ASCII-only folding: [aA] classes, not (?i) (RE2's (?i) also folds e.g. U+212A KELVIN SIGN to k, and Ä to ä)
    pattern = ("^" if anchor == "^" else "") + ascii_ci(n) + ("$" if anchor == "$" else "")
    return d.regex_match(xs, d.string(pattern))


def has_ascii_letter(n: str) -> bool:
    return any(c.isascii() and c.isalpha() for c in n)


def ascii_ci(n: str) -> str:
    """RE2 pattern matching n with ASCII letters in either case and every other character as it is: Kusto's
    case-insensitive operators fold ASCII only (includes/in-operator-comparison.md)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isascii() and c.isalpha() else re2_escape(c) for c in n)


def needs_exact_fold(n: str) -> bool:
    """DuckDB's lower() folds all of Unicode and maps two non-ASCII characters to ASCII (U+0130 -> i,
    U+212A -> k): `lower(x) = lower(n)` is exact for ASCII-only folding iff n is ASCII without i/k."""
    return not n.isascii() or any(c in "ikIK" for c in n)


def _lower_const(d, n: str) -> str:
    return d.string(n.lower()) if n.isascii() else f"lower({d.string(n)})"


def eq_ci(ec: "ExprCompiler", left: E, right: E) -> str:
    """`=~` with ASCII-only folding: lower() = lower(), refined by an exact regex where lower() could over-match."""
    l, r = ec.nn(left), ec.nn(right)
    base = f"(lower({l}) = lower({r}))"
    for x, c in ((l, right), (r, left)):
        if c.is_const:
            n = "" if c.const is None else str(c.const)
            if not needs_exact_fold(n):
                return base
            return f"({base} AND regexp_matches({x}, {ec.d.string('^' + ascii_ci(n) + '$')}))"
    return f"({base} AND regexp_matches({l}, '^' || kql_ascii_ci({r}) || '$'))"


def term_predicate(ec: "ExprCompiler", kind: str, x: E, needle: E, cs: bool, xs: str | None = None) -> E:
    """has / hasprefix / hassuffix (case-insensitive unless cs) of x against needle."""
    d = ec.d
    if xs is None:
        xs = x.sql if x.type == "string" else ec.nn(x)
    if not needle.is_const:
        fn = {"has": "kql_has", "hasprefix": "kql_hasprefix", "hassuffix": "kql_hassuffix"}[kind]
        return E(f"{fn}{'_cs' if cs else ''}({xs}, {ec.nn(needle)})", "bool")
    n = "" if needle.const is None else str(needle.const)
    if n == "":
        return E("TRUE", "bool", True)
    lead = is_term_char(n[0]) and kind in ("has", "hasprefix")
    trail = is_term_char(n[-1]) and kind in ("has", "hassuffix")
    base = substring_test(ec, xs, n, cs)
    if not lead and not trail:
        return E(base, "bool")
    # the cheap literal search runs first; the boundary regex only on the rows it keeps
    pattern = (f"(?:^|{NOT_TERM})" if lead else "") + (re2_escape(n) if cs else ascii_ci(n)) + (f"(?:$|{NOT_TERM})" if trail else "")
    return E(f"({base} AND {d.regex_match(xs, d.string(pattern))})", "bool")


def predicate(ec: "ExprCompiler", op: str, left: E, right: E, node: A.Node) -> E:
    d = ec.d
    negated = op.startswith("!")
    name = op.lstrip("!")
    if name == "matches regex":
        if not right.is_const:
            raise ec.c.unsupported("matches regex with a non-constant pattern (it cannot be translated to RE2)", node)
        from .rxdialect import guarded
        rx = compile_regex(ec, str(right.const), node)
        xs = ec.nn(left)
        out = E(guarded(xs, d.regex_match(xs, d.string(rx.re2)), rx), "bool")
        if negated:
            return E(f"(NOT coalesce({out.sql}, FALSE))", "bool", True)
        return out
    kind, cs = PREDICATES[name]
    if kind.startswith("!"):
        negated, kind = not negated, kind[1:]
    if kind in ("has", "hasprefix", "hassuffix"):
        out = term_predicate(ec, kind, left, right, cs, ec.nn(left) if negated else None)
    elif kind in ("contains", "startswith", "endswith") and right.is_const:
        xs = ec.nn(left) if negated else (left.sql if left.type == "string" else ec.nn(left))
        n = "" if right.const is None else str(right.const)
        anchor = {"contains": "", "startswith": "^", "endswith": "$"}[kind]
        out = E(substring_test(ec, xs, n, cs, anchor) if n else "TRUE", "bool")
    else:
        xs = ec.nn(left) if negated else (left.sql if left.type == "string" else ec.nn(left))
        ns = ec.nn(right)
        if right.is_const:
            n = "" if right.const is None else str(right.const)
            if kind != "like":
                n = n if cs else n.lower()
            ns = d.string(n)
        hay = xs if cs else d.lower(xs)
        if not right.is_const and not cs:
            ns = d.lower(ns)
        if right.is_const and not cs and kind != "like" and not str(right.const or "").isascii():
            ns = _lower_const(d, str(right.const or ""))
        if kind == "contains":
            out = E(d.contains(hay, ns), "bool")
        elif kind == "startswith":
            out = E(d.starts_with(hay, ns), "bool")
        elif kind == "endswith":
            out = E(d.ends_with(hay, ns), "bool")
        else:
            out = E(f"({xs} LIKE {ns})", "bool")
        if kind != "like" and not cs:
            # ASCII-only folding (needs_exact_fold): refine lower()'s superset with an exact regex
            if right.is_const and needs_exact_fold(str(right.const or "")):
                pat = ascii_ci(str(right.const))
                pat = {"contains": pat, "startswith": "^" + pat, "endswith": pat + "$"}[kind]
                out = E(f"({out.sql} AND {d.regex_match(xs if left.type == 'string' else ec.nn(left), d.string(pat))})", "bool")
            elif not right.is_const:
                pat = f"kql_ascii_ci({ec.nn(right)})"
                pat = {"contains": pat, "startswith": f"'^' || {pat}", "endswith": f"{pat} || '$'"}[kind]
                out = E(f"({out.sql} AND {d.regex_match(ec.nn(left), pat)})", "bool")
    if negated:
        # Kusto strings are never null, so the negation of a predicate over "" is true: keep NULL rows.
        if out.sql == "TRUE":
            return E("FALSE", "bool", True)
        if right.is_const and kind != "like":
            # the test above ran on coalesce(x, '') with a constant needle: it is never null
            return E(f"(NOT {out.sql})", "bool", True)
        return E(f"(NOT coalesce({out.sql}, FALSE))", "bool", True)
    return out


def check_regex(ec: "ExprCompiler", pattern: str, node: A.Node) -> str:
    """Kusto (Rust regex) pattern -> RE2 pattern; raises unsupported for what RE2 cannot express (docs/regex.md).
    A `\\b` stays RE2's ASCII `\\b`: callers that can should use `compile_regex` + `rxdialect.guarded`."""
    return compile_regex(ec, pattern, node).re2


def compile_regex(ec: "ExprCompiler", pattern: str, node: A.Node):
    from .rxdialect import RegexUnsupported, translate
    try:
        return translate(pattern)
    except RegexUnsupported as exc:
        raise ec.c.error(f"unsupported: {exc}", node, kind="unsupported") from None


# ------------------------------------------------------------------------------------------ lists
def in_list(ec: "ExprCompiler", node: A.InList, ctx: "Ctx") -> E:
    """in, !in, in~, !in~, has_any, has_all (+ _cs): constants expand at compile time; a tabular right side
    becomes a subquery on its first column."""
    op = node.op
    negated = op.startswith("!")
    base = op.lstrip("!")
    x = ec.compile_in(node.left, ctx)
    values, subquery = _list_values(ec, node, ctx)
    if base in ("in", "in~"):
        ci = base == "in~"
        if subquery is not None:
            col, rel_sql, col_type = subquery
            xs = ec.nn(x) if x.type == "string" else x.sql
            if ci:
                sql = f"(lower({xs}) IN (SELECT lower({col}) FROM ({rel_sql}) AS _in))"
            else:
                sql = f"({xs} IN (SELECT {col} FROM ({rel_sql}) AS _in))"
        else:
            sql = _in_values(ec, x, values, ci)
        if negated:
            return E(f"(NOT coalesce({sql}, FALSE))", "bool", True)
        return E(sql, "bool")
    # has_any / has_all
    cs = base.endswith("_cs")
    if subquery is not None:
        col, rel_sql, col_type = subquery
        fn = "kql_has_cs" if cs else "kql_has"
        xs = ec.nn(x)
        agg = "bool_or" if base.startswith("has_any") else "bool_and"
        sql = f"coalesce((SELECT {agg}({fn}({xs}, CAST({col} AS VARCHAR))) FROM ({rel_sql}) AS _in), FALSE)"
        return E(f"(NOT {sql})" if negated else sql, "bool")
    needles = []
    for v in values:
        if not v.is_const:
            fn = "kql_has_any" if base.startswith("has_any") else "kql_has_all"
            sql = f"{fn}({ec.nn(x)}, {ec.to_json(v).sql})"
            return E(f"(NOT coalesce({sql}, FALSE))" if negated else sql, "bool")
        needles.extend(_flatten(v.const))
    if not needles:
        sql = "FALSE" if base.startswith("has_any") else "TRUE"
        return E(sql, "bool", True)
    parts = [term_predicate(ec, "has", x, ec.const(_scalar_text(n), "string"), cs).sql for n in dict.fromkeys(
        _scalar_text(n) for n in needles)]
    joiner = " OR " if base.startswith("has_any") else " AND "
    sql = "(" + joiner.join(parts) + ")"
    if negated:
        return E(f"(NOT coalesce({sql}, FALSE))", "bool", True)
    return E(sql, "bool")


def _scalar_text(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)


def _flatten(v) -> list:
    if isinstance(v, list):
        out = []
        for item in v:
            out.extend(_flatten(item))
        return out
    return [v]


def _list_values(ec: "ExprCompiler", node: A.InList, ctx: "Ctx"):
    """Compile the right side: a list of E, or (first column SQL, SELECT sql, type) for a tabular operand."""
    c = ec.c
    if len(node.values) == 1 and c.is_tabular(node.values[0], ctx.scope):
        rel = c.tabular(node.values[0], ctx.scope)
        if not rel.columns:
            raise c.error("the subquery has no columns", node.values[0])
        first, typ = next(iter(rel.columns.items()))
        sql = rel.sql if not rel.is_table else f"SELECT * FROM {rel.sql}"
        return [], (ec.d.ident(first), sql, typ)
    return [ec.compile_in(v, ctx) for v in node.values], None


def _in_values(ec: "ExprCompiler", x: E, values: list[E], ci: bool) -> str:
    d = ec.d
    consts, dyn = [], []
    for v in values:
        if v.is_const:
            consts.extend(_flatten(v.const) if v.type == "dynamic" else [v.const])
        else:
            dyn.append(v)
    xs = x.sql
    if x.type == "string" and ("" in consts or not x.notnull and any(c == "" for c in consts)):
        xs = ec.nn(x)
    if ci:
        xs = f"lower({ec.nn(x) if x.type == 'string' else x.sql})"
    items = []
    for c in consts:
        if c is None:
            continue
        if x.type in ("string", "guid", "dynamic"):
            t = _scalar_text(c)
            items.append(d.string(t.lower() if ci else t))
        elif isinstance(c, bool):
            items.append("TRUE" if c else "FALSE")
        elif isinstance(c, (int, float)):
            items.append(repr(c) if isinstance(c, float) else str(c))
        else:
            items.append(d.string(str(c)))
    parts = []
    if x.type == "dynamic":
        xs = f"json_extract_string({x.sql}, '$')" if not ci else f"lower(json_extract_string({x.sql}, '$'))"
    if items:
        parts.append(f"({xs} IN ({', '.join(items)}))")
    for v in dyn:
        if v.type == "dynamic":
            arr = ec.to_json(v).sql
            target = xs if x.type in ("string", "dynamic") else f"CAST({xs} AS VARCHAR)"
            lst = f"json_extract_string({arr}, '$[*]')"
            if ci:
                lst = f"list_transform({lst}, lambda s: lower(s))"
            parts.append(f"list_contains({lst}, {target})")
        else:
            vs = ec.nn(v) if v.type == "string" else v.sql
            parts.append(f"({xs} = {'lower(' + vs + ')' if ci else vs})")
    if not parts:
        return "FALSE"
    return "(" + " OR ".join(parts) + ")"
