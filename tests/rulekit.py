"""Small builders for rule tests: articles and rules written inline, in our own words."""

from __future__ import annotations

import random

from monitor.models import Article, Event
from monitor.rules.compiled import RuleSet
from monitor.rules.load import parse_rule_text
from monitor.rules.schema import Rule
from monitor.vocabulary import EVENT_TYPES

CHANNELS = {"console", "hook", "mail", "newsroom"}


def rule(text: str) -> Rule:
    return parse_rule_text(text, "test-rule.yaml", CHANNELS)


def event(type_: str, count: int | None = None, **kw: object) -> Event:
    return Event(
        type=type_, evidence=kw.pop("evidence", f"{count} {type_}"), lang="nl", count=count, **kw
    )  # type: ignore[arg-type]


def article(
    aid: str,
    text: str,
    *events: Event,
    source: str = "news.example",
    lang: str = "nl",
    title: str | None = None,
) -> Article:
    return Article(
        id=aid,
        url=f"https://{source}/{aid}",
        feed_name=source,
        feed_url=f"https://{source}/rss",
        source=source,
        title=title or text[:40],
        text=text,
        lang=lang,
        events=events,
    )


DUTCH_REPORT = (
    "Volgens het leger werden zaterdag in het oosten 261 gevechten geleverd, fors meer dan in de "
    "weken ervoor. Bij de stad Pokrovsk was het het zwaarst. De verdediging zegt dat de linie "
    "standhoudt, maar dat er een groot tekort is aan munitie en aan soldaten om de posities te "
    "bemannen. Ook de hoofdstad werd 's nachts met drones aangevallen."
)
ENGLISH_REPORT = (
    "Ukraine's army said 261 combat engagements took place on Saturday along the eastern front, "
    "far more than in previous weeks, with the heaviest fighting around the city of Pokrovsk. "
    "Commanders say the line is holding despite shortages of ammunition and troops."
)


PLACES = ["Kyiv", "Kharkiv", "Pokrovsk", "Gaza*", "Odesa", "Donetsk", "Khan*", "Moscow"]


def random_rules(n: int, seed: int = 7) -> RuleSet:
    """bench/rules.py's ruleset: every event type, count bound, language and place, one in
    ten with a text regex, one in ten nested in ``any``."""
    rnd = random.Random(seed)
    rules = []
    for i in range(n):
        match: dict[str, object] = {"event": rnd.sample(EVENT_TYPES, rnd.choice([1, 1, 2, 3]))}
        if rnd.random() < 0.5:
            match["count"] = rnd.choice([">= 10", ">= 100", "< 5", "10..500", "> 1000"])
        if rnd.random() < 0.3:
            match["lang"] = [rnd.choice(["nl", "en"])]
        if rnd.random() < 0.2:
            match["location"] = rnd.choice(PLACES)
        if rnd.random() < 0.1:
            match["text"] = rnd.choice(
                ["(?i)oekra|ukrain", "(?i)gaza", "(?i)drone", "(?i)rusland|russia"]
            )
        if rnd.random() < 0.1:
            match = {"any": [match, {"event": rnd.choice(EVENT_TYPES), "count": ">= 50"}]}
        rules.append(Rule.model_validate({"name": f"r{i}", "match": match, "notify": ["console"]}))
    return RuleSet(rules)
