"""parse-kv (query/parse-kv-operator.md).

Three modes, all in SQL:
- regex=R: `regexp_extract_all` of groups 1 (keys) and 2 (values); the first appearance of each listed key wins.
- pair_delimiter=P, kv_delimiter=K [quote=, escape=]: the text is read as a sequence of `key K value` pairs
  separated by P; a key or value may be quoted (then it may contain delimiters; escape chars inside quotes escape the
  next character). With greedy=true an unquoted value runs until the next `P key K` (or the end).
- no delimiters given: any non-alphanumeric character is a delimiter; for each listed key the first whole-word
  appearance followed by delimiter characters gives its value (an alphanumeric run, or a quoted string).
Keys and values are trimmed of leading/trailing whitespace; a missing key gives null ("" for strings); values are
converted like to<type>().
"""
from __future__ import annotations

from ...kql import ast as A
from ..compiler import Rel
from ..functions.conversion import convert
from ..strops import check_regex, re2_escape
from ..types import E
from . import operator

_ALNUM = "0-9A-Za-z"


def _opt(c, op: A.ParseKv, name: str, scope):
    node = op.options.get(name)
    if node is None:
        return None
    e = c.expr.compile(node, {}, scope)
    if not e.is_const:
        raise c.error(f"parse-kv: {name} must be a constant", node)
    return e.const


def _class_escape(ch: str) -> str:
    return "\\" + ch if ch in "\\]^-[" else ch


@operator(A.ParseKv)
def parse_kv(c, rel: Rel, op: A.ParseKv, scope) -> Rel:
    d = c.d
    known = {"pair_delimiter", "kv_delimiter", "quote", "escape", "greedy", "regex"}
    for k in op.options:
        if k not in known:
            raise c.error(f"parse-kv: unknown option '{k}'", op.options[k])
    text = c.expr.nn(c.expr.compile(op.expr, rel.columns, scope))
    regex = _opt(c, op, "regex", scope)
    pair = _opt(c, op, "pair_delimiter", scope)
    kv = _opt(c, op, "kv_delimiter", scope)
    quote = _opt(c, op, "quote", scope)
    escape = _opt(c, op, "escape", scope)
    greedy = _opt(c, op, "greedy", scope)
    if quote is not None and (not isinstance(quote, str) or len(quote) not in (1, 2)):
        raise c.error("parse-kv: quote must be a one- or two-character string", op)
    if escape is not None and (not isinstance(escape, str) or len(escape) != 1):
        raise c.error("parse-kv: escape must be a one-character string", op)
    open_q, close_q = (quote[0], quote[-1]) if quote else (None, None)

    def unquote(v: str) -> str:
        """trim, then strip surrounding quotes and unescape."""
        v = f"trim({v})"
        if not open_q:
            return v
        inner = f"{v}[2:-2]"
        if escape:
            inner = f"regexp_replace({inner}, {d.string(re2_escape(escape) + '(.)')}, '\\1', 'g')"
        return (f"CASE WHEN starts_with({v}, {d.string(open_q)}) AND ends_with({v}, {d.string(close_q)}) "
                f"AND length({v}) >= 2 THEN {inner} ELSE {v} END")

    quoted_re = None
    if open_q:
        oq, cq = re2_escape(open_q), re2_escape(close_q)
        if escape:
            quoted_re = f"{oq}(?:[^{_class_escape(close_q)}{_class_escape(escape)}]|{re2_escape(escape)}.)*{cq}"
        else:
            quoted_re = f"{oq}[^{_class_escape(close_q)}]*{cq}"

    values: dict[str, str] = {}
    raw_unquoted = False
    lists: list[tuple[str, str]] = []
    if regex is not None:
        if pair is not None or kv is not None or quote is not None or greedy:
            raise c.error("parse-kv: regex= cannot be combined with delimiters, quote or greedy", op)
        pat = d.string(check_regex(c.expr, str(regex), op))
        lists = [("__kv_keys", f"list_transform(regexp_extract_all({text}, {pat}, 1), lambda k: trim(k))"),
                 ("__kv_vals", f"regexp_extract_all({text}, {pat}, 2)")]
        keys, vals = d.ident("__kv_keys"), d.ident("__kv_vals")
        for name, _ in op.columns:
            values[name] = f"trim(list_extract({vals}, list_position({keys}, {d.string(name)})))"
            raw_unquoted = True
    elif pair is not None or kv is not None:
        if pair is None or kv is None:
            raise c.error("parse-kv: pair_delimiter and kv_delimiter go together", op)
        if not (isinstance(pair, str) and isinstance(kv, str) and len(pair) == 1 and len(kv) == 1):
            raise c.unsupported("parse-kv delimiters longer than one character", op)
        P, K = _class_escape(pair), _class_escape(kv)
        if greedy:
            if quote is not None:
                raise c.unsupported("parse-kv greedy=true with quote", op)
            # pieces between kv delimiters: the last pair-delimited token of piece i is key i, the rest of piece i+1
            # (or all of the last piece) is its value
            parts = f"string_split({text}, {d.string(kv)})"
            last_tok = f"regexp_extract(p, {d.string('[^' + P + ']*$')})"
            keys = f"list_transform({parts}[1:-2], lambda p: trim({last_tok}))"
            vals = (f"list_transform(list_zip({parts}[2:], range(len({parts}) - 1)), lambda pz: "
                    f"CASE WHEN pz[2] = len({parts}) - 2 THEN pz[1] "
                    f"ELSE regexp_replace(pz[1], {d.string(re2_escape(pair) + '[^' + P + ']*$')}, '') END)")
        else:
            tok_key = f"{quoted_re}|[^{K}{P}]*" if quoted_re else f"[^{K}{P}]*"
            tok_val = f"{quoted_re}|[^{P}]*" if quoted_re else f"[^{P}]*"
            pat = d.string(f"\\s*({tok_key})\\s*{re2_escape(kv)}\\s*({tok_val})")
            keys = f"list_transform(regexp_extract_all({text}, {pat}, 1), lambda k: {unquote('k')})"
            vals = f"regexp_extract_all({text}, {pat}, 2)"
        lists = [("__kv_keys", keys), ("__kv_vals", vals)]
        keys, vals = d.ident("__kv_keys"), d.ident("__kv_vals")
        for name, _ in op.columns:
            values[name] = f"list_extract({vals}, list_position({keys}, {d.string(name)}))"
            raw_unquoted = False
    else:
        if greedy:
            raise c.unsupported("parse-kv greedy=true without delimiters", op)
        q = _class_escape(open_q) if open_q else ""
        val = f"(?:{quoted_re}|[{_ALNUM}]+)" if quoted_re else f"[{_ALNUM}]+"
        for name, _ in op.columns:
            pat = d.string(f"(?:^|[^{_ALNUM}])" + re2_escape(name) + f"[^{_ALNUM}{q}]+({val})")
            values[name] = f"nullif(regexp_extract({text}, {pat}, 1), '')"
            raw_unquoted = False
        lists = []
    wanted = dict(op.columns)
    keep = [(n, d.ident(n)) for n in rel.columns if n not in wanted]
    keep_types = {n: rel.columns[n] for n, _ in keep}
    # layer 1: the key/value lists (once per row); layer 2: each key's raw value; layer 3: unquote and convert
    r = rel
    if lists:
        r = Rel(c.select(rel, c.passthrough(rel) + lists), {**rel.columns, **{n: "dynamic" for n, _ in lists}})
    raws = [(f"__kv_raw{i}", values[name]) for i, (name, _) in enumerate(op.columns)]
    r = Rel(c.select(r, keep + raws), {**keep_types, **{n: "string" for n, _ in raws}})
    items = list(keep)
    types = dict(keep_types)
    for i, (name, typ) in enumerate(op.columns):
        v = d.ident(f"__kv_raw{i}")
        if not raw_unquoted:
            v = unquote(v)
        if typ != "string":
            v = convert(c, E(f"nullif({v}, '')", "string"), typ).sql if typ != "dynamic" else f"kql_parse_json({v})"
        items.append((name, v))
        types[name] = typ
    return Rel(c.select(r, items), types, ordered=rel.ordered,
               notnull=frozenset(n for n in rel.notnull if n in types and n not in wanted))
