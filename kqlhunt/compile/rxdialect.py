"""Kusto regex (Rust `regex` crate syntax and semantics) -> RE2 (DuckDB's regex engine). See docs/regex.md.

`translate(pattern)` returns a `Regex` with the RE2 pattern, the capture groups (names or None), and whether the
pattern uses a word boundary (`\\b`/`\\B`). Rust's `\\d \\w \\s` are Unicode-aware, RE2's are ASCII-only: they are
rewritten to explicit Unicode classes. Rust's `\\b` is Unicode-aware and RE2 cannot express that (no lookaround), so
`\\b` stays RE2's ASCII `\\b` and callers add a row guard (`word_guard`) that refuses text where the two differ.
Constructs RE2 cannot express raise `RegexUnsupported` naming the construct.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Rust \d = \p{Nd}
DIGIT = r"\p{Nd}"
# Rust \s = Unicode White_Space
SPACE = r"\t\n\x0B\f\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}"
# Rust \w = Alphabetic + M + Nd + Pc + Join_Control. Alphabetic = L + Nl + Other_Alphabetic; Other_Alphabetic is
# almost all M (covered) plus the So letters below (circled/parenthesized/squared/negative latin letters).
WORD = (r"\pL\pM\p{Nd}\p{Pc}\p{Nl}\x{200C}\x{200D}\x{24B6}-\x{24E9}\x{1F130}-\x{1F149}\x{1F150}-\x{1F169}"
        r"\x{1F170}-\x{1F189}")
# non-ASCII characters that are word characters for Rust's Unicode \b but not for RE2's ASCII \b
NON_ASCII_WORD = "[" + WORD + "]"


class RegexUnsupported(Exception):
    pass


@dataclass
class Regex:
    re2: str
    groups: list = field(default_factory=list)     # one entry per capture group: its name or None
    word_boundary: bool = False


def translate(p: str) -> Regex:
    out: list[str] = []
    groups: list = []
    wb = False
    i, n = 0, len(p)
    while i < n:
        ch = p[i]
        if ch == "\\":
            tok, i, b = _escape(p, i, in_class=False)
            wb = wb or b
            out.append(tok)
            continue
        if ch == "[":
            tok, i = _char_class(p, i)
            out.append(tok)
            continue
        if ch == "(":
            if p.startswith("(?P<", i) or p.startswith("(?<", i):
                j = p.index("<", i) + 1
                k = p.find(">", j)
                if k < 0:
                    raise RegexUnsupported("regex: unterminated group name")
                name = p[j:k]
                if p.startswith("(?<=", i) or p.startswith("(?<!", i):
                    raise RegexUnsupported("regex lookbehind (Kusto's regex engine rejects it too)")
                groups.append(name)
                out.append(f"(?P<{name}>")
                i = k + 1
                continue
            if p.startswith("(?", i):
                if p.startswith("(?=", i) or p.startswith("(?!", i):
                    raise RegexUnsupported("regex lookahead (Kusto's regex engine rejects it too)")
                # flags group: (?flags) or (?flags:...)
                j = i + 2
                while j < n and p[j] not in ":)":
                    j += 1
                flags = p[i + 2:j]
                for f in flags:
                    if f in "imsU-":
                        continue
                    if f == "u":
                        continue
                    if f == "x":
                        raise RegexUnsupported("regex flag x (verbose mode)")
                    if f == "R":
                        raise RegexUnsupported("regex flag R (CRLF mode)")
                    raise RegexUnsupported(f"regex flag {f}")
                if "-" in flags and "u" in flags.split("-", 1)[1]:
                    raise RegexUnsupported("regex flag -u (byte mode)")
                flags = flags.replace("u", "")
                if flags in ("", "-"):
                    out.append("(?:" if j < n and p[j] == ":" else "")
                    i = j + 1
                    if j < n and p[j] == ")":
                        pass
                    continue
                out.append("(?" + flags + (":" if j < n and p[j] == ":" else ")"))
                i = j + 1
                continue
            groups.append(None)
            out.append("(")
            i += 1
            continue
        out.append(ch)
        i += 1
    return Regex("".join(out), groups, wb)


def _escape(p: str, i: int, in_class: bool) -> tuple[str, int, bool]:
    """One escape sequence at p[i] ('\\'): (RE2 text, next index, uses word boundary)."""
    if i + 1 >= len(p):
        raise RegexUnsupported("regex: trailing backslash")
    c = p[i + 1]
    nxt = i + 2
    if c == "d":
        return DIGIT, nxt, False
    if c == "D":
        return r"\P{Nd}", nxt, False
    if c == "s":
        return (SPACE if in_class else "[" + SPACE + "]"), nxt, False
    if c == "w":
        return (WORD if in_class else "[" + WORD + "]"), nxt, False
    if c in "SW":
        if in_class:
            raise RegexUnsupported(f"regex \\{c} inside a character class")
        return "[^" + (SPACE if c == "S" else WORD) + "]", nxt, False
    if c in "bB":
        if in_class:
            raise RegexUnsupported(f"regex \\{c} inside a character class")
        if p.startswith("{", nxt):
            raise RegexUnsupported("regex \\b{...} word-boundary assertions")
        return "\\" + c, nxt, True
    if c in "<>":
        raise RegexUnsupported(f"regex \\{c} (word start/end assertion)")
    if c in "123456789":
        raise RegexUnsupported("regex backreference (Kusto's regex engine rejects it too)")
    if c in "QEC":
        raise RegexUnsupported(f"regex \\{c} (not valid in Kusto's regex syntax)")
    if c == "u":
        if p.startswith("{", nxt):
            k = p.index("}", nxt)
            return "\\x{" + p[nxt + 1:k] + "}", k + 1, False
        hexd = p[nxt:nxt + 4]
        return "\\x{" + hexd + "}", nxt + 4, False
    if c == "U":
        hexd = p[nxt:nxt + 8]
        return "\\x{" + hexd + "}", nxt + 8, False
    if c == "x":
        if p.startswith("{", nxt):
            k = p.index("}", nxt)
            return p[i:k + 1], k + 1, False
        return p[i:i + 4], i + 4, False
    if c == "p" or c == "P":
        if p.startswith("{", nxt):
            k = p.index("}", nxt)
            return p[i:k + 1], k + 1, False
        return p[i:i + 3], i + 3, False
    if c in "azAtnrfv" or not c.isalnum():
        return p[i:nxt], nxt, False
    if c == "0":
        raise RegexUnsupported("regex octal escape")
    raise RegexUnsupported(f"regex escape \\{c}")


def _char_class(p: str, i: int) -> tuple[str, int]:
    """A bracketed class starting at p[i] == '['."""
    out = ["["]
    j = i + 1
    n = len(p)
    if j < n and p[j] == "^":
        out.append("^")
        j += 1
    first = True
    while j < n:
        ch = p[j]
        if ch == "]" and not first:
            out.append("]")
            return "".join(out), j + 1
        first = False
        if ch == "\\":
            tok, j, _ = _escape(p, j, in_class=True)
            out.append(tok)
            continue
        if ch == "[":
            if p.startswith("[:", j):
                k = p.find(":]", j + 2)
                if k < 0:
                    raise RegexUnsupported("regex: bad POSIX class")
                out.append(p[j:k + 2])
                j = k + 2
                continue
            raise RegexUnsupported("regex nested character class")
        if p.startswith("&&", j) or p.startswith("--", j) or p.startswith("~~", j):
            raise RegexUnsupported(f"regex character class set operation {p[j:j + 2]}")
        out.append(ch)
        j += 1
    raise RegexUnsupported("regex: unterminated character class")


def escape(text: str) -> str:
    """Rust regex::escape (what Kusto's regex_quote() returns): escapes \\.+*?()|[]{}^$#&-~"""
    return "".join("\\" + c if c in "\\.+*?()|[]{}^$#&-~" else c for c in text)


def word_guard(x_sql: str) -> str:
    """SQL that is TRUE when Rust's Unicode \\b and RE2's ASCII \\b agree on text x (no non-ASCII word character)."""
    return (f"(NOT regexp_matches({x_sql}, '[^\\x00-\\x7F]') OR NOT regexp_matches(regexp_replace({x_sql}, "
            f"'[\\x00-\\x7F]+', '', 'g'), '{NON_ASCII_WORD}'))")


def guarded(x_sql: str, sql: str, rx: Regex) -> str:
    """sql (a regex function applied to x) that raises at run time where RE2's ASCII \\b could answer wrongly."""
    if not rx.word_boundary:
        return sql
    return (f"CASE WHEN {word_guard(x_sql)} THEN {sql} ELSE error('unsupported: regex \\b on text with non-ASCII "
            f"letters or digits (Kusto''s \\b is Unicode-aware, RE2''s is ASCII-only)') END")
