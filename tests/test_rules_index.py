"""The rule index decides exactly as trying every rule: the same RuleMatches, in order.

bench/rules.py's 1,000 random rules (every event type, count bound, language, place, text
regexes, nested ``any``) run both ways over the corpus articles as the classifier reads them;
rules we write pin the cases random rules rarely make (nested all/not, feed and source globs,
title regexes, event keys without ``event``, a regex without literal terms).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.commands.articles import corpus_articles, understood
from monitor.models import Article
from monitor.rules import RuleSet, match_ruleset
from monitor.rules.literals import required_literals
from monitor.rules.match import match_every_rule
from tests.rulekit import article, event, random_rules, rule


@pytest.fixture(scope="module")
def corpus_news(corpus: Path) -> list[Article]:
    out: list[Article] = []
    for name in ("seeds/articles.jsonl", "news/dev.jsonl", "news/dev2.jsonl"):
        out.extend(understood(corpus_articles(corpus / name)))
    return out


def test_a_thousand_random_rules_decide_the_same_both_ways(corpus_news: list[Article]) -> None:
    ruleset = random_rules(1000)
    fired = 0
    for a in corpus_news:
        indexed = match_ruleset(ruleset, a)
        assert indexed == match_every_rule(ruleset, a), a.id
        fired += len(indexed)
    assert fired > len(corpus_news)  # the rules do fire: the comparison is not of empty lists


OURS = [
    "name: nested\nmatch:\n  all:\n    - {event: casualties, count: '>= 3'}\n    - any: [{lang: nl}, {source: '*.example'}]\n  not: {title: '(?i)oefening'}\nnotify: [console]\n",
    "name: typeless\nmatch: {count: '10..500', side: civilian}\nnotify: [console]\n",
    "name: feedglob\nmatch: {feed: ['*front*'], event: attack}\nnotify: [console]\n",
    "name: nolits\nmatch: {text: '\\d{3} (doden|deaths)'}\nnotify: [console]\n",
    "name: titled\nmatch: {title: 'Haven', approx: false, event: [attack, attack, combat]}\nnotify: [console]\n",
    "name: place\nmatch: {location: 'Ha*', weapon: drone}\nnotify: [console]\n",
]


def test_our_rules_decide_the_same_both_ways() -> None:
    ruleset = RuleSet([rule(t) for t in OURS])
    articles = [
        article("a1", "Bij een aanval met drones op Haven vielen 12 doden.", event("attack", 40, weapon="drone", location="Haven"), event("casualties", 12, side="civilian"), title="Haven getroffen"),
        article("a2", "A drill only: 300 deaths were simulated.", event("casualties", 300, side="civilian"), lang="en", title="Oefening in Haven"),
        article("a3", "Quiet day.", lang="en"),
        article("a4", "Fighting continued; 20 combat engagements.", event("combat", 20, approx=True), event("combat", 20), title="Haven front"),
    ]
    seen = set()
    for a in articles:
        indexed = match_ruleset(ruleset, a)
        assert indexed == match_every_rule(ruleset, a), a.id
        seen.update(m.rule for m in indexed)
    assert {"nested", "typeless", "nolits", "titled", "place"} <= seen


@pytest.mark.parametrize(
    ("pattern", "terms"),
    [
        ("(?i)oekra|ukrain", {"oekra", "ukrain"}),
        ("(?i)gaza", {"gaza"}),
        ("Kyiv|Kiev", {"yiv", "iev"}),  # re factors out the common "K"
        (r"\d+ drones? (shot|downed)", {" drone"}),
        (r"\d{3} (doden|deaths)", {"oden", "eaths"}),  # the "d" factored out
        ("a|b", None),  # too short to filter anything
        ("(?i)x.*y", None),
        ("drone|.*", None),  # one branch needs nothing
    ],
)
def test_the_literal_terms_a_regex_needs(pattern: str, terms: set[str] | None) -> None:
    assert required_literals(pattern) == (frozenset(terms) if terms is not None else None)
