"""parse, parse-where, parse kind=regex|simple|relaxed (query/parse-operator.md, query/parse-where-operator.md).

The pattern becomes one RE2 regex with a capture group per column, anchored at the start of the text:
- simple/relaxed: literals are escaped, `*` is `.*?` (lazy: a literal after it is its first occurrence), a string
  column is `(.*?)`, an int/long column is `(-?\\d+)`; a pattern ending in a column or `*` is anchored at the end so
  the last column takes the rest of the text. `.` matches newlines.
- regex: literals are regexes; `*` and string columns are `.*` / `(.*)`, greedy: the doc's own example without
  flags captures up to the last delimiter, and `flags=U` gives the lazy result (semantics.md §4); flags are
  passed to RE2 as `(?flags)`.
Typed columns are converted like to<type>(). kind=simple/regex: if the regex does not match or any conversion
fails, every extracted column is null ("" for strings) but the row stays; parse-where drops the row instead.
kind=relaxed: a typed column that does not convert is null on its own (it may also match any text: `(-?\\d+|.*?)`).
"""
from __future__ import annotations

from ...kql import ast as A
from ..compiler import Rel
from ..functions.conversion import convert
from ..strops import check_regex, re2_escape
from ..types import E
from . import operator

_INT = r"-?\d+"


def pattern_regex(c, op: A.Parse) -> tuple[str, list[tuple[str, str]]]:
    """(regex, [(column, type)]) for a parse pattern."""
    kind = op.kind.lower()
    if kind not in ("simple", "regex", "relaxed"):
        raise c.error(f"parse: kind must be simple, regex or relaxed, not '{op.kind}'", op)
    if op.flags and kind != "regex":
        raise c.error("parse: flags= is only valid with kind=regex", op)
    if op.flags and not all(ch in "imsU" for ch in op.flags):
        raise c.unsupported(f"parse regex flags '{op.flags}' (supported: i, m, s, U)", op)
    parts = op.parts
    if not parts:
        raise c.error("parse: the pattern is empty", op)
    cols: list[tuple[str, str]] = []
    out = []
    for i, p in enumerate(parts):
        nxt = parts[i + 1] if i + 1 < len(parts) else None
        if p.literal is not None:
            out.append(check_regex(c.expr, p.literal, p) if kind == "regex" else re2_escape(p.literal))
        elif p.column is None:               # *
            out.append(".*" if kind == "regex" else ".*?")
        else:
            typ = p.type or "string"
            if any(n == p.column for n, _ in cols):
                raise c.error(f"parse: column '{p.column}' appears twice in the pattern", p)
            cols.append((p.column, typ))
            if typ in ("int", "long"):
                grp = f"({_INT}|.*?)" if kind == "relaxed" else f"({_INT})"
            else:
                if kind != "regex" and nxt is not None and nxt.literal is None:
                    # `x *` or `x y`: nothing tells where a lazy column ends (the doc forbids `*` after a string)
                    raise c.unsupported(f"parse: a {typ} column followed by '*' or another column", p)
                grp = "(.*)" if kind == "regex" else "(.*?)"
            out.append(grp)
    regex = "".join(out)
    last = parts[-1]
    if kind == "regex":
        prefix = f"(?{op.flags})" if op.flags else ""
        return prefix + regex, cols
    if last.literal is None and not (last.column is not None and (last.type or "string") in ("int", "long")):
        regex += "$"
    return "(?s)^" + regex, cols


def parse_rel(c, rel: Rel, op: A.Parse, scope) -> Rel:
    d = c.d
    src = c.expr.compile(op.expr, rel.columns, scope)
    text = c.expr.nn(src)
    regex, cols = pattern_regex(c, op)
    kind = op.kind.lower()
    names = [n for n, _ in cols]
    # layer 1: the match flag and the captured texts
    m = "__parse_m"
    g = "__parse_g"
    keep = [(n, d.ident(n)) for n in rel.columns if n not in names]
    pat = d.string(regex)
    group_names = "[" + ", ".join(d.string(f"g{i}") for i in range(len(cols))) + "]"
    layer1 = keep + [(m, f"regexp_matches({text}, {pat})"), (g, f"regexp_extract({text}, {pat}, {group_names})")]
    r1 = Rel(c.select(rel, layer1), {**{n: rel.columns[n] for n, _ in keep}, m: "bool", g: "dynamic"})
    # layer 2: converted values (each conversion written once: the SQL stays linear in the number of columns)
    values = []
    conv_items = list(keep) + [(m, d.ident(m))]
    for i, (n, typ) in enumerate(cols):
        cap = E(f"{d.ident(g)}[{d.string(f'g{i}')}]", "string")
        if typ == "string":
            v = cap.sql
        elif typ == "dynamic":
            v = f"kql_parse_json({cap.sql})"
        else:
            v = convert(c, cap, typ).sql
        pv = f"__parse_v{i}"
        conv_items.append((pv, v))
        values.append((n, typ, d.ident(pv)))
    r1b = Rel(c.select(r1, conv_items), {**{n: rel.columns[n] for n, _ in keep}, m: "bool",
                                        **{f"__parse_v{i}": t for i, (_, t) in enumerate(cols)}})
    matched = d.ident(m)
    if kind == "relaxed":
        ok = matched
        items = [(n, f"CASE WHEN {matched} THEN {v} END") for n, _, v in values]
    else:
        conds = [matched] + [f"{v} IS NOT NULL" for _, typ, v in values if typ != "string"]
        ok = " AND ".join(conds)
        items = [(n, f"CASE WHEN {ok} THEN {v} END") for n, _, v in values]
    types = {n: rel.columns[n] for n, _ in keep}
    out_items = list(keep)
    if op.where:
        out_items.append(("__parse_ok", f"coalesce({ok}, FALSE)"))
    out_items += items
    r2_types = dict(types)
    if op.where:
        r2_types["__parse_ok"] = "bool"
    r2_types.update({n: typ for n, typ, _ in values})
    r2 = Rel(c.select(r1b, out_items), r2_types)
    # output order: input columns (a parsed column that already exists is replaced in place), then new columns
    final_names = [n for n in rel.columns] + [n for n in names if n not in rel.columns]
    final_types = {n: (dict(cols).get(n) or rel.columns[n]) for n in final_names}
    final = [(n, d.ident(n)) for n in final_names]
    where = d.ident("__parse_ok") if op.where else None
    notnull = frozenset(n for n in rel.notnull if n not in names)
    return Rel(c.select(r2, final, where=where), final_types, ordered=rel.ordered, notnull=notnull)


@operator(A.Parse)
def parse(c, rel: Rel, op: A.Parse, scope) -> Rel:
    return parse_rel(c, rel, op, scope)
