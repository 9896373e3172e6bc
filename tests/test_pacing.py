from __future__ import annotations

import random

from monitor.feeds.pacing import (
    Hints,
    Pacing,
    base_interval,
    next_delay,
    parse_max_age,
    parse_retry_after,
    updated_gap,
)

P = Pacing(min_interval=60, max_interval=3600, default_interval=300)
NO_JITTER = random.Random(0)


def delay(**kw: object) -> float:
    args = {"explicit": None, "avg_gap": None, "errors": 0, "hints": Hints(), "p": P}
    args.update(kw)
    d = next_delay(**args, rnd=random.Random(1))  # type: ignore[arg-type]
    return d


def test_an_explicit_interval_is_kept_even_below_the_minimum() -> None:
    assert 1.8 <= delay(explicit=2.0) <= 2.2
    assert 1.8 <= delay(explicit=2.0, hints=Hints(max_age=900, ttl=3600)) <= 2.2


def test_adaptive_interval_follows_the_feed_and_is_clamped() -> None:
    assert base_interval(None, 1200, P) == 600  # posts every 20 min -> read every 10
    assert base_interval(None, 10, P) == 60  # clamped up to min_interval
    assert base_interval(None, 86400, P) == 3600  # clamped down to max_interval
    assert base_interval(None, None, P) == 300


def test_errors_back_off_exponentially_up_to_the_max_and_never_stop() -> None:
    delays = [delay(errors=n) for n in range(0, 12)]
    assert delays[1] > delays[0] * 1.5 and delays[2] > delays[1] * 1.5
    assert max(delays) <= 3600 * 1.1 and delays[-1] >= 3600 * 0.9


def test_server_hints_are_a_floor_and_retry_after_always_wins() -> None:
    assert delay(hints=Hints(max_age=900)) >= 900 * 0.9
    assert delay(hints=Hints(ttl=86400)) <= 3600 * 1.1  # but not beyond max_interval
    assert delay(explicit=2.0, hints=Hints(retry_after=120)) >= 120


def test_jitter_spreads_feeds() -> None:
    values = {round(next_delay(None, None, 0, Hints(), P, random.Random(i))) for i in range(20)}
    assert len(values) > 5 and all(270 <= v <= 330 for v in values)


def test_header_parsing() -> None:
    assert parse_retry_after("120", 0) == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412420) == 60
    assert parse_retry_after("soon", 0) is None
    assert parse_max_age("public, max-age=300", None, 0) == 300
    assert parse_max_age("no-cache", "Wed, 21 Oct 2015 07:28:00 GMT", 0) is None
    assert parse_max_age(None, "Wed, 21 Oct 2015 07:28:00 GMT", 1445412420) == 60


def test_average_gap_between_new_entries() -> None:
    assert updated_gap(None, 0, 3600, 2) == 1800
    assert updated_gap(1800, 3600, 3600 + 600, 1) == 0.7 * 1800 + 0.3 * 600
    assert updated_gap(1800, 3600, 7200, 0) == 1800


def test_retry_after_is_capped_at_a_day() -> None:
    assert delay(hints=Hints(retry_after=10**9)) <= 86400
