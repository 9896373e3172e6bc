"""Alert rules: YAML files parsed once into frozen, validated objects, and matched as data."""

from monitor.rules.compiled import RuleSet
from monitor.rules.index import match_ruleset
from monitor.rules.load import load_rules, parse_rule_file
from monitor.rules.match import RuleMatch, match_rule
from monitor.rules.schema import Rule

__all__ = [
    "Rule",
    "RuleMatch",
    "RuleSet",
    "load_rules",
    "match_rule",
    "match_ruleset",
    "parse_rule_file",
]
