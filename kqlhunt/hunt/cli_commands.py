"""Typer commands: `hunt`, `rules list|check|update`, `explain`, `test` (registered by kqlhunt/cli.py)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

HUNT_HELP = """Run rules over a workspace and report findings.

Rules: the bundled rules, every --rules PATH (file or folder, repeatable) and the folders in $KQLHUNT_RULES
(separated by the OS path separator). Hunting queries run over all data (or --since/--until); analytic rules
over their queryPeriod ending at the reference time. The reference time (now()) is the latest TimeGenerated in
the workspace unless --now is given.

Exit codes: 0 no findings; 3 findings; 1 error (the workspace cannot be used, or rules failed and nothing was
found).
"""


def _fail(msg: str, code: int = 1):
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(code)


def _open_workspace(db: Path, now: Optional[str] = None):
    from ..engine import Engine
    if not db.exists():
        _fail(f"workspace {db} does not exist (create it with `kqlhunt ingest --db {db} PATH...`)")
    try:
        return Engine(db=db, now=now)
    except ValueError as exc:
        _fail(str(exc))
    except Exception as exc:
        _fail(f"cannot open workspace {db}: {str(exc).splitlines()[0]}")


def _parse_time(value: Optional[str], flag: str):
    if value is None:
        return None
    from ..kql.literals import parse_datetime
    t = parse_datetime(value)
    if t is None:
        _fail(f"{flag}: invalid time {value!r} (use ISO 8601, e.g. 2024-05-01T12:00:00Z)")
    return t


def hunt_command(
    db: Path = typer.Option(Path("kqlhunt.duckdb"), "--db", help="workspace DuckDB file"),
    rules: List[Path] = typer.Option([], "--rules", help="rule file or folder (repeatable)"),
    no_bundled: bool = typer.Option(False, "--no-bundled", help="do not include the bundled rules"),
    since: Optional[str] = typer.Option(None, "--since", help="hunting queries: only events at or after this time"),
    until: Optional[str] = typer.Option(None, "--until", help="hunting queries: only events at or before this time"),
    now: Optional[str] = typer.Option(None, "--now", help="reference time for now()/ago() (default: latest event)"),
    fmt: str = typer.Option("table", "--format", help="table | json | jsonl | csv | sarif"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="write the report to this file"),
    workers: int = typer.Option(0, "--workers", help="rules run in parallel (default: up to 4)"),
    no_progress: bool = typer.Option(False, "--no-progress", help="no progress bar"),
):
    from ..rules.loader import load_rules, rule_sources
    from .output import FORMATS, write
    from .runner import hunt
    if fmt not in FORMATS:
        _fail(f"unknown --format '{fmt}' (use {', '.join(FORMATS)})")
    since_t, until_t = _parse_time(since, "--since"), _parse_time(until, "--until")
    engine = _open_workspace(db, now)
    ruleset = load_rules(rule_sources(rules, bundled=not no_bundled))
    if not ruleset.rules and not ruleset.invalid:
        _fail("no rules found")
    show = not no_progress and sys.stderr.isatty()
    progress_cb, bar = None, None
    if show:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        bar = Progress(TextColumn("rules"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       TextColumn("[dim]{task.description}"), console=Console(stderr=True), transient=True)
        bar.start()
        task = bar.add_task("", total=None)

        def progress_cb(done, total, label):
            bar.update(task, completed=done, total=total, description=label[:50])
    try:
        report = hunt(engine, ruleset, now=now, since=since_t, until=until_t, workers=workers or None,
                      progress=progress_cb)
    finally:
        if bar is not None:
            bar.stop()
        engine.close()
    if output is not None:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            write(report, fmt, fh)
    else:
        write(report, fmt, sys.stdout)
    raise typer.Exit(report.exit_code)


hunt_command.__doc__ = HUNT_HELP

rules_app = typer.Typer(no_args_is_help=True, help="List, check and update rules.")


@rules_app.command("list")
def rules_list(
    rules: List[Path] = typer.Option([], "--rules", help="rule file or folder (repeatable)"),
    no_bundled: bool = typer.Option(False, "--no-bundled", help="do not include the bundled rules"),
    fmt: str = typer.Option("table", "--format", help="table | json"),
):
    """List the rules hunt would run (bundled, --rules, $KQLHUNT_RULES) and the invalid rule files."""
    import json

    from ..rules.loader import load_rules, rule_sources
    from ..rules.refs import query_reads
    rs = load_rules(rule_sources(rules, bundled=not no_bundled))

    def reads(r):
        try:
            return query_reads(r.query).all
        except Exception:
            return []
    if fmt == "json":
        doc = {"rules": [{"id": r.id, "name": r.name, "kind": r.kind, "severity": r.severity, "tactics": r.tactics,
                          "techniques": r.techniques, "reads": reads(r), "path": r.path} for r in rs.rules],
               "invalid": [{"path": i.path, "reason": i.reason} for i in rs.invalid]}
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    t = Table()
    for c in ("name", "kind", "severity", "tactics", "reads"):
        t.add_column(c, overflow="fold")
    for r in rs.rules:
        t.add_row(escape(r.name), r.kind, r.severity, ", ".join(r.tactics), ", ".join(reads(r)))
    con = Console()
    con.print(t)
    for i in rs.invalid:
        con.print(f"[red]invalid[/red] {escape(i.path)}: {escape(i.reason)}", highlight=False)


@rules_app.command("check")
def rules_check(
    paths: List[Path] = typer.Argument(..., help="rule files or folders"),
    db: Optional[Path] = typer.Option(None, "--db", help="check against this workspace (default: an empty one "
                                                          "with every known Sentinel table and the ASIM functions)"),
    fmt: str = typer.Option("table", "--format", help="table | json"),
):
    """Parse, compile and run every rule on an empty workspace; report ok / unsupported / parse_error /
    semantic_error / missing_table / invalid per rule. Exit 0 if all are ok, 1 otherwise."""
    import json

    from ..rules.check import check_paths, to_json_doc
    if db is not None and not db.exists():
        _fail(f"workspace {db} does not exist")
    results = check_paths(paths, db)
    doc = to_json_doc(results)
    if fmt == "json":
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table
        t = Table()
        for c in ("status", "rule", "reason"):
            t.add_column(c, overflow="fold")
        style = {"ok": "green", "invalid": "red", "parse_error": "red", "semantic_error": "yellow",
                 "unsupported": "magenta", "missing_table": "cyan"}
        for r in results:
            t.add_row(f"[{style.get(r.status, '')}]{r.status}[/]", escape(r.name or r.path), escape(r.reason))
        con = Console()
        con.print(t)
        con.print(", ".join(f"{k}: {v}" for k, v in doc["summary"].items() if v))
    raise typer.Exit(0 if all(r.status == "ok" for r in results) else 1)


@rules_app.command("update")
def rules_update(
    dest: Path = typer.Option(None, "--dest", help="where the clone lives (default ~/.kqlhunt/Azure-Sentinel)"),
    repo: str = typer.Option(None, "--repo", help="git URL or path to clone (default: Azure/Azure-Sentinel)"),
):
    """Clone the Azure-Sentinel repository, or pull it if already cloned (needs git and network access)."""
    from ..rules.update import DEFAULT_DEST, DEFAULT_REPO, UpdateError, update
    dest = dest or DEFAULT_DEST
    try:
        action, commit = update(dest, repo or DEFAULT_REPO)
    except UpdateError as exc:
        _fail(str(exc))
    typer.echo(f"{action} {dest} at {commit[:12]}; hunt with --rules {dest} (or add it to $KQLHUNT_RULES)")


def explain_command(
    target: str = typer.Argument(..., help="a rule YAML file, a .kql file, or a KQL query"),
    db: Path = typer.Option(Path("kqlhunt.duckdb"), "--db", help="workspace DuckDB file"),
    now: Optional[str] = typer.Option(None, "--now", help="reference time (default: latest event)"),
    fmt: str = typer.Option("table", "--format", help="table | json"),
):
    """The rule funnel: rows after each operator, and how many rows each condition of a `where` drops on its
    own, so you can see which condition lost the events you expected."""
    import json

    from ..errors import KqlError
    from ..rules.loader import InvalidRule, load_rule
    from .compiling import TimeColumns
    from .findings import jsonable
    from .funnel import funnel
    from .runner import latest_time, rule_window
    rule = None
    p = Path(target)
    if p.suffix.lower() in (".yaml", ".yml") and p.exists():
        try:
            rule = load_rule(p)
        except InvalidRule as exc:
            _fail(f"{p}: {exc}")
        text = rule.query
    elif p.suffix.lower() in (".kql", ".csl", ".txt") and p.exists():
        text = p.read_text(encoding="utf-8")
    else:
        text = target
    engine = _open_workspace(db, now)
    try:
        reference = engine.now if now else (latest_time(engine) or engine.now)
        engine.now = reference
        window = rule_window(rule, reference) if rule is not None else None
        try:
            stages = funnel(engine, text, window if window else None, TimeColumns(engine))
        except KqlError as err:
            _fail(err.render())
    finally:
        engine.close()
    if fmt == "json":
        doc = {"reference_time": jsonable(reference),
               "window": window.describe() if window else None,
               "stages": [s.to_dict() for s in stages]}
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    con = Console()
    title = escape(rule.name) if rule else "query"
    con.print(f"[bold]{title}[/bold]  reference time {jsonable(reference)}"
              + (f", window {window.describe()}" if window else ""), highlight=False)
    t = Table()
    t.add_column("#", justify="right")
    t.add_column("operator / condition", overflow="fold")
    t.add_column("rows in", justify="right")
    t.add_column("rows out", justify="right")
    t.add_column("dropped", justify="right")
    for s in stages:
        dropped = "" if s.rows_in is None else str(s.rows_in - s.rows)
        style = "bold red" if s.rows_in and s.rows == 0 else ""
        t.add_row(str(s.index), escape(s.text), "" if s.rows_in is None else str(s.rows_in), str(s.rows),
                  f"[{style}]{dropped}[/]" if style else dropped)
        for c in s.conditions:
            mark = "[bold red]" if c.dropped == s.rows_in and c.dropped else ""
            t.add_row("", f"  └ {escape(c.text)}", "", str(c.kept), f"{mark}{c.dropped}[/]" if mark else str(c.dropped))
    con.print(t)


def test_command(
    rule: Path = typer.Argument(..., help="the rule YAML"),
    data: List[Path] = typer.Option([], "--data", help="sample log files to ingest (repeatable)"),
    expect: Optional[int] = typer.Option(None, "--expect", help="expected number of findings"),
    now: Optional[str] = typer.Option(None, "--now", help="reference time (default: latest event)"),
):
    """Detection-as-code: ingest sample logs into a scratch workspace, run one rule, compare the number of
    findings with --expect (or with the cases in RULE.tests.yaml). Exit 0 if every case passes, 1 otherwise."""
    from ..rules.loader import InvalidRule
    from .testing import TestCase, load_sidecar, run_case, sidecar_path
    if data:
        if expect is None:
            _fail("--data needs --expect N")
        cases = [TestCase("command line", list(data), expect, now)]
    else:
        side = sidecar_path(rule)
        if not side.exists():
            _fail(f"give --data FILE --expect N, or write {side}")
        try:
            cases = load_sidecar(side)
        except (ValueError, OSError) as exc:
            _fail(str(exc))
    failed = 0
    for case in cases:
        try:
            res = run_case(rule, case)
        except InvalidRule as exc:
            _fail(f"{rule}: {exc}")
        failed += not res.passed
        typer.echo(f"{'PASS' if res.passed else 'FAIL'} {case.name}: {res.message}")
    typer.echo(f"{len(cases) - failed} passed, {failed} failed")
    raise typer.Exit(1 if failed else 0)


def register(app: typer.Typer) -> None:
    app.command("hunt", help=HUNT_HELP)(hunt_command)
    app.add_typer(rules_app, name="rules")
    app.command("explain")(explain_command)
    app.command("test")(test_command)
