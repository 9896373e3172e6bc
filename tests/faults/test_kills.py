"""Processes killed with SIGKILL: workers during a burst, the whole daemon, the leader of two.

Each scenario publishes a burst of articles on a local news site, injects its fault while the
burst is being processed and counts what reaches the webhook (tests/faults/ledger.py).
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

from tests.faults.ledger import WEBHOOK, Receivers
from tests.faults.newsroom import Newsroom
from tests.faults.redisproc import RedisServer
from tests.faults.rig import Daemon, MemoryWatch, cleanup
from tests.faults.steps import Record, all_arrive, assert_clean, count_row, hook_config
from tests.procs import wait_gone
from tests.servers import LocalHTTPServer, wait_for

# The webhook answers this long after taking an alert: a kill can fall in the send window.
HOOK_DELAY = 0.2


def kill_workers_during_a_burst(
    tmp_path: Path, http: LocalHTTPServer, record: Record, entries: int, kills: int
) -> None:
    room, rx = Newsroom(http, page_delay=0.5), Receivers(http)
    rx.hook_delay = HOOK_DELAY
    daemon = Daemon(hook_config(tmp_path, room, rx), tmp_path / "daemon.log", workers=4)
    rng = random.Random(8)
    killed: list[float] = []
    try:
        daemon.start().wait_ready()
        with MemoryWatch(daemon).watching() as memory:
            links = room.publish(entries)
            wait_for(lambda: rx.articles(WEBHOOK), 60)  # the burst is being processed
            for _ in range(kills):
                victim = rng.choice(daemon.workers() or [0])
                if victim:
                    os.kill(victim, signal.SIGKILL)
                    killed.append(time.time())
                time.sleep(2)
            all_arrive(rx, WEBHOOK, links, 60 - 2)
        scenario = f"kill -9 a worker every 2 s x{kills}, {entries}-entry burst"
        row = count_row(record, scenario, rx, (WEBHOOK, links), killed, killed[-1], memory.peak)
        assert len(killed) == kills, "a kill found no worker"
        assert row.recovery is not None and row.recovery <= 60, row
        assert daemon.alive() and daemon.stop() == 0
        assert_clean(row, daemon)
        assert len(daemon.said("killed by SIGKILL")) == kills
    finally:
        cleanup(tmp_path, daemon)


@pytest.mark.slow
@pytest.mark.fast_fault
def test_workers_killed_during_a_burst_fast(
    tmp_path: Path, http_server: LocalHTTPServer, record_row: Record
) -> None:
    kill_workers_during_a_burst(tmp_path, http_server, record_row, entries=30, kills=3)


@pytest.mark.faults
def test_a_worker_killed_every_2s_ten_times_during_a_100_entry_burst(
    tmp_path: Path, http_server: LocalHTTPServer, record_row: Record
) -> None:
    kill_workers_during_a_burst(tmp_path, http_server, record_row, entries=100, kills=10)


@pytest.mark.faults
def test_the_daemon_killed_mid_burst_and_restarted(
    tmp_path: Path, http_server: LocalHTTPServer, record_row: Record
) -> None:
    room, rx = Newsroom(http_server, page_delay=0.3), Receivers(http_server)
    rx.hook_delay = HOOK_DELAY
    cfg = hook_config(tmp_path, room, rx)
    first = Daemon(cfg, tmp_path / "daemon.log", workers=4)
    second = Daemon(cfg, tmp_path / "daemon.log", workers=4)
    try:
        first.start().wait_ready()
        links = room.publish(100)
        wait_for(lambda: len(rx.articles(WEBHOOK)) >= 20, 60)
        killed = first.kill9()
        # Its workers and its embedded Redis die with it.
        assert not wait_gone(str(tmp_path), 10), "a process of the killed daemon lived on"
        restarted = time.time()
        second.start()
        with MemoryWatch(second).watching() as memory:
            all_arrive(rx, WEBHOOK, links, 120)
        scenario = "kill -9 the daemon (process group) mid-burst, restart"
        expected = (WEBHOOK, links)
        row = count_row(record_row, scenario, rx, expected, [killed], restarted, memory.peak)
        assert second.alive() and second.stop() == 0
        assert_clean(row, second)
    finally:
        cleanup(tmp_path, first, second)


@pytest.mark.faults
def test_the_leader_of_two_daemons_killed_the_standby_takes_over(
    tmp_path: Path, http_server: LocalHTTPServer, record_row: Record
) -> None:
    room, rx = Newsroom(http_server, page_delay=0.3), Receivers(http_server)
    rx.hook_delay = HOOK_DELAY
    redis = RedisServer(tmp_path / "redis").start()
    cfg = hook_config(tmp_path, room, rx)
    leader = Daemon(cfg, tmp_path / "leader.log", workers=2, redis_url=redis.url)
    standby = Daemon(cfg, tmp_path / "standby.log", workers=2, redis_url=redis.url)
    try:
        leader.start().wait_ready()
        wait_for(lambda: leader.said("is now the active poller"), 30)
        standby.start().wait_ready()
        links = room.publish(100)
        wait_for(lambda: len(rx.articles(WEBHOOK)) >= 20, 60)
        killed = leader.kill9()
        links += room.publish(20)  # news the standby must poll itself
        with MemoryWatch(standby).watching() as memory:
            all_arrive(rx, WEBHOOK, links, 120)
        scenario = "kill -9 the leader of two daemons mid-burst (standby's RSS)"
        expected = (WEBHOOK, links)
        row = count_row(record_row, scenario, rx, expected, [killed], killed, memory.peak)
        assert standby.said("is now the active poller"), "the standby never took over"
        assert standby.alive() and standby.stop() == 0
        assert_clean(row, standby)
    finally:
        cleanup(tmp_path, leader, standby)
        redis.stop()
