"""KQL front end: lexer (`lexer`), syntax tree (`ast`) and parser (`parser`). Text in, tree out; no semantics."""
from .parser import parse

__all__ = ["parse"]
