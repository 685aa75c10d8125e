"""Load Sentinel rule YAML files and folders.

`load_rule(path)` -> Rule (raises InvalidRule with a one-line reason); `load_rules(paths)` walks files and folders
and returns a RuleSet: the rules, and the invalid files with their reasons. A YAML file that is not a rule (no
`query:` key: ASIM parser definitions, workbook metadata, sidecar test files, ...) is skipped silently; a file
that looks like a rule but cannot be read is reported.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .model import SEVERITIES, TRIGGER_OPERATORS, EntityField, EntityMapping, Rule, parse_duration

BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"
ENV_VAR = "KQLHUNT_RULES"

_LOOKS_LIKE_RULE = re.compile(r"^(query|id|name)\s*:", re.M)


class InvalidRule(Exception):
    """A rule file that cannot be used; `str()` is a one-line reason."""


@dataclass
class Invalid:
    path: str
    reason: str
    id: str = ""
    name: str = ""


@dataclass
class RuleSet:
    rules: list[Rule] = field(default_factory=list)
    invalid: list[Invalid] = field(default_factory=list)
    duplicates: list[tuple[Rule, Rule]] = field(default_factory=list)   # (dropped, kept): same rule id

    def extend(self, other: "RuleSet") -> None:
        self.rules.extend(other.rules)
        self.invalid.extend(other.invalid)
        self.duplicates.extend(other.duplicates)


def _yaml_reason(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None:
        return f"invalid YAML at line {mark.line + 1}:{mark.column + 1}: {problem}"
    return f"invalid YAML: {problem}"


def _strlist(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value if v is not None]


def _text(value) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    # Sentinel descriptions are often wrapped in single quotes inside a block scalar: 'text'
    if len(text) >= 2 and text[0] == "'" and text[-1] == "'":
        text = text[1:-1].strip()
    return text


def is_rule_document(doc) -> bool:
    return isinstance(doc, dict) and "query" in doc


def rule_from_dict(doc: dict, path: str = "") -> Rule:
    """Build a Rule from a parsed YAML mapping; raises InvalidRule."""
    query = doc.get("query")
    if not isinstance(query, str) or not query.strip():
        raise InvalidRule("'query' must be a non-empty string")
    rid = doc.get("id")
    name = doc.get("name")
    if not rid:
        raise InvalidRule("missing 'id'")
    if not name:
        raise InvalidRule("missing 'name'")
    raw_kind = str(doc.get("kind") or "")
    lowered = path.replace("\\", "/").lower()
    analytic = (raw_kind.lower() in ("scheduled", "nrt")
                or any(k in doc for k in ("queryFrequency", "queryPeriod", "triggerOperator"))
                or "/detections/" in lowered or "/analytic rules/" in lowered)
    severity = str(doc.get("severity") or "")
    if severity and severity.capitalize() in SEVERITIES:
        severity = severity.capitalize()
    try:
        freq = parse_duration(doc.get("queryFrequency"))
        period = parse_duration(doc.get("queryPeriod"))
    except ValueError as exc:
        raise InvalidRule(str(exc)) from None
    if raw_kind.lower() == "nrt" and period is None:
        period = parse_duration("5m")
    op_text = str(doc.get("triggerOperator") or "gt")
    op = TRIGGER_OPERATORS.get(op_text.lower())
    if op is None:
        raise InvalidRule(f"unknown triggerOperator {op_text!r} (use gt, lt, eq or ne)")
    try:
        threshold = int(doc.get("triggerThreshold") or 0)
    except (TypeError, ValueError):
        raise InvalidRule(f"triggerThreshold must be a number, not {doc.get('triggerThreshold')!r}") from None
    mappings = []
    for m in doc.get("entityMappings") or []:
        if not isinstance(m, dict) or not m.get("entityType"):
            raise InvalidRule("entityMappings: every entry needs an entityType")
        fields = []
        for f in m.get("fieldMappings") or []:
            if not isinstance(f, dict) or not f.get("identifier") or not f.get("columnName"):
                raise InvalidRule(f"entityMappings ({m.get('entityType')}): every field needs identifier and "
                                  "columnName")
            fields.append(EntityField(str(f["identifier"]), str(f["columnName"])))
        mappings.append(EntityMapping(str(m["entityType"]), fields))
    custom = doc.get("customDetails") or {}
    if not isinstance(custom, dict):
        raise InvalidRule("customDetails must be a mapping of detail name to column")
    return Rule(
        id=str(rid), name=str(name).strip(), query=query, kind="analytic" if analytic else "hunting",
        source_kind=raw_kind, description=_text(doc.get("description")), severity=severity,
        tactics=_strlist(doc.get("tactics")), techniques=_strlist(doc.get("relevantTechniques")),
        required_data_connectors=list(doc.get("requiredDataConnectors") or []),
        query_frequency=freq, query_period=period, trigger_operator=op, trigger_threshold=threshold,
        entity_mappings=mappings, custom_details={str(k): str(v) for k, v in custom.items()},
        alert_details_override=dict(doc.get("alertDetailsOverride") or {}), version=str(doc.get("version") or ""),
        tags=list(doc.get("tags") or []), path=path, hunt_hypothesis=_text(doc.get("huntHypothesis")),
        false_positive_guidance=_text(doc.get("falsePositiveGuidance")),
        references=list(doc.get("references") or []), feed=dict(doc.get("feed") or {}), raw=doc)


def load_rule(path: str | Path) -> Rule:
    """Load one rule file; raises InvalidRule (one-line reason) if it is not a usable rule."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidRule(f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidRule(_yaml_reason(exc)) from None
    if not is_rule_document(doc):
        raise InvalidRule("not a rule (no 'query' key)")
    return rule_from_dict(doc, str(path))


def _yaml_files(folder: Path) -> list[Path]:
    out = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if f.lower().endswith((".yaml", ".yml")) and not f.lower().endswith((".tests.yaml", ".tests.yml")):
                out.append(Path(root) / f)
    return out


def _load_file(path: Path, explicit: bool) -> RuleSet:
    rs = RuleSet()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        rs.invalid.append(Invalid(str(path), f"cannot read: {getattr(exc, 'strerror', None) or exc}",
                                  name=path.name))
        return rs
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        if explicit or _LOOKS_LIKE_RULE.search(text):
            rs.invalid.append(Invalid(str(path), _yaml_reason(exc), name=path.name))
        return rs
    if not is_rule_document(doc):
        if explicit:
            rs.invalid.append(Invalid(str(path), "not a rule (no 'query' key)", name=path.name))
        return rs
    try:
        rs.rules.append(rule_from_dict(doc, str(path)))
    except InvalidRule as exc:
        rs.invalid.append(Invalid(str(path), str(exc), id=str(doc.get("id") or ""),
                                  name=str(doc.get("name") or path.name)))
    return rs


def load_rules(paths) -> RuleSet:
    """Load rules from files and folders (recursively). Files named explicitly that are not rules are reported;
    non-rule YAML found while walking a folder is skipped silently. A rule id seen twice keeps the first
    (the later one is listed in `duplicates`)."""
    rs = RuleSet()
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in _yaml_files(p):
                rs.extend(_load_file(f, explicit=False))
        elif p.exists():
            rs.extend(_load_file(p, explicit=True))
        else:
            rs.invalid.append(Invalid(str(p), "no such file or folder", name=p.name))
    seen: dict[str, Rule] = {}
    unique = []
    for r in rs.rules:
        if r.id in seen:
            rs.duplicates.append((r, seen[r.id]))
            continue
        seen[r.id] = r
        unique.append(r)
    rs.rules = unique
    return rs


def rule_sources(cli_paths=None, *, bundled: bool = True, env: dict | None = None) -> list[Path]:
    """Where rules come from: the bundled rules (unless disabled), then every `--rules PATH`, then the
    os.pathsep-separated folders of $KQLHUNT_RULES."""
    env = os.environ if env is None else env
    out: list[Path] = [BUNDLED_DIR] if bundled else []
    out += [Path(p) for p in (cli_paths or [])]
    out += [Path(p) for p in env.get(ENV_VAR, "").split(os.pathsep) if p.strip()]
    return out
