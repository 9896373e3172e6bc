"""Small builders for rule tests: articles and rules written inline, in our own words."""

from __future__ import annotations

from monitor.models import Article, Event
from monitor.rules.load import parse_rule_text
from monitor.rules.model import Rule

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
