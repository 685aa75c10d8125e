"""Ingest of real logs (EVTX, Sentinel/Log Analytics JSON exports, Security-Datasets/Mordor
host logs, Defender DeviceProcessEvents exports, CSV) into a DuckDB workspace of
Sentinel-shaped tables.

Public API:
    ingest_paths(paths, db_path, *, sysmon_table="Event", progress=True) -> IngestReport
    list_tables(db_path) -> [{table, rows, min_time, max_time}]
    SCHEMAS (table -> [(column, kql_type)]), create_table_sql(table)

Modules: schemas (table schemas), sources (discovery, sniffing, zip/gz), readers (record
streams), windows (Windows event -> Event/SecurityEvent/WindowsEvent rows), workspace (DuckDB,
ledger, batch writer), pipeline (the run), cli_commands (typer commands).
"""
from .pipeline import FileReport, IngestReport, ingest_paths, list_tables
from .schemas import SCHEMAS, create_table_sql

__all__ = ["ingest_paths", "list_tables", "IngestReport", "FileReport", "SCHEMAS",
           "create_table_sql"]
