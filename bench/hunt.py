"""Hunt benchmark: every rule in ../shared/sentinel/rules plus the seed over N synthetic normalized process
events (kqlhunt.demo.synth.normalized_process_events, registered as imProcessCreate and imProcess), with
kqlhunt's hunt (rules compiled, then run in parallel on DuckDB cursors), and the same rules one by one in a fresh
duckdb-kql connection each (where duckdb-kql can run them).

    .venv/bin/python bench/hunt.py [--rows 1000000 10000000] [--write]   (--write: update BENCHMARKS.md ## Hunt)
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from kqlhunt import Engine  # noqa: E402
from kqlhunt.demo.synth import ANCHOR, normalized_process_events  # noqa: E402
from kqlhunt.hunt import hunt  # noqa: E402
from kqlhunt.rules import load_rules  # noqa: E402

NAMES = ("imProcessCreate", "imProcess")


def short(name: str, n: int = 48) -> str:
    return name if len(name) <= n else name[: n - 1] + "…"


def run_kqlhunt(table, rules, workers):
    e = Engine(now=ANCHOR)
    for n in NAMES:
        e.register(n, table)
    t = time.perf_counter()
    rep = hunt(e, rules, now=ANCHOR, store=False, workers=workers)
    total = time.perf_counter() - t
    e.close()
    return total, rep


def run_peer(table, rules):
    try:
        import duckdb_kql
    except ImportError:
        return None
    out = {}
    for r in rules.rules:
        con = duckdb_kql.connect()
        for n in NAMES:
            con.register(n, table)
        t = time.perf_counter()
        try:
            rows = len(duckdb_kql.kql(con, r.query).fetchall())
            out[r.id] = (time.perf_counter() - t, rows, "")
        except Exception as exc:  # noqa: BLE001 - the peer's own error types
            out[r.id] = (None, None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:70]}")
        con.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    rules = load_rules([SHARED / "sentinel" / "rules", SHARED / "seed" / "rule.yaml"])
    sections = []
    for n in args.rows:
        table = normalized_process_events(n)
        run_kqlhunt(table.slice(0, 1000), rules, 1)          # warm-up (macros, imports)
        par_total, par = run_kqlhunt(table, rules, None)
        seq_total, seq = run_kqlhunt(table, rules, 1)
        peer = run_peer(table, rules)
        lines = [f"### {n:,} events", "",
                 f"kqlhunt hunt, {len(rules.rules)} rules: **{par_total:.2f} s** in parallel (up to 4 cursors), "
                 f"{seq_total:.2f} s one at a time; {len(par.by_status('run'))} run, "
                 f"{len(par.by_status('skipped'))} skipped, {len(par.by_status('failed'))} failed, "
                 f"{len(par.findings)} findings.", ""]
        if peer is not None:
            both = [o for o in seq.outcomes if o.status == "run" and peer.get(o.id, (None,))[0] is not None]
            if both:
                ours = sum(o.seconds for o in both)
                theirs = sum(peer[o.id][0] for o in both)
                lines += [f"On the {len(both)} rules both run: kqlhunt {ours:.2f} s (sum of per-rule times), "
                          f"duckdb-kql {theirs:.2f} s (fresh connection per rule), ratio {theirs / ours:.1f}x.", ""]
        lines += ["| rule | kqlhunt status | kqlhunt s | rows | duckdb-kql s | rows |", "|---|---|---:|---:|---:|---:|"]
        for o in seq.outcomes:
            if o.rule is None:
                continue
            p = (peer or {}).get(o.id)
            ps = "n/a" if p is None else (f"{p[0]:.3f}" if p[0] is not None else "error")
            pr = "" if p is None or p[1] is None else str(p[1])
            if p is not None and p[2]:
                pr = p[2].replace("|", "\\|")
            ks = f"{o.seconds:.3f}" if o.status == "run" else ""
            kr = str(o.rows) if o.status == "run" else o.reason.replace("|", "\\|")[:80]
            lines.append(f"| {short(o.name)} | {o.status} | {ks} | {kr} | {ps} | {pr} |")
        sections.append("\n".join(lines))
        print("\n".join(lines), flush=True)
        del table, par, seq
        gc.collect()
    if args.write:
        head = ["## Hunt", "",
                f"`bench/hunt.py`, {dt.date.today()}, {platform.machine()} × {__import__('os').cpu_count()} cores, "
                "in-memory synthetic `imProcessCreate` (also registered as `imProcess`), reference time = the synth "
                "anchor (kqlhunt's `now()`); duckdb-kql uses the wall clock for `ago()`, so rows differ for rules "
                "with time filters. kqlhunt per-rule times are execution only (compilation is a few ms per rule).", ""]
        text = "\n".join(head) + "\n" + "\n\n".join(sections) + "\n"
        path = ROOT / "BENCHMARKS.md"
        doc = path.read_text()
        start = doc.find("\n## Hunt")
        if start >= 0:
            end = doc.find("\n## ", start + 1)
            doc = doc[:start + 1] + text + (doc[end + 1:] if end >= 0 else "")
        else:
            doc = doc.rstrip("\n") + "\n\n" + text
        path.write_text(doc)


if __name__ == "__main__":
    main()
