from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import redis

from monitor import keys
from monitor.config import parse_config
from monitor.digests import flush_due_digests, hold_for_digest
from monitor.producers import make_queue
from monitor.quiethours import in_quiet_hours
from monitor.rules.compiled import RuleSet
from tests.rulekit import DUTCH_REPORT, article, event, rule
from workers.alerting import build_alert
from workers.decide import decide
from workers.stories import assign_story

HOUR = 3600.0


def run(r: redis.Redis, rl, a, now: float):  # type: ignore[no-untyped-def]
    story = assign_story(r, a)
    return decide(r, rl, a, story, a.events, now=now), story


def test_once_per_story_alerts_on_the_first_copy_only(redis_client: redis.Redis) -> None:
    rl = rule("name: big\nmatch: {event: combat, count: '>= 100'}\nnotify: [hook]\n")
    actions = [
        run(
            redis_client,
            rl,
            article(
                f"c{i}", DUTCH_REPORT + f" Kopie {i}.", event("combat", 261), source=f"s{i}.example"
            ),
            0,
        )[0].action
        for i in range(4)
    ]
    assert actions == ["send", "suppress", "suppress", "suppress"]


def test_a_retried_article_replays_its_own_alert(redis_client: redis.Redis) -> None:
    rl = rule("name: big\nmatch: {event: combat}\nnotify: [hook]\ncooldown: 6h\n")
    a = article("r1", DUTCH_REPORT, event("combat", 261))
    d1, story = run(redis_client, rl, a, 0)
    d2, _ = run(redis_client, rl, a, 10)
    assert d1.action == "send" and d2.action == "send"  # the cooldown does not eat the retry
    m = type("M", (), {"events": a.events, "matched": (), "held": ()})()
    assert build_alert(rl, m, a, story, d1).id == build_alert(rl, m, a, story, d2).id  # type: ignore[arg-type]


def test_update_when_count_increases(redis_client: redis.Redis) -> None:
    rl = rule(
        "name: toll\nmatch: {event: casualties, count: '>= 10'}\n"
        "update_when: count_increases\nnotify: [hook]\n"
    )
    text = DUTCH_REPORT + " Bij de aanval op de stad vielen doden."
    seq = [12, 12, 30, 25, 31]
    out = [
        run(
            redis_client,
            rl,
            article(
                f"t{i}", text + f" Update {i}.", event("casualties", n), source=f"o{i}.example"
            ),
            i,
        )[0]
        for i, n in enumerate(seq)
    ]
    assert [d.action for d in out] == ["send", "suppress", "send", "suppress", "send"]
    assert [d.update for d in out] == [False, False, True, False, True]


def test_min_sources_holds_until_three_distinct_hosts_within_the_window(
    redis_client: redis.Redis,
) -> None:
    rl = rule("name: corr\nmatch: {event: combat}\nmin_sources: 3\nwithin: 6h\nnotify: [hook]\n")
    copies = [
        ("a.example", 0),
        ("a.example", 60),
        ("b.example", 120),
        ("c.example", 180),
        ("d.example", 240),
    ]
    out = [
        run(
            redis_client,
            rl,
            article(f"m{i}", DUTCH_REPORT + f" ({i})", event("combat", 261), source=s),
            t,
        )[0]
        for i, (s, t) in enumerate(copies)
    ]
    assert [d.action for d in out] == ["hold", "hold", "hold", "send", "suppress"]
    assert out[3].sources == ("a.example", "b.example", "c.example")


def test_min_sources_forgets_reports_older_than_within(redis_client: redis.Redis) -> None:
    rl = rule("name: corr\nmatch: {event: combat}\nmin_sources: 2\nwithin: 1h\nnotify: [hook]\n")
    d1, _ = run(
        redis_client, rl, article("o1", DUTCH_REPORT, event("combat", 261), source="a.example"), 0
    )
    d2, _ = run(
        redis_client,
        rl,
        article("o2", DUTCH_REPORT + " x", event("combat", 261), source="b.example"),
        2 * HOUR,
    )
    assert (d1.action, d2.action) == ("hold", "hold")


def test_window_per_group(redis_client: redis.Redis) -> None:
    rl = rule(
        "name: kyiv\nmatch: {event: attack}\nonce_per: article\n"
        "window: {count: 3, within: 1h, group_by: location}\nnotify: [hook]\n"
    )

    def a(i: int, place: str, t: float):  # type: ignore[no-untyped-def]
        text = f"Melding {i} uit {place}: een aanval met drones op de stad, nummer {i * 7919}."
        return run(
            redis_client, rl, article(f"w{i}", text, event("attack", None, location=place)), t
        )[0].action

    assert [
        a(0, "Kyiv", 0),
        a(1, "Kyiv", 60),
        a(2, "Kharkiv", 90),
        a(3, "Kyiv", 120),
        a(4, "Kyiv", 130),
    ] == ["suppress", "suppress", "suppress", "send", "suppress"]
    assert a(5, "Kyiv", 3 * HOUR) == "suppress"  # the window starts anew after it fired


def test_new_for_fires_only_when_no_similar_story_was_seen(redis_client: redis.Redis) -> None:
    rl = rule("name: talks\nmatch: {event: negotiation}\nnew_for: 48h\nnotify: [hook]\n")

    def story(i: int, t: float) -> str:
        text = (
            f"Onderwerp {i}: de delegaties komen bijeen voor overleg in stad nummer {i * 104729},"
            " zegt de woordvoerder."
        )
        return run(
            redis_client, rl, article(f"n{i}", text, event("negotiation", status="announced")), t
        )[0].action

    assert [story(0, 0), story(1, HOUR), story(2, 50 * HOUR)] == ["send", "suppress", "send"]


def test_cooldown_suppresses_other_stories_for_a_while(redis_client: redis.Redis) -> None:
    rl = rule("name: cool\nmatch: {event: sanctions}\ncooldown: 6h\nnotify: [hook]\n")
    first = run(
        redis_client,
        rl,
        article(
            "k1", "De EU kondigt nieuwe sancties aan tegen banken in de regio.", event("sanctions")
        ),
        0,
    )[0]
    second = run(
        redis_client,
        rl,
        article(
            "k2",
            "Washington breidt strafmaatregelen uit naar drie rederijen en hun schepen.",
            event("sanctions"),
        ),
        60,
    )[0]
    assert (first.action, second.action) == ("send", "suppress")


def test_quiet_hours_cross_midnight_in_the_rule_time_zone() -> None:
    q = rule(
        "name: q\nmatch: {event: attack}\nnotify: [hook]\n"
        "quiet_hours: {from: '23:00', to: '07:00', tz: Europe/Amsterdam}\n"
    ).quiet_hours
    assert q is not None
    ams = ZoneInfo("Europe/Amsterdam")
    at = lambda h, m=0: datetime(2025, 6, 1, h, m, tzinfo=ams).timestamp()  # noqa: E731
    assert (
        in_quiet_hours(q, at(23, 30)) and in_quiet_hours(q, at(3)) and not in_quiet_hours(q, at(7))
    )
    assert not in_quiet_hours(q, at(12))


def test_quiet_hours_digest_goes_out_once_when_they_end(redis_client: redis.Redis) -> None:
    text = (
        "name: night\nmatch: {event: attack}\nonce_per: article\nnotify: [hook, mail]\n"
        "quiet_hours: {from: '23:00', to: '07:00', tz: UTC}\n"
    )
    rl = rule(text)
    night = datetime(2025, 6, 1, 23, 30, tzinfo=ZoneInfo("UTC")).timestamp()
    cfg = parse_config("channels:\n  hook: {type: console}\n  mail: {type: console}\n", "c.yaml")
    queue = make_queue("alerts", redis_client)
    for i in range(3):
        a = article(
            f"q{i}",
            f"Nachtelijke aanval nummer {i} op een dorp met kenmerk {i * 31337}.",
            event("attack"),
        )
        d, story = run(redis_client, rl, a, night + i)
        assert d.action == "digest"
        m = type("M", (), {"events": a.events, "matched": (), "held": ()})()
        hold_for_digest(redis_client, rl, build_alert(rl, m, a, story, d), night + i)  # type: ignore[arg-type]
    rs = RuleSet([rl])
    assert flush_due_digests(redis_client, rs, cfg, night + HOUR) == 0
    assert flush_due_digests(redis_client, rs, cfg, night + 8 * HOUR) == 1
    assert flush_due_digests(redis_client, rs, cfg, night + 9 * HOUR) == 0
    jobs = queue.get_jobs()
    assert len(jobs) == 2  # one digest per channel
    assert len(jobs[0].args[0]["items"]) == 3


def test_a_story_found_not_new_stays_not_new_for_its_later_articles(redis_client: redis.Redis) -> None:
    rl = rule("name: talks\nmatch: {event: negotiation}\nnew_for: 48h\nnotify: [hook]\n")
    first = (
        "Onderwerp een: de delegaties komen bijeen voor overleg in de hoofdstad, zegt de woordvoerder "
        "van het ministerie, en de gesprekken duren twee dagen."
    )
    second = (
        "Onderwerp twee: een andere ronde gesprekken over gevangenen begint volgende week in een "
        "neutraal land, melden diplomaten aan beide kanten."
    )
    ev = event("negotiation", status="announced")
    assert run(redis_client, rl, article("s1", first, ev, source="a.example"), 0)[0].action == "send"
    assert run(redis_client, rl, article("s2", second, ev, source="b.example"), HOUR)[0].action == "suppress"
    copy = article("s2b", second + " Meer volgt.", ev, source="c.example")
    d, story = run(redis_client, rl, copy, HOUR + 60)
    assert d.action == "suppress" and story.id == run(redis_client, rl, article("s2", second, ev, source="b.example"), HOUR)[1].id


def test_a_replayed_digest_hold_is_not_held_twice_and_a_failed_flush_is_resent(redis_client: redis.Redis) -> None:
    rl = rule("name: dg\nmatch: {event: attack}\nonce_per: article\ndigest: 1h\nnotify: [hook]\n")
    cfg = parse_config("channels:\n  hook: {type: console}\n", "c.yaml")
    a = article("d1", "Een aanval met drones op een dorp in het oosten.", event("attack"))
    d, story = run(redis_client, rl, a, 0)
    m = type("M", (), {"events": a.events, "matched": (), "held": ()})()
    al = build_alert(rl, m, a, story, d)  # type: ignore[arg-type]
    assert hold_for_digest(redis_client, rl, al, 0) is True
    assert hold_for_digest(redis_client, rl, al, 0) is False
    # a flush that died after moving the batch aside: the next flush still sends it
    redis_client.rename(keys.digest_items("dg"), keys.digest_flushing("dg"))
    assert flush_due_digests(redis_client, RuleSet([rl]), cfg, 2 * HOUR) == 1
    assert len(make_queue("alerts", redis_client).get_jobs()) == 1
