"""`make demo`: make a small Sentinel-shaped log export with a few attacks in it, ingest it into a fresh
workspace, hunt it with the bundled rules and print the findings. Everything it reads, it makes itself.

    python -m kqlhunt.demo [--out DIR]     (default DIR: ./workspace)
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
from pathlib import Path


def _jsonable(v):
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return v


def write_exports(out: Path) -> list[Path]:
    """Each synthetic table as a Log Analytics JSON-lines export (one object per row, with its `Type`)."""
    from .synth import sentinel_tables
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in sentinel_tables().items():
        path = out / f"{name}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for batch in table.to_batches(10_000):
                for row in batch.to_pylist():
                    row.setdefault("Type", name)
                    fh.write(json.dumps({k: _jsonable(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="workspace", help="folder for the logs and the workspace")
    args = ap.parse_args(argv)
    from rich.console import Console
    console = Console()
    out = Path(args.out)
    logs, db = out / "demo-logs", out / "demo.duckdb"
    shutil.rmtree(logs, ignore_errors=True)
    for p in (db, Path(str(db) + ".wal")):
        p.unlink(missing_ok=True)

    console.rule("[bold]1. Synthetic Sentinel export (4 hours of a small org, a few attacks)")
    paths = write_exports(logs)
    for p in paths:
        console.print(f"  {p}  ({sum(1 for _ in p.open(encoding='utf-8')):,} events)")

    console.rule("[bold]2. Ingest")
    from ..ingest import ingest_paths
    report = ingest_paths(paths, db, progress=sys.stderr.isatty())
    for f in report.files:
        console.print(f"  {f.path}: {f.ingested:,} ingested, {f.rejected} rejected")

    console.rule("[bold]3. Hunt with the bundled rules")
    from ..engine import Engine
    from ..hunt.output import write
    from ..hunt.runner import hunt
    from ..rules import load_rules, rule_sources
    engine = Engine(db=db)
    try:
        result = hunt(engine, load_rules(rule_sources([], bundled=True)))
        write(result, "table", sys.stdout, console=console)
    finally:
        engine.close()
    console.rule("[bold]Next")
    console.print(f"  .venv/bin/kqlhunt tables --db {db}")
    console.print(f"  .venv/bin/kqlhunt query --db {db} \"imProcessCreate | summarize count() by EventProduct\"")
    console.print(f"  .venv/bin/kqlhunt hunt --db {db} --format json")
    console.print(f"  .venv/bin/kqlhunt explain --db {db} kqlhunt/rules/bundled/imProcess_enumeration_user_and_group.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
