"""A Redis restart mid-burst (item 13): the daemon and every worker ride it out, keep their
jobs, and say so in one line each way; every entry is alerted, once."""

from __future__ import annotations

import logging
import signal
import time
from pathlib import Path

import pytest

from monitor.embedded_redis import EmbeddedRedis
from monitor.outage import RedisOutage
from tests.procs import alive, kill_all, newsmonitor, timed_wait, workers_of
from tests.servers import LocalHTTPServer, wait_for
from tests.test_stop import config, serve

ENTRIES = 30


@pytest.mark.slow
def test_workers_ride_out_a_redis_restart_and_every_entry_is_alerted_once(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    server = EmbeddedRedis(tmp_path / "redis").start()  # AOF on, unix socket: as in production
    serve(http_server, list(range(ENTRIES)), slow=0.15)
    cfg = config(tmp_path, http_server, "5s", extra=f"redis_url: '{server.url}'\nworkers: 2\n")
    hooks = lambda: http_server.requests_to("/hook")  # noqa: E731
    mark = str(tmp_path / "nm.yaml")
    log_path = tmp_path / "daemon.log"
    with log_path.open("wb") as log:
        daemon = newsmonitor(cfg, log, "run")
        try:
            before = wait_for(lambda: len(workers_of(mark)) == 2 and sorted(workers_of(mark)), 30)
            wait_for(lambda: len(hooks()) >= 5, 60)
            server.stop()  # SHUTDOWN: clients see their connections close mid-burst
            down_at = time.monotonic()
            time.sleep(2.0)
            server.start()
            wait_for(lambda: len(hooks()) >= ENTRIES, 60)
            back_after = time.monotonic() - down_at
            after = sorted(workers_of(mark))
            assert alive(daemon.pid)
            daemon.send_signal(signal.SIGTERM)
            code, _ = timed_wait(daemon, 5 + 5)
        finally:
            kill_all(mark, daemon)
            server.stop()
    output = log_path.read_text()
    assert code == 0, output[-3000:]
    assert after == before, "a worker died in the outage and was respawned"
    urls = [h.json()["article"]["url"] for h in hooks()]
    assert sorted(urls) == sorted(http_server.url(f"/a/{i}") for i in range(ENTRIES)), "lost or repeated"
    assert "Traceback" not in output
    # One line when it went, one when it came back, per process (daemon + 2 workers); an idle
    # worker waiting out its backoff may be stopped before its next try tells it Redis is back.
    assert 1 <= output.count("redis unreachable") <= 3, output
    assert 1 <= output.count("redis reachable again") <= output.count("redis unreachable")
    assert back_after < 30


def test_one_line_when_redis_goes_and_one_when_it_is_back(caplog: pytest.LogCaptureFixture) -> None:
    outage = RedisOutage()
    with caplog.at_level(logging.INFO, logger="newsmonitor.redis"):
        outage.failed(ConnectionError("refused"))
        outage.failed(ConnectionError("refused"))  # another thread, another try: same outage
        # A shutting-down server still answers on an old connection: not the end of it.
        outage.succeeded(after_failing=False)
        assert outage.down
        outage.succeeded(after_failing=True)  # a command that failed got through: it is back
        assert not outage.down
        outage.succeeded(after_failing=False)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("redis unreachable (refused)") and lines[1].startswith("redis reachable again after")


def test_a_first_try_success_ends_the_outage_once_failures_have_stopped() -> None:
    """The daemon's periodic jobs give up after a few tries; their next tick succeeds at once."""
    outage = RedisOutage(settle=0.05)
    outage.failed(ConnectionError("refused"))
    time.sleep(0.1)
    outage.succeeded(after_failing=False)
    assert not outage.down
