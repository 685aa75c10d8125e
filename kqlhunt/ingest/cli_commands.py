"""Typer commands `kqlhunt ingest` and `kqlhunt tables` (registered by kqlhunt/cli.py).

Owns only presentation: argument parsing, the rich summary tables, the JSON output, and exit
codes. All work is delegated to kqlhunt.ingest.pipeline.

Register with:  app.command("ingest")(ingest_command); app.command("tables")(tables_command)
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import orjson
import typer

from .pipeline import ingest_paths, list_tables


def ingest_command(
    paths: List[Path] = typer.Argument(..., help="EVTX / JSON / CSV files, folders, .zip or .gz archives"),
    db: Path = typer.Option(Path("kqlhunt.duckdb"), "--db", help="workspace DuckDB file"),
    format: str = typer.Option("table", "--format", help="output: table or json"),
    sysmon_table: str = typer.Option("Event", "--sysmon-table",
                                     help="where Sysmon records go: Event (MMA shape) or WindowsEvent"),
    table: Optional[str] = typer.Option(None, "--table", help="destination table for CSV / shapeless JSON rows"),
    no_progress: bool = typer.Option(False, "--no-progress", help="no progress bar"),
) -> None:
    """Ingest logs into Sentinel-shaped tables of the workspace."""
    if format not in ("table", "json"):
        typer.echo("error: --format must be 'table' or 'json'", err=True)
        raise typer.Exit(2)
    if sysmon_table not in ("Event", "WindowsEvent"):
        typer.echo("error: --sysmon-table must be 'Event' or 'WindowsEvent'", err=True)
        raise typer.Exit(2)
    show_progress = not no_progress and sys.stderr.isatty()
    try:
        report = ingest_paths(paths, db, sysmon_table=sysmon_table, progress=show_progress, table=table)
    except Exception as exc:  # workspace cannot be opened (locked, not a DuckDB file, ...)
        typer.echo(f"error: cannot use workspace {db}: {str(exc).splitlines()[0]}", err=True)
        raise typer.Exit(2)
    if format == "json":
        sys.stdout.write(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        _print_report(report)
    failed = [f for f in report.files if f.status == "failed"]
    for f in failed:
        typer.echo(f"error: {f.errors[0]}", err=True)
    if failed and len(failed) == len(report.files):
        raise typer.Exit(1)


def _print_report(report) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console()
    t = Table(title="Ingested rows per table")
    t.add_column("table")
    t.add_column("rows", justify="right")
    for name, n in sorted(report.tables.items()):
        t.add_row(name, f"{n:,}")
    con.print(t)
    ft = Table(title="Files")
    for c in ("file", "format", "status", "records", "ingested", "rejected"):
        ft.add_column(c, justify="right" if c in ("records", "ingested", "rejected") else "left")
    for f in report.files:
        ft.add_row(f.path, f.format, f.status, f"{f.records:,}", f"{f.ingested:,}", f"{f.rejected:,}")
    con.print(ft)
    for f in report.files:
        if f.rejected:
            con.print(f"[yellow]{f.path}[/]: {f.rejected} rejected")
            for e in f.errors[:20]:
                con.print(f"  - {e}", markup=False, highlight=False)
            if len(f.errors) > 20:
                con.print(f"  ... {len(f.errors) - 20} more reasons", markup=False)
        elif f.status == "skipped":
            con.print(f"{f.path}: skipped, {f.errors[0]}", markup=False, highlight=False)
    rate = report.records / report.seconds if report.seconds else 0
    con.print(f"{report.ingested:,} rows ingested, {report.rejected:,} rejected, "
              f"{report.seconds:.1f} s ({rate:,.0f} records/s)")


def tables_command(
    db: Path = typer.Option(Path("kqlhunt.duckdb"), "--db", help="workspace DuckDB file"),
    format: str = typer.Option("table", "--format", help="output: table or json"),
) -> None:
    """List the workspace tables with row counts and TimeGenerated ranges."""
    if not db.exists():
        typer.echo(f"error: no workspace at {db}; run `kqlhunt ingest --db {db} PATH...` first", err=True)
        raise typer.Exit(2)
    try:
        rows = list_tables(db)
    except Exception as exc:
        typer.echo(f"error: cannot read workspace {db}: {str(exc).splitlines()[0]}", err=True)
        raise typer.Exit(2)
    if format == "json":
        out = [{**r, "min_time": _iso(r["min_time"]), "max_time": _iso(r["max_time"])} for r in rows]
        sys.stdout.write(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Tables in {db}")
    for c in ("table", "rows", "first TimeGenerated", "last TimeGenerated"):
        t.add_column(c, justify="right" if c == "rows" else "left")
    for r in rows:
        t.add_row(r["table"], f"{r['rows']:,}", _iso(r["min_time"]) or "", _iso(r["max_time"]) or "")
    Console().print(t)


def _iso(v):
    return v.isoformat(sep=" ") if v is not None else None


def main() -> None:  # standalone use until kqlhunt/cli.py registers the commands
    app = typer.Typer(add_completion=False)
    app.command("ingest")(ingest_command)
    app.command("tables")(tables_command)
    app()


if __name__ == "__main__":
    main()
