"""Turns KQL text into tokens. Owns literal syntax: strings in every form, numbers, timespans, comments.

Tokens carry their character offset so the parser can report line:column and check adjacency
(``project-away`` is three tokens with no space between them).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import KqlError, position

# kinds
IDENT, STRING, NUMBER, TIMESPAN, OP, EOF, RAW = "ident", "string", "number", "timespan", "op", "eof", "raw"

# Literals whose parenthesised content is free text, not tokens: datetime(2017-01-01 10:00), timespan(1.02:00:00).
RAW_LITERALS = {"datetime", "date", "time", "timespan", "guid", "uniqueid", "uuid"}

_OPS = ["==", "!=", "<>", "<=", ">=", "=~", "!~", "=>", "..", "<", ">", "=", "+", "-", "*", "/", "%",
        "(", ")", "[", "]", "{", "}", ",", ";", "|", ".", ":", "!", "~", "?", "@"]

# Timespan unit suffixes (query/scalar-data-types/timespan.md) -> microseconds per unit (ticks are 0.1 us).
TIMESPAN_UNITS = {
    "d": 86_400_000_000, "day": 86_400_000_000, "days": 86_400_000_000,
    "h": 3_600_000_000, "hr": 3_600_000_000, "hrs": 3_600_000_000, "hour": 3_600_000_000, "hours": 3_600_000_000,
    "m": 60_000_000, "min": 60_000_000, "minute": 60_000_000, "minutes": 60_000_000,
    "s": 1_000_000, "sec": 1_000_000, "second": 1_000_000, "seconds": 1_000_000,
    "ms": 1_000, "milli": 1_000, "millis": 1_000, "millisecond": 1_000, "milliseconds": 1_000,
    "microsecond": 1, "microseconds": 1, "micro": 1, "micros": 1,
    "tick": 0.1, "ticks": 0.1,
    "nanosecond": 0.001, "nanoseconds": 0.001, "nano": 0.001, "nanos": 0.001,
}

_NUMBER = re.compile(
    r"0[xX][0-9a-fA-F]+|(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?")
_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_]*")
_UNIT = re.compile(r"[A-Za-z]+")
_SPACE = re.compile(r"(?:\s+|//[^\n]*)+")


@dataclass(slots=True)
class Token:
    kind: str
    value: object          # str for ident/op/string; int|float for number; float (us) for timespan
    start: int             # offset of the first character
    end: int               # offset after the last character
    text: str = ""         # raw text (for numbers: to tell 1 from 1.0)
    obfuscated: bool = False


class Lexer:
    def __init__(self, source: str):
        self.source = source

    def error(self, message: str, offset: int) -> KqlError:
        line, col = position(self.source, offset)
        return KqlError(message, line, col, self.source)

    def tokens(self) -> list[Token]:
        src, i, n, out = self.source, 0, len(self.source), []
        while True:
            m = _SPACE.match(src, i)
            if m:
                i = m.end()
            if i >= n:
                out.append(Token(EOF, None, n, n))
                return out
            c = src[i]
            # strings (possibly prefixed with h/H for obfuscated, @ for verbatim)
            if c in "hH" and i + 1 < n and (src[i + 1] in "'\"" or (src[i + 1] == "@" and i + 2 < n and src[i + 2] in "'\"")):
                tok = self._string(i + 1)
                tok.start, tok.obfuscated = i, True
                out.append(tok)
                i = tok.end
                continue
            if c in "'\"" or (c == "@" and i + 1 < n and src[i + 1] in "'\""):
                tok = self._string(i)
                out.append(tok)
                i = tok.end
                continue
            if src.startswith("```", i) or src.startswith("~~~", i):
                fence = src[i:i + 3]
                j = src.find(fence, i + 3)
                if j < 0:
                    raise self.error("unterminated multi-line string literal (missing closing " + fence + ")", i)
                out.append(Token(STRING, src[i + 3:j], i, j + 3, src[i:j + 3]))
                i = j + 3
                continue
            if c.isdigit() or (c == "." and i + 1 < n and src[i + 1].isdigit() and not (out and out[-1].kind == OP and out[-1].value == ".")):
                m = _NUMBER.match(src, i)
                text = m.group(0)
                j = m.end()
                u = _UNIT.match(src, j)
                if u and not text.lower().startswith("0x") and u.group(0).lower() in TIMESPAN_UNITS and not (
                        u.end() < n and (src[u.end()].isalnum() or src[u.end()] == "_")):
                    unit = u.group(0).lower()
                    out.append(Token(TIMESPAN, float(text) * TIMESPAN_UNITS[unit], i, u.end(), src[i:u.end()]))
                    i = u.end()
                    continue
                if u and not text.lower().startswith("0x") and text[-1] not in "eE":
                    raise self.error(f"unknown timespan unit '{u.group(0)}' after number {text}", j)
                if text.lower().startswith("0x"):
                    value: object = int(text, 16)
                elif any(ch in text for ch in ".eE"):
                    value = float(text)
                else:
                    value = int(text)
                out.append(Token(NUMBER, value, i, j, text))
                i = j
                continue
            m = _IDENT.match(src, i)
            if m and m.group(0) in RAW_LITERALS and not (out and out[-1].kind == OP and out[-1].value == "."):
                j = m.end()
                while j < n and src[j] in " \t\r\n":
                    j += 1
                if j < n and src[j] == "(":
                    k = src.find(")", j)
                    if k < 0:
                        raise self.error(f"unterminated {m.group(0)}( literal", i)
                    out.append(Token(RAW, (m.group(0), src[j + 1:k]), i, k + 1, src[i:k + 1]))
                    i = k + 1
                    continue
            if m:
                out.append(Token(IDENT, m.group(0), i, m.end(), m.group(0)))
                i = m.end()
                continue
            for op in _OPS:
                if src.startswith(op, i):
                    out.append(Token(OP, op, i, i + len(op), op))
                    i += len(op)
                    break
            else:
                raise self.error(f"unexpected character {c!r}", i)

    def _string(self, i: int) -> Token:
        src, n = self.source, len(self.source)
        start = i
        verbatim = src[i] == "@"
        if verbatim:
            i += 1
        quote = src[i]
        i += 1
        buf = []
        while True:
            if i >= n or src[i] == "\n" and not verbatim:
                raise self.error("unterminated string literal", start)
            ch = src[i]
            if verbatim:
                if ch == quote:
                    if i + 1 < n and src[i + 1] == quote:
                        buf.append(quote)
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(ch)
                i += 1
                continue
            if ch == "\\":
                if i + 1 >= n:
                    raise self.error("unterminated string literal", start)
                e = src[i + 1]
                simple = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0",
                          "a": "\a", "b": "\b", "f": "\f", "v": "\v", "/": "/"}
                if e in simple:
                    buf.append(simple[e])
                    i += 2
                elif e == "u" and re.match(r"[0-9a-fA-F]{4}", src[i + 2:i + 6]):
                    buf.append(chr(int(src[i + 2:i + 6], 16)))
                    i += 6
                elif e == "x" and re.match(r"[0-9a-fA-F]{2}", src[i + 2:i + 4]):
                    buf.append(chr(int(src[i + 2:i + 4], 16)))
                    i += 4
                else:
                    raise self.error(f"invalid escape sequence '\\{e}' in string literal (use @'...' for verbatim text)", i)
                continue
            if ch == quote:
                i += 1
                break
            buf.append(ch)
            i += 1
        return Token(STRING, "".join(buf), start, i, src[start:i])


def tokenize(source: str) -> list[Token]:
    return Lexer(source).tokens()
