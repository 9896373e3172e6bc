"""The real daemon, started as `newsmonitor run --config ../cfg/newsmonitor.yaml` from another
folder: the options after the subcommand are used, and every file it writes lands beside the
config file (embedded Redis, default outbox, an outbox with a relative path), none in the cwd.
"""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from monitor.embedded_redis import EmbeddedRedis
from tests.clirun import CLI, user_env
from tests.servers import LocalHTTPServer, Response, wait_for

PAGE = (
    b"<!doctype html><html lang='en'><head><title>Talks in Geneva</title></head><body><article>"
    b"<h1>Talks in Geneva</h1><p>Negotiators met in Geneva on Tuesday and said that talks on a "
    b"ceasefire would start next week.</p><p>Both delegations called the meeting useful and "
    b"agreed to meet again.</p></article></body></html>"
)


def feed(server: LocalHTTPServer) -> bytes:
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        f"<link>{server.url('/')}</link><description>d</description>"
        f"<item><title>Talks in Geneva</title><link>{server.url('/talks.html')}</link>"
        "<guid>talks-1</guid><pubDate>Tue, 04 Mar 2025 10:00:00 +0000</pubDate></item>"
        "</channel></rss>"
    ).encode()


def write_layout(tmp: Path, server: LocalHTTPServer) -> Path:
    cfg = tmp / "cfg"
    (cfg / "rules").mkdir(parents=True)
    (cfg / "rules" / "talks.yaml").write_text(
        "name: talks\nmatch: {text: '(?i)ceasefire'}\nnotify: [box, plain]\n"
    )
    (cfg / "newsmonitor.yaml").write_text(
        "rules: ./rules\n"
        f"feeds:\n  - {{url: '{server.url('/feed.xml')}', name: local, interval: 2s, backfill: true}}\n"
        "channels:\n  box: {type: outbox, path: out/alerts.jsonl}\n  plain: {type: outbox}\n"
        "health: {enabled: false}\n"
    )
    (tmp / "elsewhere").mkdir()
    return cfg


@pytest.mark.slow
def test_run_with_config_after_the_command_from_another_folder(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/feed.xml"] = Response(feed(http_server))
    http_server.routes["/talks.html"] = Response(PAGE, headers={"Content-Type": "text/html"})
    cfg = write_layout(tmp_path, http_server)
    elsewhere = tmp_path / "elsewhere"
    log_path = tmp_path / "daemon.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*CLI, "run", "--config", "../cfg/newsmonitor.yaml", "--workers", "1",
             "--log-format", "json"],
            cwd=elsewhere,
            env=user_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            boxed = wait_for(lambda: _lines(cfg / "out" / "alerts.jsonl"), 60)
            plain = wait_for(lambda: _lines(cfg / "data" / "outbox.jsonl"), 30)
            assert EmbeddedRedis(cfg / "data")._answers()  # Redis lives beside the config
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(60)
    output = log_path.read_text(errors="replace")
    assert code == 0, output[-3000:]
    assert [r["rule"] for r in boxed] == ["talks"] and [r["rule"] for r in plain] == ["talks"]
    assert boxed[0]["article"]["url"] == http_server.url("/talks.html")
    assert list(elsewhere.iterdir()) == []  # nothing written where the command ran
    assert any(
        str(record.get("logger", "")).startswith("newsmonitor") for record in _json_lines(output)
    ), "--log-format json after the subcommand was not applied"
    assert not EmbeddedRedis(cfg / "data")._answers()  # stopped with the daemon


def _lines(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _json_lines(text: str) -> list[dict[str, object]]:
    out = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            out.append(record)
    return out
