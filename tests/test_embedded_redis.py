from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import redis

from monitor.embedded_redis import EmbeddedRedis, pid_alive
from tests.servers import wait_for


def test_persists_with_aof_across_restarts(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path) as server:
        server.client().set("nm:test", "kept")
    assert (tmp_path / "appendonlydir").exists() or (tmp_path / "appendonly.aof").exists()
    with EmbeddedRedis(tmp_path) as server:
        assert server.client().get("nm:test") == b"kept"


def test_runs_in_its_own_process_group_and_stops(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path).start()
    assert server.process is not None
    pid = server.process.pid
    assert os.getpgid(pid) != os.getpgid(0)
    server.stop()
    assert not pid_alive(pid) or server.process.poll() is not None
    assert not server.socket_path.exists() or not server._answers()


def test_second_user_of_a_data_dir_shares_the_running_server(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path) as first:
        second = EmbeddedRedis(tmp_path).start()
        assert second.owned is False
        second.stop()  # not the owner: must not stop it
        assert first.client().ping()


def test_does_not_outlive_a_killed_parent(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from monitor.embedded_redis import EmbeddedRedis
        s = EmbeddedRedis(Path({str(tmp_path)!r})).start()
        print(s.process.pid, flush=True)
        time.sleep(60)
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=Path(__file__).parent.parent
    ) as parent:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        probe = redis.Redis(unix_socket_path=str(tmp_path / "redis.sock"))
        assert probe.ping()
        probe.close()
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    wait_for(lambda: not pid_alive(child) or _zombie(child), timeout=10)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True
    finally:
        time.sleep(0)
