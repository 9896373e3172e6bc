from __future__ import annotations

from pathlib import Path

import pytest

from monitor.errors import RuleSetError
from monitor.models import Article, Event
from monitor.rules import RuleSet, load_rules, match_ruleset
from monitor.rules.load import parse_rule_text
from monitor.rules.publish import RulesetCache, publish_ruleset

CHANNELS = {"console", "newsroom"}


def article(**kw: object) -> Article:
    base = dict(
        id="a1",
        url="https://news.example/a",
        feed_name="nos-world",
        feed_url="https://nos.example/rss",
        source="news.example",
        title="Kort nieuws",
        text="",
        lang="nl",
    )
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


def rule(text: str):  # type: ignore[no-untyped-def]
    return parse_rule_text(text, "r.yaml", CHANNELS)


def test_text_lang_and_feed_conditions_must_all_hold() -> None:
    r = rule(
        'name: talks\nmatch:\n  text: "(?i)onderhandel|negotiat"\n  lang: [nl, en]\n'
        '  feed: "*nos*"\nnotify: [newsroom]\n'
    )
    rs = RuleSet([r])
    hit = article(text="De partijen willen verder onderhandelen in Genève.")
    (m,) = match_ruleset(rs, hit)
    assert m.rule == "talks" and "onderhandelen" in m.matched[0]
    assert match_ruleset(rs, hit.replace(lang="de")) == []
    assert (
        match_ruleset(
            rs,
            hit.replace(feed_name="bbc", feed_url="https://bbc.example/rss", source="bbc.example"),
        )
        == []
    )
    assert match_ruleset(rs, hit.replace(text="Geen nieuws vandaag.")) == []


def test_event_and_count_conditions() -> None:
    r = rule('name: big\nmatch:\n  event: [attack, combat]\n  count: ">= 100"\nnotify: console\n')
    rs = RuleSet([r])
    ev = Event(type="combat", evidence="Er waren 120 gevechten.", lang="nl", count=120)
    small = Event(type="attack", evidence="Drie aanvallen.", lang="nl", count=3)
    (m,) = match_ruleset(rs, article(events=(ev, small)))
    assert m.events == (ev,)
    assert match_ruleset(rs, article(events=(small,))) == []
    assert match_ruleset(rs, article(events=(Event("casualties", "x", "nl", count=500),))) == []


@pytest.mark.parametrize(
    ("cond", "yes", "no"),
    [(">= 100", 100, 99), ("< 10", 9, 10), ("100..500", 500, 501), ("42", 42, 43), ("> 5", 6, 5)],
)
def test_count_condition_forms(cond: str, yes: int, no: int) -> None:
    r = rule(f'name: c\nmatch:\n  event: attack\n  count: "{cond}"\nnotify: [console]\n')
    assert r.match.count is not None
    assert (
        r.match.count.holds(yes) and not r.match.count.holds(no) and not r.match.count.holds(None)
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'name: x\nmatch:\n  text: "(unclosed"\nnotify: [console]\n',
            r"r\.yaml:3:9: match\.text: bad regex",
        ),
        (
            "name: x\nmatch: {txt: a}\nnotify: [console]\n",
            r"r\.yaml:2:9: unknown key 'txt', did you mean 'text'\?",
        ),
        (
            "name: x\nmatch: {text: a}\nnotify: [newsrom]\n",
            r"r\.yaml:3:10: unknown channel 'newsrom', did you mean 'newsroom'\?",
        ),
        (
            "name: x\nmatch: {event: atack}\nnotify: [console]\n",
            r"r\.yaml:2:\d+: .*unknown event type 'atack'",
        ),
        (
            "name: x\nmatch: {event: attack, weapon: dron}\nnotify: [console]\n",
            r"r\.yaml:2:\d+: match\.weapon: unknown weapon 'dron', did you mean 'drone'\? "
            r"\(known: drone, missile, artillery, airstrike, glide_bomb, other\)",
        ),
        (
            "name: x\nmatch: {side: [civilian, soldier]}\nnotify: [console]\n",
            r"r\.yaml:2:\d+: match\.side: unknown side 'soldier' \(known: civilian, military\)",
        ),
        (
            "name: x\nmatch: {event: ceasefire, status: stalld}\nnotify: [console]\n",
            r"unknown status 'stalld', did you mean 'stalled'\?",
        ),
        ("name: x\nmatch: {count: lots}\nnotify: [console]\n", r"not a count condition"),
        ("name: x\nmatch: {}\nnotify: [console]\n", r"at least one condition"),
        ("name: x\nmatch: {text: a}\n", r"notify: Field required"),
        ("name: [x\n", r"r\.yaml:\d+:\d+: invalid YAML"),
    ],
)
def test_rule_errors_name_file_line_column(text: str, expected: str) -> None:
    with pytest.raises(RuleSetError, match=expected):
        rule(text)


def test_folder_load_reports_every_problem_and_duplicate_names(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: same\nmatch: {text: a}\nnotify: [console]\n")
    (tmp_path / "b.yaml").write_text("name: same\nmatch: {text: b}\nnotify: [console]\n")
    (tmp_path / "c.yaml").write_text("name: c\nmatch: {text: '('}\nnotify: [console]\n")
    (tmp_path / "notes.txt").write_text("not a rule")
    with pytest.raises(RuleSetError) as info:
        load_rules(tmp_path, CHANNELS)
    text = str(info.value)
    assert "also used in" in text and "c.yaml:2" in text and len(info.value.problems) == 2


def test_shipped_rules_are_valid_for_the_default_channels() -> None:
    rs = load_rules(Path("rules"), {"console", "outbox"})
    assert {"large-attack-count", "new-negotiations"} <= {r.name for r in rs.rules}


def test_ruleset_round_trips_through_redis(redis_client) -> None:  # type: ignore[no-untyped-def]
    rs = RuleSet(
        [rule("name: a\nmatch: {text: x, event: attack, count: '>= 3'}\nnotify: [console]\n")]
    )
    cache = RulesetCache()
    assert publish_ruleset(redis_client, rs) is True
    assert publish_ruleset(redis_client, rs) is False
    got = cache.get(redis_client)
    assert got.hash == rs.hash and got.rules[0].match.count.holds(3)  # type: ignore[union-attr]


def test_workers_retry_rather_than_match_nothing_when_no_ruleset_is_published(redis_client) -> None:  # type: ignore[no-untyped-def]
    from monitor.errors import RuleError

    with pytest.raises(RuleError) as info:
        RulesetCache().get(redis_client)
    assert info.value.retryable


def test_the_watcher_puts_a_lost_ruleset_back(tmp_path: Path, redis_client) -> None:  # type: ignore[no-untyped-def]
    from monitor.rules.watch import RulesWatcher

    (tmp_path / "a.yaml").write_text("name: a\nmatch: {text: x}\nnotify: [console]\n")
    watcher = RulesWatcher(tmp_path, {"console"}, redis_client)
    rs = watcher.load_initial()
    redis_client.delete("nm:ruleset")  # a FLUSHALL, or a Redis without persistence restarted
    assert watcher.check() is True
    assert RulesetCache().get(redis_client).hash == rs.hash
