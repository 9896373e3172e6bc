"""Stopping the real daemon and `newsmonitor worker`: bounded, complete, and losing nothing.

Each run gets a folder of its own; /proc tells whether any worker or redis-server of it is
left (tests/procs.py). Timing bounds are the promise (grace + 5 s), not benchmarks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer

from monitor import keys
from monitor.dedup import enqueue_entry_once
from monitor.models import Entry
from monitor.producers import make_queue
from tests.clirun import ROOT, user_env
from tests.procs import kill_all, newsmonitor, redis_servers_of, timed_wait, wait_gone, workers_of
from tests.servers import LocalHTTPServer, Response, wait_for
from tests.test_poller import RSS

PAGE = (
    "<html lang='en'><body><article><h1>Report {i}</h1><p>The army said {n} drone attacks "
    "were carried out on the region overnight, more than in any night before.</p>"
    "<p>Officials are still assessing the damage to buildings in the city.</p>"
    "</article></body></html>"
)
RULE = "name: drones\nmatch: {event: attack, count: '>= 100'}\nonce_per: article\nnotify: [hook]\n"


def serve(http: LocalHTTPServer, ids: list[int], slow: float = 0.0) -> None:
    """A feed of ``ids`` whose pages answer after ``slow`` seconds."""
    items = ""
    for i in ids:
        http.routes[f"/a/{i}"] = Response(
            PAGE.format(i=i, n=100 + i).encode(), headers={"Content-Type": "text/html"}, delay=slow
        )
        items += f"<item><title>Report {i}</title><link>{http.url(f'/a/{i}')}</link><guid>g{i}</guid></item>"
    http.routes["/rss"] = Response(RSS.format(items=items).encode(), headers={"Content-Type": "application/rss+xml"})
    http.routes.setdefault("/hook", Response(b"ok"))


def config(tmp: Path, http: LocalHTTPServer | None, grace: str, extra: str = "") -> Path:
    rules = tmp / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "drones.yaml").write_text(RULE)
    feeds = (
        f"feeds:\n  - {{url: '{http.url('/rss')}', name: t, interval: 1s, backfill: true}}\n"
        f"channels:\n  hook: {{type: webhook, url: '{http.url('/hook')}'}}\n"
        if http
        else "channels:\n  hook: {type: console}\n"
    )
    cfg = tmp / "nm.yaml"
    cfg.write_text(
        f"data_dir: {tmp / 'data'}\nrules: {rules}\n{feeds}"
        f"health: {{enabled: false}}\nshutdown_grace: {grace}\n{extra}"
    )
    return cfg


def assert_nothing_left(tmp: Path) -> None:
    left = wait_gone(str(tmp), 3)
    assert not left, f"left behind: workers {workers_of(str(tmp))}, redis {redis_servers_of(str(tmp))}"


@pytest.mark.slow
@pytest.mark.parametrize("after", [0.3, 0.9, 1.6])
def test_a_stop_during_start_up_ends_at_once_and_leaves_nothing(tmp_path: Path, after: float) -> None:
    """Ctrl-C while the embedded Redis starts, the rules load or the workers spawn (it hung
    for ever in RQ's WorkerPool, leaving redis-server behind)."""
    cfg = config(tmp_path, None, "10s")
    with (tmp_path / "daemon.log").open("wb") as log:
        daemon = newsmonitor(cfg, log, "run", "--workers", "2")
        try:
            time.sleep(after)
            os.killpg(daemon.pid, signal.SIGINT)  # as the terminal does: the whole group
            code, took = timed_wait(daemon, 15)
        finally:
            kill_all(str(tmp_path), daemon)
    output = (tmp_path / "daemon.log").read_text()
    # -SIGINT: the signal came before the interpreter had installed any handler (a loaded
    # machine at 0.3 s); a shell reports that as 130 too, and nothing had started yet.
    assert code in (0, 130, -signal.SIGINT), output[-3000:]
    assert took < 5, output[-3000:]
    assert "Traceback" not in output
    assert_nothing_left(tmp_path)


# Ctrl-C as the first import of a library runs: the interpreter raises KeyboardInterrupt there.
INTERRUPTED_IMPORT = """
import runpy, sys
class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == "redis":
            raise KeyboardInterrupt
sys.meta_path.insert(0, Interrupt())
sys.argv = ["newsmonitor", "--version"]
runpy.run_module("monitor.cli", run_name="__main__")
"""


def test_ctrl_c_while_the_command_still_imports_ends_with_130_and_no_traceback() -> None:
    """On a busy machine the imports take longer than a user waits before pressing Ctrl-C
    (seen at 0.3 s after start): that interrupt ends like any other during start-up."""
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_IMPORT],
        cwd=ROOT,
        env=user_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr


IMPORT_ONLY = """
import signal, sys
before = signal.getsignal(signal.SIGINT)
import monitor.cli
sys.exit(0 if signal.getsignal(signal.SIGINT) is before else 1)
"""


@pytest.mark.parametrize("inherited", ["default", "ignored"])
def test_importing_the_cli_leaves_sigint_as_it_found_it(inherited: str) -> None:
    """Only the CLI's own imports run with Ctrl-C as a plain SIGINT: a program that imports
    it (the test suite) keeps its KeyboardInterrupt, and an ignored SIGINT stays ignored."""
    prelude = "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    code = (prelude if inherited == "ignored" else "") + IMPORT_ONLY
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=user_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_a_busy_job_gets_its_grace_a_second_signal_cuts_it_and_nothing_is_lost(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    hooks = lambda: http_server.requests_to("/hook")  # noqa: E731
    log_path = tmp_path / "daemon.log"
    # 1. A job stuck on a slow page: the first SIGTERM waits out the grace (2 s), then kills
    #    its worker and requeues the job.
    serve(http_server, [1], slow=60)
    cfg = config(tmp_path, http_server, "2s")
    with log_path.open("ab") as log:
        daemon = newsmonitor(cfg, log, "run", "--workers", "2")
        try:
            wait_for(lambda: http_server.requests_to("/a/1"), 30)
            daemon.send_signal(signal.SIGTERM)
            code, took = timed_wait(daemon, 2 + 5 + 3)
            assert code == 0 and 2 <= took < 2 + 5, log_path.read_text()[-3000:]
            assert_nothing_left(tmp_path)

            # 2. The requeued job runs again at the next start, and is stuck again: a second
            #    SIGINT does not wait for the (now long) grace.
            cfg = config(tmp_path, http_server, "60s")
            daemon = newsmonitor(cfg, log, "run", "--workers", "2")
            wait_for(lambda: len(http_server.requests_to("/a/1")) >= 2, 30)
            os.killpg(daemon.pid, signal.SIGINT)
            time.sleep(0.5)
            os.killpg(daemon.pid, signal.SIGINT)
            code, took = timed_wait(daemon, 15)
            assert code == 0 and took < 5, log_path.read_text()[-3000:]
            assert_nothing_left(tmp_path)

            # 3. The page answers now: the entry, requeued twice, is alerted once.
            serve(http_server, [1])
            daemon = newsmonitor(cfg, log, "run", "--workers", "2")
            wait_for(hooks, 30)
            daemon.send_signal(signal.SIGTERM)
            code, _ = timed_wait(daemon, 60 + 5)
        finally:
            kill_all(str(tmp_path), daemon)
    output = log_path.read_text()
    assert code == 0, output[-3000:]
    assert [h.json()["article"]["url"] for h in hooks()] == [http_server.url("/a/1")]
    assert "Traceback" not in output
    assert output.count("requeued") >= 2  # each forced stop said what it did with the job


@pytest.mark.slow
def test_the_worker_command_stops_within_its_grace_and_requeues_the_job(
    tmp_path: Path, redis_url: str, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    serve(http_server, [7], slow=60)
    cfg = config(tmp_path, http_server, "1s", extra=f"redis_url: '{redis_url}'\n")
    queue = make_queue(keys.QUEUE_ENTRIES, redis_client)
    entry = Entry(feed_url=http_server.url("/rss"), feed_name="t", link=http_server.url("/a/7"), title="Report 7")
    assert enqueue_entry_once(redis_client, queue, entry, job_timeout=300)
    with (tmp_path / "worker.log").open("wb") as log:
        proc = newsmonitor(cfg, log, "worker", "--workers", "2")
        try:
            wait_for(lambda: http_server.requests_to("/a/7"), 30)
            assert len(workers_of(str(tmp_path))) == 2
            proc.send_signal(signal.SIGTERM)
            code, took = timed_wait(proc, 1 + 5 + 3)
        finally:
            kill_all(str(tmp_path), proc)
    output = (tmp_path / "worker.log").read_text()
    assert code == 0 and took < 1 + 5, output[-3000:]
    assert_nothing_left(tmp_path)
    registry = StartedJobRegistry(queue=queue, serializer=JSONSerializer)
    assert registry.get_job_ids(cleanup=False) == []
    assert queue.job_ids == [keys.entry_job_id(entry.link)]  # back in the queue, not lost
