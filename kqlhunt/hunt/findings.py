"""Findings: one per result row of a triggered rule, with the entities Sentinel would extract (entityMappings,
or the old-style *CustomEntity columns), custom details, the alert name and the event time range."""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from ..rules.model import Rule

# old-style column -> (entity type, identifier); identifiers as Sentinel's entity schema names them
CUSTOM_ENTITY_COLUMNS = {
    "AccountCustomEntity": ("Account", "FullName"),
    "HostCustomEntity": ("Host", "FullName"),
    "IPCustomEntity": ("IP", "Address"),
    "URLCustomEntity": ("URL", "Url"),
    "FileHashCustomEntity": ("FileHash", "Value"),
    "ProcessCustomEntity": ("Process", "ProcessId"),
    "FileCustomEntity": ("File", "Name"),
    "MailboxCustomEntity": ("Mailbox", "MailboxPrimaryAddress"),
    "DNSCustomEntity": ("DNS", "DomainName"),
    "DnsCustomEntity": ("DNS", "DomainName"),
    "MalwareCustomEntity": ("Malware", "Name"),
    "RegistryKeyCustomEntity": ("RegistryKey", "Key"),
    "CloudApplicationCustomEntity": ("CloudApplication", "Name"),
    "AzureResourceCustomEntity": ("AzureResource", "ResourceId"),
    "SecurityGroupCustomEntity": ("SecurityGroup", "DistinguishedName"),
}

# (start column, end column) pairs rules commonly produce, in order of preference
TIME_PAIRS = [
    ("StartTime", "EndTime"), ("StartTimeUtc", "EndTimeUtc"), ("minTimeGenerated", "maxTimeGenerated"),
    ("FirstSeen", "LastSeen"), ("FirstEvent", "LastEvent"), ("min_TimeGenerated", "max_TimeGenerated"),
    ("EventStartTime", "EventEndTime"),
]
TIME_SINGLES = ["TimeGenerated", "timestamp", "Timestamp", "EventTime"]


@dataclass
class Entity:
    type: str
    identifier: str
    value: str

    def to_dict(self) -> dict:
        return {"type": self.type, "identifier": self.identifier, "value": self.value}


@dataclass
class Finding:
    rule: Rule
    row: dict
    entities: list[Entity] = field(default_factory=list)
    custom_details: dict = field(default_factory=dict)
    time_start: dt.datetime | None = None
    time_end: dt.datetime | None = None
    alert_name: str = ""

    def to_dict(self) -> dict:
        """The finding as `hunt --format json` prints it (values JSON-ready)."""
        r = self.rule
        return {
            "rule_id": r.id, "rule_name": r.name, "kind": r.kind, "severity": r.severity,
            "tactics": list(r.tactics), "techniques": list(r.techniques),
            "time_start": jsonable(self.time_start), "time_end": jsonable(self.time_end),
            "entities": [e.to_dict() for e in self.entities],
            "row": {k: jsonable(v) for k, v in self.row.items()},
        }

    def to_full_dict(self) -> dict:
        """to_dict plus custom details and the alert name (jsonl, SARIF, the workspace)."""
        d = self.to_dict()
        d["custom_details"] = {k: jsonable(v) for k, v in self.custom_details.items()}
        d["alert_name"] = self.alert_name
        return d


def jsonable(v):
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=dt.timezone.utc)
        return v.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(v, dt.timedelta):
        from ..compile.dialect import format_timespan
        return format_timespan(int(v / dt.timedelta(microseconds=1)))
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return str(v)
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return v


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, (dt.datetime, dt.timedelta)):
        return str(jsonable(v))
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        import json
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def entities_of(rule: Rule, row: dict) -> list[Entity]:
    out: list[Entity] = []
    seen = set()

    def add(t, ident, value):
        value = _text(value)
        if value == "" or (t, ident, value) in seen:
            return
        seen.add((t, ident, value))
        out.append(Entity(t, ident, value))

    if rule.entity_mappings:
        for m in rule.entity_mappings:
            for f in m.fields:
                if f.column in row:
                    add(m.type, f.identifier, row[f.column])
    else:
        for col, v in row.items():
            if col in CUSTOM_ENTITY_COLUMNS:
                add(*CUSTOM_ENTITY_COLUMNS[col], v)
            elif col.endswith("CustomEntity"):
                add(col[: -len("CustomEntity")], "Name", v)
    return out


def time_range(row: dict) -> tuple[dt.datetime | None, dt.datetime | None]:
    def ts(name):
        v = row.get(name)
        return v if isinstance(v, dt.datetime) else None

    for a, b in TIME_PAIRS:
        if ts(a) or ts(b):
            return ts(a) or ts(b), ts(b) or ts(a)
    for a in TIME_SINGLES:
        if ts(a):
            return ts(a), ts(a)
    times = [v for v in row.values() if isinstance(v, dt.datetime)]
    if times:
        return min(times), max(times)
    return None, None


_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def render_override(template: str, row: dict) -> str:
    """alertDetailsOverride templates: `{{Column}}` replaced by the row's value."""
    return _PLACEHOLDER.sub(lambda m: _text(row.get(m.group(1), m.group(0))), template)


def make_finding(rule: Rule, row: dict) -> Finding:
    start, end = time_range(row)
    details = {k: row.get(col) for k, col in rule.custom_details.items() if col in row}
    name_t = (rule.alert_details_override or {}).get("alertDisplayNameFormat")
    alert_name = render_override(str(name_t), row) if name_t else rule.name
    return Finding(rule, row, entities_of(rule, row), details, start, end, alert_name)
