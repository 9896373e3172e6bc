"""`newsmonitor console`: the console alone against the configured Redis, as a subprocess."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import redis

from monitor import alertstore
from tests.clirun import start_cli
from tests.servers import wait_for
from tests.test_deliver import make_alert

ROOT = Path(__file__).resolve().parent.parent


def test_serves_the_console_of_a_redis_it_can_reach(
    tmp_path: Path, redis_url: str, redis_client: redis.Redis
) -> None:
    alertstore.record_alert(redis_client, make_alert(), ["261 gevechten (combat)"])
    config = tmp_path / "nm.yaml"
    config.write_text(f"redis_url: '{redis_url}'\nrules: {ROOT / 'rules'}\n")
    log = tmp_path / "console.log"
    proc = start_cli(["--config", str(config), "console", "--port", "0"], log, cwd=tmp_path)
    try:
        found = wait_for(lambda: re.search(r"console on (http://[\d.:]+)/", log.read_text()), 30)
        url = found.group(1)
        assert httpx.get(f"{url}/api/alerts").json()["alerts"][0]["id"] == make_alert().id
        assert "261 gevechten (combat)" in httpx.get(f"{url}/").text
        assert httpx.get(f"{url}/healthz").json()["status"] == "ok"
        assert {r["name"] for r in httpx.get(f"{url}/api/rules").json()["rules"]} >= {"ceasefire"}
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
    assert code == 0, log.read_text()


def test_without_a_redis_it_says_how_to_get_one(tmp_path: Path) -> None:
    config = tmp_path / "nm.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\n")
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "monitor.cli", "--config", str(config), "console", "--port", "0"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "newsmonitor run" in done.stderr and "REDIS_URL" in done.stderr
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").iterdir())
