"""KQL tree -> SQL. `compiler.Compiler` walks statements and tabular operators (one module per operator family in
`operators/`), `expr.ExprCompiler` walks scalar expressions (functions in `functions/`, one module per family), and
every SQL fragment that differs between engines comes from a `dialect.Dialect` (DuckDB now, Spark later).
"""
from .compiler import Compiler, Compiled

__all__ = ["Compiler", "Compiled"]
