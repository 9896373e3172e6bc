from __future__ import annotations

import time

import httpx
import pytest
import redis

from monitor.config import parse_config
from monitor.feeds import state as feedstate
from monitor.feeds.poll import poll_feed
from monitor.models import Feed
from monitor.producers import make_queue
from tests.servers import LocalHTTPServer, Response

RSS = (
    "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title><link>http://x/</link>"
    "<description>d</description>{items}</channel></rss>"
)


UTF16_FEED = (
    "<rss version='2.0'><channel><title>t</title><item><title>Item</title>"
    "<link>http://news.example/a</link></item></channel></rss>"
)


def rss(server: LocalHTTPServer, *ids: str) -> bytes:
    items = "".join(
        f"<item><title>Item {i}</title><link>{server.url('/a/' + i)}</link><guid>{i}</guid></item>"
        for i in ids
    )
    return RSS.format(items=items).encode()


@pytest.fixture
def poll(redis_client: redis.Redis, http_server: LocalHTTPServer):  # type: ignore[no-untyped-def]
    queue = make_queue("entries", redis_client)
    client = httpx.Client()
    cfg = parse_config("fetch: {read_timeout: 0.5, connect_timeout: 0.5}\n", "c.yaml")

    def run(path: str, backfill: bool = True):  # type: ignore[no-untyped-def]
        feed = Feed(url=http_server.url(path), name=path.strip("/"), interval=2, backfill=backfill)
        return poll_feed(redis_client, queue, client, feed, cfg)

    yield run, queue
    client.close()


def test_new_entries_are_enqueued_once_across_polls(poll, http_server: LocalHTTPServer) -> None:  # type: ignore[no-untyped-def]
    run, queue = poll
    http_server.routes["/f"] = Response(rss(http_server, "1", "2"), headers={"ETag": '"v1"'})
    assert run("/f").new == 2
    http_server.routes["/f"] = Response(rss(http_server, "1", "2", "3"), headers={"ETag": '"v2"'})
    assert run("/f").new == 1
    assert queue.count == 3
    assert http_server.requests_to("/f")[-1].headers.get("If-None-Match") == '"v1"'


def test_a_new_feed_without_backfill_marks_its_backlog_seen(
    poll, http_server: LocalHTTPServer
) -> None:  # type: ignore[no-untyped-def]
    run, queue = poll
    http_server.routes["/nb"] = Response(rss(http_server, "old1", "old2"))
    result = run("/nb", backfill=False)
    assert result.status == "backlog" and queue.count == 0
    http_server.routes["/nb"] = Response(rss(http_server, "old1", "old2", "fresh"))
    assert run("/nb", backfill=False).new == 1 and queue.count == 1


@pytest.mark.parametrize(
    ("response", "needle"),
    [
        (Response(b"gone", 404), "404"),
        (Response(b"oops", 500), "500"),
        (Response(b"\x00\x01 this is not a feed at all", 200), ""),
        (Response(b"<rss>", 200, delay=1.5), "timed out"),
        # UTF-16 without a byte-order mark or a declaration: decodes to nothing (item 15).
        (Response(UTF16_FEED.encode("utf-16-le"), 200), "not a usable feed"),
    ],
)
def test_broken_feeds_are_logged_with_their_url_and_others_go_on(
    poll,
    http_server: LocalHTTPServer,
    redis_client: redis.Redis,
    caplog: pytest.LogCaptureFixture,
    response: Response,
    needle: str,
) -> None:  # type: ignore[no-untyped-def]
    run, _ = poll
    http_server.routes["/bad"] = response
    http_server.routes["/good"] = Response(rss(http_server, "g1"))
    bad = run("/bad")
    assert bad.status == "error" and http_server.url("/bad") in (bad.error or "")
    assert needle.lower() in (bad.error or "").lower()
    state = feedstate.read_state(redis_client, http_server.url("/bad"))
    assert state.errors == 1 and state.last_error
    assert state.health(time.time()) == "failing"
    assert run("/good").new == 1
    # The broken feed is polled again next time and recovers.
    http_server.routes["/bad"] = Response(rss(http_server, "b1"))
    assert run("/bad").new == 1
    assert feedstate.read_state(redis_client, http_server.url("/bad")).errors == 0


def test_304_costs_no_parsing_and_keeps_rotated_validators(poll, http_server: LocalHTTPServer, redis_client: redis.Redis) -> None:  # type: ignore[no-untyped-def]
    run, _ = poll
    calls: list[str] = []

    def route(req):  # type: ignore[no-untyped-def]
        calls.append(req.headers.get("If-None-Match", ""))
        if req.headers.get("If-None-Match") == '"a"':
            return Response(b"", 304, headers={"ETag": '"b"'})
        return Response(rss(http_server, "x"), headers={"ETag": '"a"'})

    http_server.routes["/c"] = route
    assert run("/c").status == "new"
    assert run("/c").status == "unchanged"
    assert calls == ["", '"a"']
    assert feedstate.read_state(redis_client, http_server.url("/c")).etag == '"b"'


def test_pacing_hints_and_retry_after_are_reported(poll, http_server: LocalHTTPServer) -> None:  # type: ignore[no-untyped-def]
    run, _ = poll
    body = rss(http_server, "t").replace(b"<description>d</description>", b"<description>d</description><ttl>30</ttl>")
    http_server.routes["/h"] = Response(body, headers={"Cache-Control": "public, max-age=600"})
    hints = run("/h").hints
    assert hints.max_age == 600 and hints.ttl == 1800
    http_server.routes["/busy"] = Response(b"slow down", 429, headers={"Retry-After": "120"})
    busy = run("/busy")
    assert busy.status == "error" and not busy.transport and busy.hints.retry_after == 120


def test_a_10000_entry_feed_is_enqueued_whole_and_once(
    poll, http_server: LocalHTTPServer
) -> None:  # type: ignore[no-untyped-def]
    """Within the byte cap, a huge feed is a bounded, correct result: every entry once."""
    run, queue = poll
    ids = [str(i) for i in range(10_000)]
    http_server.routes["/big"] = Response(rss(http_server, *ids))
    result = run("/big")
    assert (result.status, result.new, result.entries) == ("new", 10_000, 10_000)
    assert queue.count == 10_000
    assert run("/big").new == 0
