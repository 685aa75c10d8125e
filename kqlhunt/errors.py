"""The one error type users see: `KqlError`, with the source position and a caret line."""
from __future__ import annotations


class KqlError(Exception):
    """Invalid or unsupported KQL (or a query that cannot run), with line:column when known.

    `str(err)` is one line: ``<message> at line L:C``; `err.render()` adds the source line and a caret.
    """

    def __init__(self, message: str, line: int | None = None, col: int | None = None, source: str | None = None,
                 kind: str = "syntax"):
        self.message = message
        self.kind = kind          # syntax | unsupported | semantic | runtime
        self.line = line
        self.col = col
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"{self.message} at line {self.line}:{self.col}"

    def render(self) -> str:
        """The message, the offending source line and a caret under the column."""
        text = str(self)
        if self.source is None or self.line is None:
            return text
        lines = self.source.splitlines() or [""]
        if 1 <= self.line <= len(lines):
            src = lines[self.line - 1]
            text += "\n  " + src + "\n  " + " " * max(self.col - 1, 0) + "^"
        return text


def position(source: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset in `source`."""
    offset = max(0, min(offset, len(source)))
    line = source.count("\n", 0, offset) + 1
    col = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return line, col
