"""Benchmark the seed rule: hand-written DuckDB SQL vs kqlhunt vs duckdb-kql, same process, same in-memory data.

    .venv/bin/python bench/seed_rule.py [--rows 1000000 10000000] [--runs 7] [--write] [--columns rules|all]

For each row count it generates synthetic ASIM process events (``kqlhunt.demo.synth``; ~1% planted matches and as
many near misses), registers the one pyarrow table with each contender, runs each once to warm up and then
``--runs`` times, and reports the median wall time (query + fetching the rows into Python). It checks that the three
return the same rows, and that the hand SQL finds exactly the planted matches (loudly, and exit status 1, if not).
``--write`` puts the table into the ``## Seed rule`` section of BENCHMARKS.md (creating the file if needed; other
sections are left as they are).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kqlhunt.demo import synth  # noqa: E402

SHARED_CANDIDATES = [os.environ.get("KQLHUNT_SHARED", ""), str(ROOT.parent / "shared"), "/work/shared"]

# The seed rule by hand, as a DuckDB expert writes it. Every Kusto operator maps to an exact equivalent:
# * `has ' user '` / `has ' group '`: the needle starts and ends with a non-term character, so `has` needs no term
#   boundary and is a case-insensitive substring test (semantics.md appendix). Kusto folds ASCII case only; for
#   these needles `contains(lower(x), ...)` is exact (the only non-ASCII characters whose lower case is ASCII are
#   K (Kelvin) -> k and U+0130 -> i + dot, and no needle here has a k or an i).
# * `hassuffix ' /do' or hassuffix ' /domain'`: the needle must be followed by a non-term character or the end:
#   ' /do(main)?' then [^\pL\pN] or $. The cheap `contains(lower(x), ' /do')` is implied by it and runs first.
# * `split(Process, '\\')[-1] == 'net.exe'`  <=>  Process = 'net.exe' or Process ends with '\net.exe'; that implies
#   `Process has 'net.exe'`, so the rule's own pre-filter adds nothing.
# * `!contains '\\'`: no backslash at all; `!contains '/add'`: case-insensitive.
# * `extract("(?i)[user|group] ...", 1, CommandLine)`: RE2 in both; `[user|group]` is a character class. No match
#   gives '' in both, and `Target != ''` then drops the row.
# * `sort by ActorUsername, Target`: Kusto's default order is descending (nulls last; there are none).
HAND_SQL = r"""
SELECT ActorUsername, Target, CommandLine, Dvc, EventVendor, EventProduct,
       min(TimeGenerated) AS minTimeGenerated, max(TimeGenerated) AS maxTimeGenerated, count(*) AS count_,
       min(TimeGenerated) AS "timestamp", ActorUsername AS AccountCustomEntity, Dvc AS HostCustomEntity
FROM (
    SELECT TimeGenerated, ActorUsername, CommandLine, Dvc, EventVendor, EventProduct,
           regexp_extract(CommandLine, '(?i)[user|group] ("*[a-zA-Z0-9-_ ]+"*)', 1) AS Target
    FROM imProcessCreate
    WHERE contains(lower(CommandLine), ' /do')
      AND (contains(lower(CommandLine), ' user ') OR contains(lower(CommandLine), ' group '))
      AND (Process = 'net.exe' OR suffix(Process, '\net.exe'))
      AND ActorUsername <> ''
      AND NOT contains(CommandLine, '\')
      AND NOT contains(lower(CommandLine), '/add')
      AND regexp_matches(CommandLine, '(?i) /do(?:main)?(?:[^\pL\pN]|$)')
)
WHERE Target <> ''
GROUP BY ActorUsername, Target, CommandLine, Dvc, EventVendor, EventProduct
ORDER BY ActorUsername DESC, Target DESC
"""

OUT_COLUMNS = ["ActorUsername", "Target", "CommandLine", "Dvc", "EventVendor", "EventProduct", "minTimeGenerated",
               "maxTimeGenerated", "count_", "timestamp", "AccountCustomEntity", "HostCustomEntity"]


def seed_query() -> str:
    for base in SHARED_CANDIDATES:
        p = Path(base) / "seed" / "rule.yaml"
        if base and p.exists():
            return yaml.safe_load(p.read_text())["query"]
    raise SystemExit("cannot find shared/seed/rule.yaml (set KQLHUNT_SHARED)")


# ---------------------------------------------------------------------------------------------------------------
# Contenders: each is (prepare(table) -> run() -> (columns, rows))
# ---------------------------------------------------------------------------------------------------------------

def hand_sql(table: pa.Table):
    con = duckdb.connect()
    con.register("imProcessCreate", table)

    def run():
        cur = con.execute(HAND_SQL)
        cols = [d[0] for d in cur.description]
        return cols, cur.fetchall()

    return run


def duckdb_kql_runner(table: pa.Table, query: str):
    import duckdb_kql

    con = duckdb_kql.connect()
    con.register("imProcessCreate", table)

    def run():
        rel = duckdb_kql.kql(con, query)
        return list(rel.columns), rel.fetchall()

    return run


def kqlhunt_runner(table: pa.Table, query: str):
    import kqlhunt

    engine = kqlhunt.Engine()
    engine.register("imProcessCreate", table)

    def run():
        res = engine.query(query)
        return list(res.columns), list(res.rows)

    return run, engine


# ---------------------------------------------------------------------------------------------------------------

def _norm_value(v):
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return v


def normalize(cols: list[str], rows) -> list[tuple]:
    """Rows as tuples in OUT_COLUMNS order, datetimes as naive UTC, sorted (ties in the rule's sort are unordered)."""
    missing = [c for c in OUT_COLUMNS if c not in cols]
    if missing:
        raise ValueError(f"output lacks columns {missing}; has {cols}")
    pos = [cols.index(c) for c in OUT_COLUMNS]
    return sorted(tuple(_norm_value(r[i]) for i in pos) for r in rows)


def sorted_as_rule_says(cols: list[str], rows) -> bool:
    a, t = cols.index("ActorUsername"), cols.index("Target")
    keys = [(r[a], r[t]) for r in rows]
    return all(keys[i] >= keys[i + 1] for i in range(len(keys) - 1))


def timed(run, runs: int) -> tuple[float, tuple]:
    out = run()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def machine_facts() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import duckdb_kql
        dk = getattr(duckdb_kql, "__version__", "")
        if not dk:
            from importlib.metadata import version
            dk = version("duckdb-kql")
    except Exception:  # noqa: BLE001
        dk = "not installed"
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(), "duckdb": duckdb.__version__,
            "pyarrow": pa.__version__, "duckdb-kql": dk, "load": os.getloadavg()[0]}


def fmt_rows(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else (f"{n // 1000}k" if n % 1000 == 0 else str(n))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--columns", choices=["rules", "all"], default="rules",
                    help="generate the columns the ASIM process rules read (default) or the whole ASIM schema")
    ap.add_argument("--write", action="store_true", help="write the table into BENCHMARKS.md (## Seed rule)")
    ap.add_argument("--no-kqlhunt", action="store_true", help="skip kqlhunt (e.g. while the engine is unfinished)")
    args = ap.parse_args(argv)

    query = seed_query()
    facts = machine_facts()
    print("machine:", facts, flush=True)
    failures: list[str] = []
    results = []
    compile_ms = None
    kqlhunt_error = None

    for n in args.rows:
        t0 = time.perf_counter()
        table = synth.normalized_process_events(
            n, seed=args.seed, columns=synth.RULE_COLUMNS if args.columns == "rules" else None)
        gen_s = time.perf_counter() - t0
        planted = int(table.schema.metadata[b"kqlhunt.synth.matches"])
        print(f"\n== {n:,} rows ({table.num_columns} columns) generated in {gen_s:.1f}s; {planted:,} planted matches",
              flush=True)

        rec = {"rows": n, "planted": planted}
        hand_t, (hcols, hrows) = timed(hand_sql(table), args.runs)
        rec["hand"] = hand_t
        ref = normalize(hcols, hrows)
        found = sum(r[OUT_COLUMNS.index("count_")] for r in ref)
        rec["groups"] = len(ref)
        print(f"hand SQL    {hand_t:8.3f}s  {len(ref):,} rows, {found:,} events", flush=True)
        if found != planted:
            failures.append(f"{n}: hand SQL found {found} matching events, {planted} were planted")
        if not sorted_as_rule_says(hcols, hrows):
            failures.append(f"{n}: hand SQL output not sorted by ActorUsername desc, Target desc")

        try:
            dk_t, (dcols, drows) = timed(duckdb_kql_runner(table, query), args.runs)
            rec["duckdb_kql"] = dk_t
            print(f"duckdb-kql  {dk_t:8.3f}s  {len(drows):,} rows  ({dk_t / hand_t:.2f}x hand)", flush=True)
            got = normalize(dcols, drows)
            if got != ref:
                failures.append(_mismatch("duckdb-kql", n, ref, got))
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{n}: duckdb-kql failed: {exc!r}")
            print(f"duckdb-kql  FAILED: {exc!r}", flush=True)

        if not args.no_kqlhunt:
            try:
                run, engine = kqlhunt_runner(table, query)
                if compile_ms is None:
                    engine.explain(query)
                    ct = []
                    for _ in range(max(args.runs, 5)):
                        c0 = time.perf_counter()
                        engine.explain(query)
                        ct.append(time.perf_counter() - c0)
                    compile_ms = statistics.median(ct) * 1000
                    print(f"kqlhunt compile (explain) {compile_ms:.2f} ms", flush=True)
                kh_t, (kcols, krows) = timed(run, args.runs)
                rec["kqlhunt"] = kh_t
                print(f"kqlhunt     {kh_t:8.3f}s  {len(krows):,} rows  ({kh_t / hand_t:.2f}x hand)", flush=True)
                got = normalize(kcols, krows)
                if got != ref:
                    failures.append(_mismatch("kqlhunt", n, ref, got))
                if not sorted_as_rule_says(kcols, krows):
                    failures.append(f"{n}: kqlhunt output not sorted by ActorUsername desc, Target desc")
            except Exception as exc:  # noqa: BLE001
                kqlhunt_error = f"{type(exc).__name__}: {exc}"
                failures.append(f"{n}: kqlhunt failed: {kqlhunt_error}")
                print(f"kqlhunt     FAILED: {kqlhunt_error}", flush=True)
        results.append(rec)
        del table

    text = render(results, facts, args, compile_ms, kqlhunt_error, failures)
    print("\n" + text)
    if args.write:
        write_section(ROOT / "BENCHMARKS.md", text)
        print(f"wrote {ROOT / 'BENCHMARKS.md'} (## Seed rule)")
    if failures:
        print("\n" + "!" * 78, file=sys.stderr)
        for f in failures:
            print("MISMATCH/FAILURE: " + f, file=sys.stderr)
        print("!" * 78, file=sys.stderr)
        return 1
    return 0


def _mismatch(who: str, n: int, ref: list, got: list) -> str:
    ref_s, got_s = set(ref), set(got)
    only_ref = sorted(ref_s - got_s)[:3]
    only_got = sorted(got_s - ref_s)[:3]
    return (f"{n}: {who} returned {len(got)} rows, hand SQL {len(ref)}; "
            f"missing e.g. {only_ref}; extra e.g. {only_got}")


def render(results, facts, args, compile_ms, kqlhunt_error, failures) -> str:
    lines = ["## Seed rule", ""]
    lines.append(
        "`bench/seed_rule.py`: the seed rule (`../shared/seed/rule.yaml`, unchanged) over synthetic ASIM process "
        "events (`kqlhunt.demo.synth.normalized_process_events`, seed "
        f"{args.seed}, {'the columns the ASIM process rules read' if args.columns == 'rules' else 'the whole ASIM schema'}"
        ", ~1% planted matches and as many near misses), one in-memory pyarrow table registered with each "
        f"contender in one process; median of {args.runs} warm runs, query plus fetching the rows into Python.")
    lines.append("")
    lines.append(f"Machine: {facts['nproc']} cores ({facts['cpu'] or 'unknown CPU'}), Python {facts['python']}, "
                 f"DuckDB {facts['duckdb']}, pyarrow {facts['pyarrow']}, duckdb-kql {facts['duckdb-kql']}; "
                 f"measured {dt.date.today().isoformat()}, load average {facts['load']:.1f} at the start "
                 "(other work on a small machine makes figures noisy: rerun on a quiet machine before quoting).")
    lines.append("")
    lines.append("| rows | matching events | result rows | hand-written DuckDB SQL | kqlhunt | duckdb-kql "
                 "| kqlhunt / hand | duckdb-kql / hand | duckdb-kql / kqlhunt |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        h, k, d = r.get("hand"), r.get("kqlhunt"), r.get("duckdb_kql")
        f = lambda x: f"{x:.3f} s" if x is not None else "—"  # noqa: E731
        ratio = lambda a, b: f"{a / b:.2f}x" if a is not None and b is not None else "—"  # noqa: E731
        lines.append(f"| {fmt_rows(r['rows'])} | {r['planted']:,} | {r['groups']:,} | {f(h)} | {f(k)} | {f(d)} "
                     f"| {ratio(k, h)} | {ratio(d, h)} | {ratio(d, k)} |")
    lines.append("")
    if compile_ms is not None:
        lines.append(f"kqlhunt compile time (`engine.explain`, median): {compile_ms:.2f} ms.")
    elif kqlhunt_error:
        lines.append(f"kqlhunt did not run: `{kqlhunt_error}`.")
    else:
        lines.append("kqlhunt not measured in this run.")
    lines.append("")
    if failures:
        lines.append("**Mismatches / failures in this run:**")
        lines.extend(f"- {f}" for f in failures)
    else:
        lines.append("All contenders returned the same rows, and the hand SQL found exactly the planted matches.")
    lines.append("")
    lines.append("Hand-written SQL: cheap `contains(lower(CommandLine), ...)` and suffix tests first, the "
                 "`hassuffix` regex and `extract` only on the survivors (see `HAND_SQL` in the script). "
                 "Reproduce: `.venv/bin/python bench/seed_rule.py --rows 1000000 10000000 --runs 7 --write`.")
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    pat = re.compile(r"^## Seed rule\s*$.*?(?=^## |\Z)", re.S | re.M)
    if pat.search(text):
        text = pat.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n")


if __name__ == "__main__":
    sys.exit(main())
