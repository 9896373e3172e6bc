"""Running the demo: a throw-away data folder, the sample site, the daemon, the console.

Everything lives in a temporary folder removed at the end, with its own embedded Redis:
REDIS_URL is ignored, so the demo never writes into a Redis that holds real data. The shipped
rules are copied there, so trying the rule editor in the demo changes no file of the project.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import socket
import sys
import tempfile
import threading
import time
import webbrowser
from pathlib import Path

import httpx

from monitor.config import load_config
from monitor.daemon import RunOptions, run_daemon
from monitor.demo.site import SampleSite, load_samples
from monitor.errors import ConfigError
from monitor.rules.load import rule_files

log = logging.getLogger("newsmonitor.demo")
HOST = "127.0.0.1"
POLL_EVERY = "10s"
READY_TIMEOUT = 60.0


def shipped_rules() -> Path:
    """The project's rules folder: ./rules, else the one beside the installed package."""
    for folder in (Path.cwd() / "rules", Path(__file__).resolve().parents[2] / "rules"):
        if folder.is_dir() and rule_files(folder):
            return folder
    raise ConfigError("rules", "the shipped rules folder was not found; run from the project")


def pick_port(wanted: int) -> int:
    """``wanted`` when it is free (a daemon may hold it already), else any free port."""
    for port in (wanted, 0):
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise ConfigError(f"{HOST}", "no free port")


def demo_config(site_url: str, folder: Path, port: int, token: str, workers: int) -> str:
    """The demo's newsmonitor.yaml (JSON is YAML): backfill, so the sample items alert."""
    data = {
        "data_dir": str(folder / "data"),
        "rules": str(folder / "rules"),
        "workers": workers,
        "feeds": [
            {"url": site_url, "name": "sample-news", "interval": POLL_EVERY, "backfill": True}
        ],
        "channels": {"console": {"type": "console"}, "outbox": {"type": "outbox"}},
        "health": {"host": HOST, "port": port},
        "console": {"token": token},
    }
    return json.dumps(data, indent=2)


def has_display() -> bool:
    """A graphical session to open a browser in (elsewhere Python would start a text browser
    inside this terminal)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def announce_when_ready(url: str, open_browser: bool) -> threading.Thread:
    def wait() -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            return
        print(f"\n  console ready: {url}\n", flush=True)
        if open_browser:
            webbrowser.open(url)

    thread = threading.Thread(target=wait, name="demo-announce", daemon=True)
    thread.start()
    return thread


def run_demo(port: int, open_browser: bool, workers: int) -> int:
    os.environ.pop("REDIS_URL", None)  # never the user's Redis
    site = SampleSite(load_samples()).start()
    try:
        with tempfile.TemporaryDirectory(prefix="newsmonitor-demo-") as tmp:
            folder = Path(tmp)
            shutil.copytree(shipped_rules(), folder / "rules")
            token = secrets.token_urlsafe(12)
            port = pick_port(port)
            path = folder / "newsmonitor.yaml"
            path.write_text(demo_config(site.url, folder, port, token, workers), encoding="utf-8")
            url = f"http://{HOST}:{port}/"
            print(
                f"newsmonitor demo: sample news (invented) at {site.url}, polled every "
                f"{POLL_EVERY} with the shipped rules.\n"
                f"  console: {url}  (alerts appear within about half a minute;\n"
                f"  more sample news arrives in the first minute)\n"
                f"  token for saving rules in the console: {token}\n"
                f"  data and a copy of the rules in {folder}, removed when the demo stops.\n"
                "  Ctrl-C stops it.\n",
                flush=True,
            )
            announce_when_ready(url, open_browser and has_display())
            return run_daemon(load_config(path), RunOptions(workers, config_path=str(path)))
    finally:
        site.stop()
