"""Cheaper SQL for common shapes must give exactly what the general form gives."""
from __future__ import annotations

import pyarrow as pa

PATHS = ["C:\\Windows\\System32\\net.exe", "net.exe", "C:\\x\\net1.exe", "C:\\net.exe\\other", "", None, "NET.EXE",
         "a\\net.exe\\", "\\net.exe"]


def test_split_last_equality_matches_general_form(engine):
    """split(x, '\\\\')[-1] == 'net.exe' is rewritten as x == 'net.exe' or x endswith '\\\\net.exe' (case-sensitive, as ==)."""
    engine.register("T", pa.table({"p": pa.array(PATHS, pa.string())}))
    q = "T | extend f = tostring(split(p, '\\\\')[-1]) | where f == 'net.exe' | project p"
    fast = engine.query(q).rows
    assert "suffix(" in engine.explain(q)
    general = engine.query("T | extend f = strcat('', tostring(split(p, '\\\\')[-1])) | where f == 'net.exe' | project p").rows
    assert sorted(fast) == sorted(general) == [("C:\\Windows\\System32\\net.exe",), ("\\net.exe",), ("net.exe",)]


def test_split_first_inequality_and_values(engine):
    engine.register("T", pa.table({"p": pa.array(["a.b.c", "a", "", None, "ab.c"], pa.string())}))
    r = engine.query("T | extend first = tostring(split(p, '.')[0]), last = tostring(split(p, '.')[-1]), "
                     "x = tostring(split(p, '.')[5]) | extend ne = first != 'a'")
    assert r.rows == [("a.b.c", "a", "c", "", False), ("a", "a", "a", "", False), ("", "", "", "", True),
                      ("", "", "", "", True), ("ab.c", "ab", "c", "", True)]
