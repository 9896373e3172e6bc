from __future__ import annotations

import threading

import redis

from monitor.dedup import enqueue_entry_once, is_seen, mark_seen
from monitor.models import Entry
from monitor.producers import make_queue


def entry(link: str, feed: str = "https://a.example/rss", guid: str | None = None) -> Entry:
    return Entry(feed_name=feed, feed_url=feed, link=link, guid=guid, canonical_url=link, title="t")


def test_same_entry_twice_in_one_feed_is_enqueued_once(redis_client: redis.Redis) -> None:
    q = make_queue("entries", redis_client)
    e = entry("https://news.example/1", guid="g1")
    assert enqueue_entry_once(redis_client, q, e, 60) is True
    assert enqueue_entry_once(redis_client, q, e, 60) is False
    assert q.count == 1 and is_seen(redis_client, e)


def test_same_canonical_url_from_two_feeds_is_enqueued_once(redis_client: redis.Redis) -> None:
    q = make_queue("entries", redis_client)
    a = entry("https://news.example/story", feed="https://a.example/rss", guid="a-1")
    b = entry("https://news.example/story", feed="https://b.example/rss", guid="b-9")
    assert enqueue_entry_once(redis_client, q, a, 60)
    assert not enqueue_entry_once(redis_client, q, b, 60)
    assert q.count == 1


def test_same_guid_with_a_rewritten_link_is_enqueued_once(redis_client: redis.Redis) -> None:
    q = make_queue("entries", redis_client)
    assert enqueue_entry_once(redis_client, q, entry("https://n.example/x?v=1", guid="same"), 60)
    assert not enqueue_entry_once(
        redis_client, q, entry("https://n.example/x?v=2", guid="same"), 60
    )


def test_entry_is_seen_only_together_with_its_job(redis_client: redis.Redis) -> None:
    q = make_queue("entries", redis_client)
    e = entry("https://news.example/2")
    assert not is_seen(redis_client, e)
    enqueue_entry_once(redis_client, q, e, 60)
    (job,) = q.get_jobs()
    assert job.args == [e.to_dict()] and is_seen(redis_client, e)


def test_racing_pollers_enqueue_an_entry_once(redis_url: str, redis_client: redis.Redis) -> None:
    entries = [entry(f"https://news.example/{i}") for i in range(50)]
    results: list[bool] = []
    lock = threading.Lock()

    def poller() -> None:
        conn = redis.Redis.from_url(redis_url)
        q = make_queue("entries", conn)
        for e in entries:
            ok = enqueue_entry_once(conn, q, e, 60)
            with lock:
                results.append(ok)

    threads = [threading.Thread(target=poller) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 50
    assert make_queue("entries", redis_client).count == 50


def test_backlog_marked_seen_enqueues_nothing(redis_client: redis.Redis) -> None:
    q = make_queue("entries", redis_client)
    backlog = [entry(f"https://news.example/old{i}") for i in range(3)]
    assert mark_seen(redis_client, backlog) == 3
    assert not any(enqueue_entry_once(redis_client, q, e, 60) for e in backlog)
    assert q.count == 0


def test_a_later_updated_time_enqueues_the_entry_again(redis_client: redis.Redis) -> None:
    q = make_queue("entries", redis_client)
    first = entry("https://news.example/live", guid="live-1").replace(updated="2025-02-16T10:00:00Z")
    assert enqueue_entry_once(redis_client, q, first, 60)
    assert not enqueue_entry_once(redis_client, q, first, 60)
    later = first.replace(updated="2025-02-16T11:30:00Z")
    assert enqueue_entry_once(redis_client, q, later, 60)
    assert not enqueue_entry_once(redis_client, q, later, 60)
    assert not enqueue_entry_once(redis_client, q, first, 60)  # an older copy from another feed
    ids = [j.id for j in q.get_jobs()]
    assert len(ids) == 2 and len(set(ids)) == 2
