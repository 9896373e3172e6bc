from __future__ import annotations

import redis

from tests.rulekit import DUTCH_REPORT, ENGLISH_REPORT, article, event
from workers.stories import assign_story, sketch


def rewrite(text: str, n: int) -> str:
    """A copy as another outlet would run it: a different lead sentence and a closing line."""
    return f"Bericht {n}: de situatie aan het front verslechtert. {text} Meer volgt later vandaag."


def test_five_outlets_in_two_languages_are_one_story(redis_client: redis.Redis) -> None:
    combat = event("combat", 261)
    copies = [
        article(f"nl{i}", rewrite(DUTCH_REPORT, i), combat, source=f"nl{i}.example")
        for i in range(3)
    ]
    copies += [
        article(
            f"en{i}",
            ENGLISH_REPORT + f" Report {i}.",
            combat,
            event("attack", None),
            source=f"en{i}.example",
            lang="en",
        )
        for i in range(2)
    ]
    stories = [assign_story(redis_client, a) for a in copies]
    assert len({s.id for s in stories}) == 1
    assert stories[0].new and not any(s.new for s in stories[1:])
    assert stories[-1].sources == tuple(sorted(a.source for a in copies))
    assert stories[-1].articles == 5


def test_unrelated_reports_and_small_shared_counts_stay_apart(redis_client: redis.Redis) -> None:
    a = assign_story(redis_client, article("a", DUTCH_REPORT, event("casualties", 2)))
    b = assign_story(
        redis_client,
        article(
            "b",
            "In het zuiden kwamen bij een raketaanval op een markt twee mensen om en "
            "raakten vijf anderen gewond, meldt de gouverneur van de regio.",
            event("casualties", 2),
        ),
    )
    assert a.id != b.id and b.new


def test_a_reprocessed_article_keeps_its_story(redis_client: redis.Redis) -> None:
    a = article("x", DUTCH_REPORT, event("combat", 261))
    first = assign_story(redis_client, a)
    again = assign_story(redis_client, a)
    assert again.id == first.id and again.articles == 1


def test_sketch_is_stable_and_similar_for_copies() -> None:
    s1, s2 = sketch(DUTCH_REPORT), sketch(rewrite(DUTCH_REPORT, 1))
    assert s1 == sketch(DUTCH_REPORT) and len(s1) == 32
    assert len(set(s1) & set(s2)) >= 12
    assert len(set(s1) & set(sketch(ENGLISH_REPORT))) <= 2


def test_a_story_that_expired_is_not_joined(redis_client: redis.Redis) -> None:
    a = assign_story(redis_client, article("old", DUTCH_REPORT, event("combat", 261)))
    redis_client.delete(f"nm:story:{a.id}")  # its lifetime ended (the index entries may linger)
    b = assign_story(redis_client, article("new", rewrite(DUTCH_REPORT, 9), event("combat", 261)))
    assert b.id != a.id and b.new
