"""The `kqlhunt` command line: query | ingest | tables | hunt | rules | explain | test | serve.

Each command is a thin wrapper over its stage's package; output formats are table (rich), json, csv, ndjson.
Exit codes: 0 ok, 1 error (message on stderr), 3 hunt found something (see `kqlhunt hunt --help`).
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Run Microsoft Sentinel KQL rules on your own logs, locally.")


def _jsonable(v):
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(v, dt.timedelta):
        from .compile.dialect import format_timespan
        return format_timespan(int(v / dt.timedelta(microseconds=1)))
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return str(v)
    return v


def _cell(v) -> str:
    v = _jsonable(v)
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def print_result(result, fmt: str, out=None) -> None:
    """Write a query Result in one of the output formats."""
    out = out or sys.stdout
    if fmt == "json":
        doc = {"columns": [{"name": n, "type": t} for n, t in zip(result.columns, result.types)],
               "rows": [[_jsonable(v) for v in row] for row in result.rows]}
        out.write(json.dumps(doc, ensure_ascii=False, default=str) + "\n")
    elif fmt == "ndjson":
        for row in result.rows:
            out.write(json.dumps({n: _jsonable(v) for n, v in zip(result.columns, row)}, ensure_ascii=False,
                                 default=str) + "\n")
    elif fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(result.columns)
        for row in result.rows:
            w.writerow([_cell(v) for v in row])
    else:
        from rich.console import Console
        from rich.table import Table
        table = Table(show_lines=False)
        for n, t in zip(result.columns, result.types):
            table.add_column(f"{n}\n[dim]{t}[/dim]", overflow="fold")
        for row in result.rows:
            table.add_row(*[_cell(v) for v in row])
        console = Console(file=out) if out is not sys.stdout else Console()
        console.print(table)
        console.print(f"[dim]{len(result.rows)} row(s)[/dim]")


def fail(message: str, code: int = 1):
    typer.echo(message, err=True)
    raise typer.Exit(code)


@app.command()
def query(
    text: Optional[str] = typer.Argument(None, help="the KQL query (or use --file)"),
    file: Optional[Path] = typer.Option(None, "--file", "-f", help="read the query from this file"),
    db: Optional[Path] = typer.Option(None, "--db", help="workspace DuckDB file (default: in-memory)"),
    fmt: str = typer.Option("table", "--format", help="table | json | csv | ndjson"),
    now: Optional[str] = typer.Option(None, "--now", help="reference time for now()/ago(), ISO 8601"),
    sql: bool = typer.Option(False, "--sql", help="print the SQL instead of running it"),
):
    """Run a KQL query against a workspace."""
    from .errors import KqlError
    from .engine import Engine
    if fmt not in ("table", "json", "csv", "ndjson"):
        fail(f"error: unknown --format '{fmt}' (use table, json, csv or ndjson)")
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            fail(f"error: cannot read {file}: {exc.strerror}")
    if not text:
        fail("error: give a query, or --file FILE")
    if db is not None and not db.exists():
        fail(f"error: workspace {db} does not exist (create it with `kqlhunt ingest --db {db} PATH...`)")
    try:
        engine = Engine(db=db, now=now, read_only=db is not None)
    except ValueError as exc:
        fail(f"error: {exc}")
    try:
        if sql:
            typer.echo(engine.explain(text))
            return
        result = engine.query(text)
    except KqlError as err:
        fail("error: " + err.render())
    print_result(result, fmt)


def _register_optional_commands() -> None:
    """Commands owned by other stages register themselves here (kept import-light for `kqlhunt query`)."""
    try:
        from .ingest.cli_commands import ingest_command, tables_command
        app.command("ingest")(ingest_command)
        app.command("tables")(tables_command)
    except ImportError:
        pass
    try:
        from .hunt.cli_commands import register as register_hunt
        register_hunt(app)
    except ImportError:
        pass
    try:
        from .web.cli_commands import register as register_web
        register_web(app)
    except ImportError:
        pass


_register_optional_commands()


def main() -> None:
    app()

