"""The rule model: one Sentinel hunting query or analytic (scheduled/NRT) rule, as the Azure-Sentinel YAML
files define it, plus the optional enrichment of the rule page (huntHypothesis, falsePositiveGuidance,
references, feed)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("High", "Medium", "Low", "Informational")

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$", re.I)
_ISO = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", re.I)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(value: Any) -> dt.timedelta | None:
    """'1h', '14d', '5m', '30s' (Sentinel YAML) or ISO 8601 'PT1H', 'P1D' (ARM templates) -> timedelta."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.timedelta):
        return value
    text = str(value).strip()
    m = _DURATION.match(text)
    if m:
        return dt.timedelta(**{_UNITS[m.group(2).lower()]: int(m.group(1))})
    m = _ISO.match(text)
    if m and any(m.groups()):
        d, h, mi, s = (int(g or 0) for g in m.groups())
        return dt.timedelta(days=d, hours=h, minutes=mi, seconds=s)
    raise ValueError(f"invalid duration {value!r} (use e.g. 1h, 14d, PT1H)")


def format_duration(td: dt.timedelta | None) -> str | None:
    if td is None:
        return None
    secs = int(td.total_seconds())
    for unit, n in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs % n == 0:
            return f"{secs // n}{unit}"
    return f"{secs}s"


TRIGGER_OPERATORS = {
    "gt": "gt", "greaterthan": "gt", "lt": "lt", "lessthan": "lt", "eq": "eq", "equal": "eq", "equals": "eq",
    "ne": "ne", "notequal": "ne", "notequals": "ne",
}


@dataclass
class EntityField:
    identifier: str
    column: str


@dataclass
class EntityMapping:
    type: str
    fields: list[EntityField]


@dataclass
class Rule:
    id: str
    name: str
    query: str
    kind: str = "hunting"                     # hunting | analytic
    source_kind: str = ""                     # the YAML `kind` as written (Scheduled, NRT) or ''
    description: str = ""
    severity: str = ""
    tactics: list[str] = field(default_factory=list)
    techniques: list[str] = field(default_factory=list)
    required_data_connectors: list[dict] = field(default_factory=list)
    query_frequency: dt.timedelta | None = None
    query_period: dt.timedelta | None = None
    trigger_operator: str = "gt"
    trigger_threshold: int = 0
    entity_mappings: list[EntityMapping] = field(default_factory=list)
    custom_details: dict[str, str] = field(default_factory=dict)
    alert_details_override: dict = field(default_factory=dict)
    version: str = ""
    tags: list = field(default_factory=list)
    path: str = ""                            # the file it was loaded from
    hunt_hypothesis: str = ""
    false_positive_guidance: str = ""
    references: list = field(default_factory=list)
    feed: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def is_analytic(self) -> bool:
        return self.kind == "analytic"

    def triggered(self, n_rows: int) -> bool:
        """Whether `n_rows` result rows raise an alert (analytic rules; hunting queries: any row)."""
        if not self.is_analytic:
            return n_rows > 0
        t = self.trigger_threshold
        return {"gt": n_rows > t, "lt": n_rows < t, "eq": n_rows == t, "ne": n_rows != t}[self.trigger_operator]

    def metadata(self) -> dict:
        """JSON-able description (what `_kqlhunt_rules` stores and `rules list --format json` prints)."""
        return {
            "id": self.id, "name": self.name, "kind": self.kind, "source_kind": self.source_kind,
            "description": self.description, "severity": self.severity, "tactics": self.tactics,
            "techniques": self.techniques, "required_data_connectors": self.required_data_connectors,
            "query_frequency": format_duration(self.query_frequency),
            "query_period": format_duration(self.query_period),
            "trigger_operator": self.trigger_operator, "trigger_threshold": self.trigger_threshold,
            "entity_mappings": [{"type": m.type, "fields": [{"identifier": f.identifier, "column": f.column}
                                                             for f in m.fields]} for m in self.entity_mappings],
            "custom_details": self.custom_details, "alert_details_override": self.alert_details_override,
            "version": self.version, "tags": self.tags, "path": self.path, "query": self.query,
            "hunt_hypothesis": self.hunt_hypothesis, "false_positive_guidance": self.false_positive_guidance,
            "references": self.references, "feed": self.feed,
        }
