"""The seed rule (shared/seed/rule.yaml) on a hand-checked imProcessCreate fixture.

Expected rows worked out by hand from Kusto's documented semantics:
- `has ' user '` is a plain case-insensitive substring test; `hassuffix ' /do'` needs a term end after `do`
  (true for `... /do`, false for `... /domain`), semantics.md appendix.
- `!contains '\\'` drops every command line with a backslash; `!contains '/add'` drops account creation.
- `[user|group]` is a character class: Target is what follows the first class character + space, e.g.
  `group "` for `net.exe group "Domain Admins" /domain` (the `e` of `.exe` comes first), `"Domain Admins"` for
  `net group "Domain Admins" /do` (the `p` of `group`), and `dave ` (trailing space) for `net user dave /domain /y`;
  `net user /domain` has no such match (the character after `r ` is `/`), so it yields no row.
- sort by ActorUsername, Target: descending by default (sort-operator.md).
"""
from __future__ import annotations

import datetime as dt

import pyarrow as pa
import yaml

from tests.conftest import SHARED

UTC = dt.timezone.utc
NET = "C:\\Windows\\System32\\net.exe"
NET1 = "C:\\Windows\\System32\\net1.exe"

ROWS = [
    # ActorUsername, CommandLine, Process, Dvc, minute
    ("CONTOSO\\alice", 'net.exe group "Domain Admins" /domain', NET, "ws1", 1),
    ("CONTOSO\\alice", 'net.exe group "Domain Admins" /domain', NET, "ws1", 7),
    ("CONTOSO\\bob", "net user dave /domain /y", NET, "ws2", 2),
    ("CONTOSO\\bob", "NET USER carol /DOMAIN", NET, "ws2", 3),
    ("CONTOSO\\carol", "net user /domain", NET, "ws3", 4),
    ("CONTOSO\\dave", "net user bob /add /domain", NET, "ws3", 5),
    ("CONTOSO\\alice", "C:\\Windows\\System32\\net.exe user /do", NET, "ws1", 6),
    ("CONTOSO\\erin", "net1.exe user /domain", NET1, "ws4", 8),
    ("CONTOSO\\frank", "net user administrator", NET, "ws4", 9),
    ("", 'net group "Domain Admins" /domain', NET, "ws5", 10),
    ("CONTOSO\\gina", 'net group "Domain Admins" /do', NET, "ws6", 11),
    ("CONTOSO\\hank", "cmd.exe /c whoami", "C:\\Windows\\System32\\cmd.exe", "ws6", 12),
]


def fixture_table() -> pa.Table:
    base = dt.datetime(2024, 5, 1, 10, 0)
    return pa.table({
        "TimeGenerated": pa.array([base + dt.timedelta(minutes=m) for *_, m in ROWS], pa.timestamp("us")),
        "ActorUsername": [r[0] for r in ROWS],
        "CommandLine": [r[1] for r in ROWS],
        "Process": [r[2] for r in ROWS],
        "Dvc": [r[3] for r in ROWS],
        "EventVendor": ["Microsoft"] * len(ROWS),
        "EventProduct": ["Security Events"] * len(ROWS),
    })


def t(minute: int) -> dt.datetime:
    return dt.datetime(2024, 5, 1, 10, minute, tzinfo=UTC)


def test_seed_rule_rows(engine):
    query = yaml.safe_load((SHARED / "seed" / "rule.yaml").read_text())["query"]
    engine.register("imProcessCreate", fixture_table())
    result = engine.query(query)
    assert result.columns == ["ActorUsername", "Target", "CommandLine", "Dvc", "EventVendor", "EventProduct",
                              "minTimeGenerated", "maxTimeGenerated", "count_", "timestamp",
                              "AccountCustomEntity", "HostCustomEntity"]
    assert result.types == ["string", "string", "string", "string", "string", "string",
                            "datetime", "datetime", "long", "datetime", "string", "string"]
    ms, me = "Microsoft", "Security Events"
    assert result.rows == [
        ("CONTOSO\\gina", '"Domain Admins"', 'net group "Domain Admins" /do', "ws6", ms, me, t(11), t(11), 1, t(11), "CONTOSO\\gina", "ws6"),
        ("CONTOSO\\bob", "dave ", "net user dave /domain /y", "ws2", ms, me, t(2), t(2), 1, t(2), "CONTOSO\\bob", "ws2"),
        ("CONTOSO\\bob", "carol ", "NET USER carol /DOMAIN", "ws2", ms, me, t(3), t(3), 1, t(3), "CONTOSO\\bob", "ws2"),
        ("CONTOSO\\alice", 'group "', 'net.exe group "Domain Admins" /domain', "ws1", ms, me, t(1), t(7), 2, t(1),
         "CONTOSO\\alice", "ws1"),
    ]


def test_seed_rule_keeps_plain_substring_prefilters(engine):
    """Performance shape: constant `has` needles are literal searches (no lower() of every row: an RE2 `(?i)`
    literal, or plain contains() when the needle has no letters); the boundary regex runs after them."""
    query = yaml.safe_load((SHARED / "seed" / "rule.yaml").read_text())["query"]
    engine.register("imProcessCreate", fixture_table())
    sql = engine.explain(query)
    assert "lower(" not in sql
    # ASCII-only case folding as [aA] classes (RE2's (?i) would also fold U+017F to s and U+212A to k)
    assert "regexp_matches(\"CommandLine\", ' [uU][sS][eE][rR] ')" in sql
    assert ("(regexp_matches(\"CommandLine\", ' \\/[dD][oO]') AND "
            "regexp_matches(\"CommandLine\", ' \\/[dD][oO](?:$|[^\\pL\\pN])'))") in sql
    assert "NOT contains(coalesce(\"CommandLine\", ''), '\\')" in sql
    assert "(\"Process\" = 'net.exe' OR suffix(\"Process\", '\\net.exe'))" in sql
