"""Restart safety on the embedded Redis: nothing lost, nothing sent twice, killed jobs done."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest

from tests.servers import LocalHTTPServer, Response, wait_for
from tests.test_poller import RSS

ROOT = Path(__file__).resolve().parent.parent
STORY = "Het leger meldt dat er gisteren {n} aanvallen met drones op de regio zijn uitgevoerd."


def site(http: LocalHTTPServer, ids: list[int], slow: int | None = None) -> None:
    items = ""
    for i in ids:
        http.routes[f"/a/{i}"] = Response(
            f"<html lang='nl'><body><article><h1>Bericht {i}</h1><p>{STORY.format(n=100 + i)}</p>"
            "<p>De autoriteiten onderzoeken de schade aan gebouwen in de stad.</p></article></body></html>".encode(),
            headers={"Content-Type": "text/html"},
            delay=30.0 if i == slow else 0.0,
        )
        items += f"<item><title>Bericht {i}</title><link>{http.url(f'/a/{i}')}</link><guid>g{i}</guid></item>"
    http.routes["/rss"] = Response(RSS.format(items=items).encode(), headers={"Content-Type": "application/rss+xml"})


def start(cfg: Path, log: IO[bytes]) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    return subprocess.Popen(
        [sys.executable, "-m", "monitor.cli", "--config", str(cfg), "run", "--workers", "2"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )


@pytest.mark.slow
def test_restart_and_kill_lose_nothing_and_resend_nothing(tmp_path: Path, http_server: LocalHTTPServer) -> None:
    http_server.routes["/hook"] = Response(b"ok")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "drones.yaml").write_text("name: drones\nmatch: {event: attack, count: '>= 100'}\nonce_per: article\nnotify: [hook]\n")
    cfg = tmp_path / "nm.yaml"
    cfg.write_text(
        f"data_dir: {tmp_path / 'data'}\nrules: {rules}\n"
        f"feeds:\n  - {{url: '{http_server.url('/rss')}', name: t, interval: 1s, backfill: true}}\n"
        f"channels:\n  hook: {{type: webhook, url: '{http_server.url('/hook')}'}}\n"
        "health: {enabled: false}\n"
    )
    log_path = tmp_path / "daemon.log"
    with log_path.open("ab") as log:
        run_scenario(http_server, cfg, log, log_path)


def run_scenario(http_server: LocalHTTPServer, cfg: Path, log: IO[bytes], log_path: Path) -> None:
    hooks = lambda: http_server.requests_to("/hook")  # noqa: E731

    site(http_server, [1, 2])
    daemon = start(cfg, log)
    wait_for(lambda: len(hooks()) == 2, 60)
    daemon.send_signal(signal.SIGTERM)
    assert daemon.wait(60) == 0, log_path.read_text()[-3000:]

    daemon = start(cfg, log)  # the embedded Redis comes back from its AOF: nothing is re-sent
    polls = len(http_server.requests_to("/rss"))
    wait_for(lambda: len(http_server.requests_to("/rss")) >= polls + 3, 30)
    assert len(hooks()) == 2

    site(http_server, [1, 2, 3], slow=3)  # a new entry whose page hangs: its job is in flight
    wait_for(lambda: http_server.requests_to("/a/3"), 30)
    os.killpg(daemon.pid, signal.SIGKILL)  # daemon, workers and all, no chance to clean up
    daemon.wait(10)
    time.sleep(1)

    site(http_server, [1, 2, 3])  # the page answers now
    restarted = time.monotonic()
    daemon = start(cfg, log)
    try:
        wait_for(lambda: len(hooks()) == 3, 60)
        assert time.monotonic() - restarted < 60
        urls = [h.json()["article"]["url"] for h in hooks()]
        assert sorted(urls) == sorted(http_server.url(f"/a/{i}") for i in (1, 2, 3))
    finally:
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(60)
    assert code == 0, log_path.read_text()[-3000:]
