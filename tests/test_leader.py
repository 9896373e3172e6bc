from __future__ import annotations

import time

import redis

from monitor.leader import Leadership


def test_exactly_one_leader_and_takeover_when_it_dies(redis_client: redis.Redis) -> None:
    a, b = Leadership(redis_client, ttl=1), Leadership(redis_client, ttl=1)
    assert a.check() is True
    assert b.check() is False
    assert a.check() is True  # renewal
    assert a.is_leader and not b.is_leader
    # a dies without releasing: its lock expires and the standby takes over on its next check
    time.sleep(1.2)
    assert b.check() is True
    assert a.check() is False


def test_release_hands_over_at_once(redis_client: redis.Redis) -> None:
    a, b = Leadership(redis_client), Leadership(redis_client)
    a.check()
    a.release()
    assert b.check() is True
