"""The rules in rules/ are living documentation: they must fire where they should on the seed
articles (where the same rule applied to the gold events fires) and stay silent on the
negative articles of the news corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.commands.articles import corpus_articles, understood, with_gold
from monitor.rules import load_rules, match_ruleset

ROOT = Path(__file__).resolve().parent.parent
RULESET = load_rules(ROOT / "rules", {"console", "outbox"})
SHIPPED = {
    "large-attack-count",
    "new-negotiations",
    "prisoner-exchange",
    "casualty-toll",
    "ceasefire",
}


def gold_of(path: Path) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return {r["id"]: r["events"] for r in rows}


def test_the_examples_the_issue_asks_for_are_shipped() -> None:
    assert {r.name for r in RULESET.rules} >= SHIPPED


@pytest.fixture(scope="module")
def seeds(corpus: Path):  # type: ignore[no-untyped-def]
    return list(understood(corpus_articles(corpus / "seeds" / "articles.jsonl")))


@pytest.mark.parametrize("rule", sorted(SHIPPED))
def test_fires_on_the_seeds_exactly_where_the_gold_events_say(
    seeds, corpus: Path, rule: str
) -> None:  # type: ignore[no-untyped-def]
    gold = gold_of(corpus / "seeds" / "gold.jsonl")
    fired = {a.id for a in seeds if rule in {m.rule for m in match_ruleset(RULESET, a)}}
    expected = {
        a.id
        for a in seeds
        if rule in {m.rule for m in match_ruleset(RULESET, with_gold(a, gold[a.id]))}
    }
    assert expected, f"{rule} never fires on the seed gold: the example shows nothing"
    assert fired == expected


@pytest.mark.parametrize("name", ["dev.jsonl", "dev2.jsonl", "dev3.jsonl"])
def test_silent_on_the_negatives(corpus: Path, name: str) -> None:
    negatives = [a for a in corpus_articles(corpus / "news" / name) if "-neg-" in a.id]
    assert negatives
    noisy = {a.id: [m.rule for m in match_ruleset(RULESET, a)] for a in understood(negatives)}
    assert {k: v for k, v in noisy.items() if v} == {}
