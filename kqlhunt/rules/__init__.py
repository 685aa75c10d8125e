"""Sentinel rules: the model (`Rule`), the YAML loader (files and folders, invalid files reported with a
one-line reason, non-rule YAML skipped), what a query reads (`query_reads`), the bundled rules
(`bundled/`), `rules update` (git clone/pull of Azure-Sentinel) and `rules check` (compatibility report)."""
from .loader import BUNDLED_DIR, ENV_VAR, Invalid, InvalidRule, RuleSet, load_rule, load_rules, rule_sources
from .model import Rule, parse_duration
from .refs import Reads, query_reads

__all__ = ["BUNDLED_DIR", "ENV_VAR", "Invalid", "InvalidRule", "Reads", "Rule", "RuleSet", "load_rule",
           "load_rules", "parse_duration", "query_reads", "rule_sources"]
