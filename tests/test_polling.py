from __future__ import annotations

import logging
import threading
import time

import httpx
import pytest
import redis

from monitor import keys
from monitor.config import parse_config
from monitor.feeds import state as feedstate
from monitor.feeds.poller import Poller
from monitor.leader import Leadership
from monitor.models import Feed
from monitor.producers import make_queue
from tests.servers import LocalHTTPServer, Request, Response, free_port, wait_for
from tests.test_poller import rss


@pytest.fixture
def make_poller(redis_client: redis.Redis):  # type: ignore[no-untyped-def]
    made: list[tuple[Poller, httpx.Client]] = []

    def make(leader: bool = True, per_host: int = 2) -> Poller:
        cfg = parse_config(f"polling: {{per_host: {per_host}, threads: 8}}\nfetch: {{read_timeout: 2s, connect_timeout: 1s}}\n", "c.yaml")
        lead = Leadership(redis_client)
        if leader:
            lead.check()
        client = httpx.Client()
        p = Poller(redis_client, cfg, client, make_queue("entries", redis_client), lead)
        made.append((p, client))
        return p

    yield make
    for p, c in made:
        p.shutdown()
        c.close()


def test_only_the_leader_polls(make_poller, http_server: LocalHTTPServer) -> None:  # type: ignore[no-untyped-def]
    http_server.routes["/f"] = Response(rss(http_server, "1"))
    leader, standby = make_poller(True), make_poller(False)
    feeds = [Feed(url=http_server.url("/f"), name="f", interval=60, backfill=True)]
    standby.set_feeds(feeds)
    leader.set_feeds(feeds)
    assert standby.tick() == 0
    assert leader.tick() == 1
    wait_for(lambda: http_server.requests_to("/f"))
    assert leader.tick() == 0  # in flight or rescheduled, not polled twice


def test_the_timetable_moves_on_after_a_poll(make_poller, http_server: LocalHTTPServer, redis_client: redis.Redis) -> None:  # type: ignore[no-untyped-def]
    http_server.routes["/t"] = Response(rss(http_server, "1"))
    p = make_poller()
    url = http_server.url("/t")
    p.set_feeds([Feed(url=url, name="t", interval=120, backfill=True)])
    p.tick()
    wait_for(lambda: (feedstate.read_state(redis_client, url).next_poll or 0) > time.time() + 60)
    assert p.tick() == 0
    p.set_feeds([])
    assert redis_client.zscore(keys.feeds_due(), url) is None


def test_at_most_per_host_polls_run_at_once(make_poller, http_server: LocalHTTPServer) -> None:  # type: ignore[no-untyped-def]
    active, peak, lock = [0], [0], threading.Lock()

    def slow(req: Request) -> Response:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.3)
        with lock:
            active[0] -= 1
        return Response(rss(http_server, req.path.strip("/")))

    for i in range(6):
        http_server.routes[f"/s{i}"] = slow
    p = make_poller(per_host=2)
    p.set_feeds([Feed(url=http_server.url(f"/s{i}"), name=f"s{i}", interval=60, backfill=True) for i in range(6)])
    deadline = time.time() + 10
    while len([r for r in http_server.requests if r.path.startswith("/s")]) < 6 and time.time() < deadline:
        p.tick()
        time.sleep(0.05)
    assert len([r for r in http_server.requests if r.path.startswith("/s")]) == 6
    assert peak[0] == 2


def test_all_feeds_failing_at_once_is_one_outage(make_poller, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    p = make_poller(per_host=10)
    dead = [Feed(url=f"http://127.0.0.1:{free_port()}/rss", name=f"d{i}", interval=1) for i in range(5)]
    p.set_feeds(dead)
    with caplog.at_level(logging.WARNING, logger="newsmonitor.poll"):
        p.tick()
        wait_for(lambda: p.outage.active, timeout=10)
        time.sleep(0.3)
    outage_lines = [r for r in caplog.records if "network outage" in r.getMessage()]
    per_feed = [r for r in caplog.records if "failed (retry" in r.getMessage()]
    assert len(outage_lines) == 1
    assert len(per_feed) < len(dead)  # not one line per broken feed
