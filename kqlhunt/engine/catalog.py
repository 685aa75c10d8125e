"""What the compiler can see in a DuckDB database: tables/views (with KQL column types) and stored KQL
functions (the ASIM parsers and any the user defines). Schemas are cached until something is registered."""
from __future__ import annotations

from ..compile.compiler import Catalog
from ..compile.types import kql_type_of_sql
from ..kql import ast as A

# DuckDB types whose values the compiler does not read as-is (see compile/types.py representation)
_ADAPT = {
    "timespan": "epoch_us({c})",
    "guid": "CAST({c} AS VARCHAR)",
}


class DuckDBCatalog(Catalog):
    def __init__(self, con):
        self.con = con
        self._tables: dict[str, dict[str, str]] | None = None
        self._sql_types: dict[str, dict[str, str]] = {}
        self.functions: dict[str, tuple[A.FunctionDef, str]] = {}

    def invalidate(self) -> None:
        self._tables = None

    def _load(self) -> dict[str, dict[str, str]]:
        if self._tables is None:
            rows = self.con.execute(
                "SELECT table_name, column_name, data_type FROM duckdb_columns() "
                "WHERE NOT internal AND database_name IN (current_database(), 'temp') ORDER BY table_name, column_index").fetchall()
            tables: dict[str, dict[str, str]] = {}
            sql_types: dict[str, dict[str, str]] = {}
            for t, c, typ in rows:
                if t.startswith("_kqlhunt"):
                    continue
                tables.setdefault(t, {})[c] = kql_type_of_sql(typ)
                sql_types.setdefault(t, {})[c] = typ.upper()
            self._tables, self._sql_types = tables, sql_types
        return self._tables

    def table(self, name: str) -> dict[str, str] | None:
        return self._load().get(name)

    def table_names(self) -> list[str]:
        return list(self._load())

    def table_sql(self, name: str, columns: dict[str, str]) -> str:
        q = '"' + name.replace('"', '""') + '"'
        sql_types = self._sql_types.get(name, {})
        needs = []
        for c, t in columns.items():
            st = sql_types.get(c, "")
            qc = '"' + c.replace('"', '""') + '"'
            if t == "timespan" and st == "INTERVAL":
                needs.append(f"epoch_us({qc}) AS {qc}")
            elif t == "timespan":
                needs.append(qc)
            elif t == "guid":
                needs.append(f"CAST({qc} AS VARCHAR) AS {qc}")
            elif t == "datetime" and st not in ("TIMESTAMP",):
                needs.append(f"CAST({qc} AS TIMESTAMP) AS {qc}")
            elif t == "dynamic" and st != "JSON":
                needs.append(f"to_json({qc}) AS {qc}")
            elif t == "real" and st != "DOUBLE":
                needs.append(f"CAST({qc} AS DOUBLE) AS {qc}")
            elif t == "long" and st != "BIGINT":
                needs.append(f"CAST({qc} AS BIGINT) AS {qc}")
            elif t == "string" and not st.startswith("VARCHAR"):
                needs.append(f"CAST({qc} AS VARCHAR) AS {qc}")
            else:
                needs.append(None)
        if all(n is None for n in needs):
            return q
        items = [n if n is not None else '"' + c.replace('"', '""') + '"' for n, c in zip(needs, columns)]
        return f"(SELECT {', '.join(items)} FROM {q})"

    def function(self, name: str):
        return self.functions.get(name)
