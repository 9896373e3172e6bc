"""A ruleset as the matcher uses it: each rule with its regexes compiled and the event types it
needs, and the ruleset with the content hash workers compare.

The rule file's shape (what a user writes, and what is rejected) is monitor/rules/schema.py;
this is what one load makes of the validated rules.
"""

from __future__ import annotations

import hashlib
import json
import re

from monitor.rules.schema import PUBLISHED, Condition, Rule
from monitor.vocabulary import EVENT_TYPES


class CompiledRule:
    """A rule with its regexes compiled; built once per ruleset load."""

    __slots__ = ("event_keys", "event_types", "regexes", "rule")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.regexes: dict[str, re.Pattern[str]] = {}
        self.event_keys: dict[int, bool] = {}  # id(condition) -> has event keys
        _collect_regexes(rule.match, self.regexes, self.event_keys)
        self.event_types = required_event_types(rule.match)


def _collect_regexes(
    cond: Condition, out: dict[str, re.Pattern[str]], event_keys: dict[int, bool]
) -> None:
    event_keys[id(cond)] = cond.has_event_keys()
    for rx in (cond.text, cond.title):
        if rx is not None and rx not in out:
            out[rx] = re.compile(rx)
    for sub in (*(cond.any or ()), *(cond.all or ()), *((cond.not_,) if cond.not_ else ())):
        _collect_regexes(sub, out, event_keys)


def required_event_types(cond: Condition) -> frozenset[str] | None:
    """Event types of which the article must hold one for the rule to fire; None: any article.

    Used to index rules, so an article meets only the rules that can match it.
    """
    own = (
        frozenset(cond.event)
        if cond.event
        else (frozenset(EVENT_TYPES) if cond.has_event_keys() else None)
    )
    subs: list[frozenset[str] | None] = []
    if cond.all:
        subs.extend(required_event_types(c) for c in cond.all)
    options: frozenset[str] | None = None
    if cond.any:
        alts = [required_event_types(c) for c in cond.any]
        options = None if any(a is None for a in alts) else frozenset().union(*alts)  # type: ignore[arg-type]
    narrowed = [x for x in (own, options, *subs) if x is not None]
    if not narrowed:
        return None
    result = narrowed[0]
    for x in narrowed[1:]:
        result = result & x
    return result


class RuleSet:
    """The validated rules of one load, with a content hash that workers compare."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = tuple(sorted(rules, key=lambda r: r.name))
        self.compiled = tuple(CompiledRule(r) for r in self.rules)
        self.matcher: object | None = None  # its index, built on first use (rules/index.py)
        self._names = {r.name: r for r in self.rules}
        self._compiled = {c.rule.name: c for c in self.compiled}
        self.hash = hashlib.sha256(self._json(with_source=False).encode()).hexdigest()[:16]

    def to_json(self) -> str:
        """The published form: the rules with the file:line each came from, for messages."""
        return self._json(with_source=True)

    def _json(self, *, with_source: bool) -> str:
        """The hash leaves ``source`` out: it holds the folder path as it was typed (relative,
        absolute, from another cwd), and the same rules must give the same hash wherever and
        however their folder is named, or daemons would republish and workers reload for
        nothing."""
        rows = [r.model_dump(mode="json") for r in self.rules]
        if with_source:
            rows = [row | {"source": r.source} for row, r in zip(rows, self.rules, strict=True)]
        return json.dumps(rows, sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> RuleSet:
        return cls([Rule.model_validate(d, context={PUBLISHED: True}) for d in json.loads(text)])

    def __len__(self) -> int:
        return len(self.rules)

    def compiled_rule(self, name: str) -> CompiledRule | None:
        return self._compiled.get(name)

    def get(self, name: str) -> Rule | None:
        return self._names.get(name)
