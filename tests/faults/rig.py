"""A newsmonitor run seen from outside: its folder, its config, its processes and its log.

The fault suite drives the real command as a user does (the installed ``newsmonitor`` script,
in a session of its own, as a terminal would start it) and watches it only through what an
operator has: /proc for its processes and their memory, its JSON log, its HTTP endpoints and
the command line. Nothing here imports the daemon's modules, so the suite outlives a change of
the package layout.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from tests.clirun import CLI, ROOT, user_env
from tests.procs import alive, kill_all
from tests.servers import wait_for

# The console script pip installed beside this interpreter; the module form when there is none.
_SCRIPT = Path(sys.executable).with_name("newsmonitor")
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else CLI

RULE_NAME = "attacks"


def write_config(folder: Path, notify: list[str], **settings: Any) -> Path:
    """``folder/nm.yaml`` with ``settings`` (feeds, channels, delivery, ...) and one rule that
    alerts every article reporting 100 or more attacks to ``notify``."""
    rules = folder / "rules"
    rules.mkdir(parents=True, exist_ok=True)
    rule = {
        "name": RULE_NAME,
        "match": {"event": "attack", "count": ">= 100"},
        "once_per": "article",
        "notify": notify,
    }
    (rules / f"{RULE_NAME}.yaml").write_text(yaml.safe_dump(rule))
    config = {"data_dir": str(folder / "data"), "rules": str(rules), **settings}
    path = folder / "nm.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def cli(cfg: Path, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """A one-shot command (``deliveries retry --all``, ...) against the run's config."""
    return subprocess.run(
        [*COMMAND, "--config", str(cfg), *argv],
        cwd=ROOT,
        env=user_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _proc_text(pid: int, name: str) -> str:
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def children(pid: int) -> list[int]:
    """Live direct children of ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc_text(int(entry.name), "stat")
            fields = stat.rsplit(")", 1)[-1].split()
            if len(fields) > 1 and fields[1] == str(pid) and alive(int(entry.name)):
                found.append(int(entry.name))
    return found


def rss_mb(pid: int) -> float:
    for line in _proc_text(pid, "status").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Daemon:
    """One ``newsmonitor run`` whose log (JSON lines) goes to ``log``."""

    def __init__(self, cfg: Path, log: Path, workers: int = 4, redis_url: str | None = None):
        self.cfg, self.log, self.workers_wanted = cfg, log, workers
        self.env = {**user_env(), **({"REDIS_URL": redis_url} if redis_url else {})}
        self.process: subprocess.Popen[bytes] | None = None
        self._read = 0  # lines of the log already parsed
        self._lines: list[dict[str, Any]] = []

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def start(self) -> Daemon:
        argv = [*COMMAND, "--log-format", "json", "--config", str(self.cfg), "run"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [*argv, "--workers", str(self.workers_wanted)],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def workers(self) -> list[int]:
        """The daemon's worker processes: its children, less the redis-server it may own."""
        if self.process is None or not alive(self.pid):
            return []
        return [p for p in children(self.pid) if "redis-server" not in _proc_text(p, "cmdline")]

    def wait_ready(self, timeout: float = 90) -> None:
        """Running, with every worker started."""
        wait_for(lambda: self.said("newsmonitor running"), timeout)
        wait_for(lambda: len(self.workers()) == self.workers_wanted, timeout)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill9(self) -> float:
        """SIGKILL to the daemon's process group (what the OOM killer or `kill -9 -PGID` does);
        when it happened."""
        at = time.time()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        assert self.process is not None
        self.process.wait(10)
        return at

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, as a service manager stops it; its exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired as exc:
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait()
            raise AssertionError(f"daemon still running {timeout}s after SIGTERM") from exc

    def lines(self) -> list[dict[str, Any]]:
        """Every log line so far, parsed (a line that is not JSON is kept as its text)."""
        with self.log.open("rb") as f:
            raw = f.read().splitlines()
        for line in raw[self._read :]:
            text = line.decode(errors="replace")
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = {"level": "raw", "msg": text}
            self._lines.append(parsed if isinstance(parsed, dict) else {"msg": text})
        self._read = len(raw)
        return self._lines

    def said(self, *words: str) -> list[str]:
        """The log messages that hold every one of ``words``."""
        return [
            m for line in self.lines() if all(w in (m := str(line.get("msg", ""))) for w in words)
        ]

    def names(self, url: str, reason: str) -> list[str]:
        """The log messages that name ``url`` and give ``reason`` (outside the URL itself)."""
        return [m for m in self.said(url) if reason in m.replace(url, "")]

    def tracebacks(self) -> list[str]:
        """Lines that carry a traceback, or are one (text outside the JSON format)."""
        return [
            str(line.get("msg"))
            for line in self.lines()
            if line.get("exc") or "Traceback" in str(line.get("msg"))
        ]


class MemoryWatch:
    """Samples the RSS of the daemon plus its workers (every ``every`` seconds, in a thread)
    while the block runs; ``peak`` and ``first`` are totals in MB."""

    def __init__(self, daemon: Daemon, every: float = 0.2) -> None:
        self.daemon, self.every = daemon, every
        self.first = self.peak = 0.0
        self.peak_process = 0.0
        self._stop = threading.Event()

    def sample(self) -> float:
        pids = [self.daemon.pid, *self.daemon.workers()]
        each = [rss_mb(p) for p in pids]
        total = sum(each)
        self.first = self.first or total
        self.peak = max(self.peak, total)
        self.peak_process = max(self.peak_process, *each)
        return total

    @contextlib.contextmanager
    def watching(self) -> Iterator[MemoryWatch]:
        self.sample()
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()


def cleanup(folder: Path, *daemons: Daemon) -> None:
    """Nothing of the run outlives the test: every process that names its folder."""
    for daemon in daemons:
        if daemon.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(daemon.pid, signal.SIGKILL)
    kill_all(str(folder), *(d.process for d in daemons if d.process is not None))
