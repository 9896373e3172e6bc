"""One Redis behaviour for every command that needs Redis (item 10), through the real CLI.

No REDIS_URL and no daemon: the command starts the data directory's embedded Redis for itself
and stops it after, saying nothing. A daemon's embedded Redis running: the command shares it and
leaves it running. ``newsmonitor worker`` never starts one. A daemon never shares a command's
temporary server, and a command never stops its server under another one sharing it.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis

from monitor.config import load_config
from monitor.embedded_redis import EmbeddedRedis
from monitor.errors import ConfigError
from monitor.redisconn import open_redis
from monitor.redisowner import OWNER_NAME, ROLE_COMMAND, ROLE_DAEMON, read_holder
from tests.clirun import CLI, run_cli, user_env

# Every command that reads or writes Redis, in an order that leaves something to read.
REDIS_COMMANDS = [
    ["feeds", "add", "https://a.example/rss", "--name", "a"],
    ["feeds"],
    ["feeds", "export"],
    ["status"],
    ["deliveries"],
    ["deliveries", "--failed"],
    ["deliveries", "retry", "--all"],
    ["backtest", "--since", "1d"],
    ["feeds", "remove", "https://a.example/rss"],
]


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "nm.yaml").write_text("data_dir: data\nrules: rules\n")
    return tmp_path / "nm.yaml"


def cli(cfg: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*argv, "--config", str(cfg))


def answers(data_dir: Path) -> bool:
    return EmbeddedRedis(data_dir)._answers()


def test_without_a_daemon_every_command_runs_quietly_on_a_temporary_redis(cfg: Path) -> None:
    data = cfg.parent / "data"
    for argv in REDIS_COMMANDS:
        done = cli(cfg, *argv)
        assert done.returncode == 0, (argv, done.stderr)
        assert done.stderr == "", (argv, done.stderr)  # quiet: nothing went wrong
        assert not answers(data), f"{argv} left its Redis running"
        assert not (data / OWNER_NAME).exists()
    listed = cli(cfg, "feeds", "add", "https://b.example/rss", "--name", "b")
    assert listed.returncode == 0
    assert "b.example" in cli(cfg, "feeds", "--json").stdout  # kept in data/ between commands


def test_with_a_daemon_running_commands_share_its_redis_and_leave_it(cfg: Path) -> None:
    data = cfg.parent / "data"
    with EmbeddedRedis(data) as daemon:
        for argv in REDIS_COMMANDS:
            done = cli(cfg, *argv)
            assert done.returncode == 0, (argv, done.stderr)
            assert done.stderr == "", (argv, done.stderr)
            assert daemon.client().ping()
        assert read_holder(data).role == ROLE_DAEMON  # type: ignore[union-attr]
        debug = cli(cfg, "status", "--log-level", "DEBUG")
        assert "embedded redis already running" in debug.stderr and "sharing it" in debug.stderr


def test_commands_at_once_share_one_server_and_lose_nothing(cfg: Path) -> None:
    """Without the data dir's lock each would start its own server on the same AOF file."""
    procs = [
        subprocess.Popen(
            [*CLI, "-c", str(cfg), "feeds", "add", f"https://f{i}.example/rss"],
            env=user_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    results = [(p.wait(60), p.stderr.read() if p.stderr else "") for p in procs]
    for p in procs:
        for stream in (p.stdout, p.stderr):
            if stream:
                stream.close()
    assert all(code == 0 for code, _ in results), results
    assert not answers(cfg.parent / "data")
    listed = cli(cfg, "feeds", "--json").stdout
    assert all(f"https://f{i}.example/rss" in listed for i in range(4)), listed


def test_a_daemon_waits_for_a_commands_temporary_redis_instead_of_sharing_it(tmp_path: Path) -> None:
    command = EmbeddedRedis(tmp_path, temporary=True).start()
    assert read_holder(tmp_path).role == ROLE_COMMAND  # type: ignore[union-attr]
    daemon = EmbeddedRedis(tmp_path)
    started = threading.Thread(target=daemon.start)
    started.start()
    try:
        time.sleep(0.6)
        assert started.is_alive() and not daemon.owned  # waiting, not sharing
        command.stop()
        started.join(20)
        assert not started.is_alive()
        assert daemon.owned and daemon.client().ping()
        assert read_holder(tmp_path).role == ROLE_DAEMON  # type: ignore[union-attr]
    finally:
        started.join(20)
        daemon.stop()


def test_a_temporary_redis_is_not_stopped_under_a_command_sharing_it(tmp_path: Path) -> None:
    first = EmbeddedRedis(tmp_path, temporary=True).start()
    second = EmbeddedRedis(tmp_path, temporary=True).start()
    assert first.owned and not second.owned
    sharer = redis.Redis.from_url(second.url)
    sharer.set("nm:test", "in use")
    stopping = threading.Thread(target=first.stop)
    stopping.start()
    try:
        time.sleep(0.5)
        assert stopping.is_alive()
        assert sharer.get("nm:test") == b"in use"  # still served
    finally:
        sharer.close()
        stopping.join(20)
    assert not stopping.is_alive() and not answers(tmp_path)


def test_a_worker_never_starts_redis_and_never_uses_a_commands_one(
    cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = cli(cfg, "worker", "--burst", "--workers", "1")
    assert done.returncode == 2
    assert "no daemon's embedded Redis running" in done.stderr and "newsmonitor run" in done.stderr
    assert not (cfg.parent / "data" / "redis.sock").exists()
    monkeypatch.delenv("REDIS_URL", raising=False)
    with (
        EmbeddedRedis(cfg.parent / "data", temporary=True),
        pytest.raises(ConfigError, match="no daemon's embedded Redis"),
    ):
        open_redis(load_config(cfg), start_embedded=False)
    with EmbeddedRedis(cfg.parent / "data"):
        conn, embedded = open_redis(load_config(cfg), start_embedded=False)
        assert conn.ping() and embedded is not None and not embedded.owned
        conn.close()


def test_a_server_whose_data_dir_was_deleted_still_stops(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path / "data").start()
    assert server.process is not None
    shutil.rmtree(tmp_path / "data")
    server.stop()
    assert server.process.poll() is not None
