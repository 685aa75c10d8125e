"""The embedded engine: `Engine(db=None, now=None)` runs KQL on DuckDB (in memory, or a workspace file).

    engine = Engine()
    engine.register("imProcessCreate", arrow_table)     # pyarrow table, DuckDB relation or Parquet path
    result = engine.query("imProcessCreate | take 10")  # -> Result(columns, types, rows, to_arrow())
    engine.explain(query)                               # the SQL it would run
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from ..compile.compiler import Compiled, Compiler
from ..errors import KqlError
from ..kql import ast as A
from ..kql.parser import parse
from . import macros
from .catalog import DuckDBCatalog
from .result import Result


def _utc_naive(value: dt.datetime | str | None) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        from ..kql.literals import parse_datetime
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(f"invalid reference time {value!r} (use ISO 8601, e.g. 2024-05-01T12:00:00Z)")
        return parsed
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


class Engine:
    def __init__(self, db: str | Path | None = None, now: dt.datetime | str | None = None, read_only: bool = False,
                 asim: bool = True):
        self.db = str(db) if db else ":memory:"
        self.con = duckdb.connect(self.db, read_only=read_only)
        self.con.execute("SET TimeZone = 'UTC'")
        self._macros: set[str] = set()   # run-time macros created so far (each on first use: binding is slow)
        self.catalog = DuckDBCatalog(self.con)
        self._now = _utc_naive(now)
        self._registered: dict[str, object] = {}
        if asim:
            from ..asim import load_functions
            load_functions(self)

    # ------------------------------------------------------------------------------------------ data
    def register(self, name: str, table) -> None:
        """Make `table` (pyarrow Table/RecordBatchReader, DuckDB relation, pandas frame, or a Parquet path) visible
        as KQL table `name`. It shadows any stored function or workspace table of the same name."""
        if isinstance(table, (str, Path)):
            path = str(table).replace("'", "''")
            self.con.execute(f'CREATE OR REPLACE TEMP VIEW "{name}" AS SELECT * FROM read_parquet(\'{path}\')')
        elif isinstance(table, duckdb.DuckDBPyRelation):
            table.create_view(name, replace=True)
        else:
            self.con.register(name, table)
        self._registered[name] = table
        self.catalog.invalidate()

    def refresh(self) -> None:
        """Forget cached schemas (call after tables were created outside the engine)."""
        self.catalog.invalidate()

    def define_functions(self, text: str) -> list[str]:
        """Store KQL functions written as `let Name = (params) { body };` statements (as Sentinel's saved functions)."""
        body = parse(text)
        names = []
        for let in body.lets:
            if isinstance(let.value, A.FunctionDef):
                self.catalog.functions[let.name] = (let.value, text)
            else:
                self.catalog.functions[let.name] = (A.FunctionDef(let.pos, [], A.Body(let.pos, [], let.value)), text)
            names.append(let.name)
        return names

    # ------------------------------------------------------------------------------------------ queries
    @property
    def now(self) -> dt.datetime:
        return self._now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)

    @now.setter
    def now(self, value) -> None:
        self._now = _utc_naive(value)

    def compile(self, text: str) -> Compiled:
        return Compiler(self.catalog, now=self.now).compile_text(text)

    def explain(self, text: str) -> str:
        return self.compile(text).sql

    def query(self, text: str) -> Result:
        compiled = self.compile(text)
        return self.run(compiled)

    def run(self, compiled: Compiled) -> Result:
        self.ensure_macros([compiled.sql])
        try:
            table = self.con.sql(compiled.sql).to_arrow_table()
        except duckdb.Error as exc:
            raise KqlError(f"query failed while running: {str(exc).splitlines()[0]}", kind="runtime") from exc
        return Result(compiled.columns, compiled.types, table, compiled.sql)

    def ensure_macros(self, sql_texts) -> None:
        """Create the run-time macros these SQL texts need (cursors of this connection share them)."""
        if any("kql_" in t for t in sql_texts):
            macros.install(self.con, sql_texts, self._macros)

    def close(self) -> None:
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
