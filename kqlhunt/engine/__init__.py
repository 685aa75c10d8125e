"""Execution backends. `duckdb_engine.Engine` (embedded default) compiles KQL with `kqlhunt.compile` and runs
the SQL on DuckDB; `result.Result` converts rows back to KQL-typed Python values."""
from .duckdb_engine import Engine
from .result import Result

__all__ = ["Engine", "Result"]
