"""``newsmonitor console``: the web console alone, for a machine that only reaches the Redis.

It never starts an embedded Redis: it shows a running system (or the one at REDIS_URL), and a
Redis it started could be stopped under a daemon that came later.
"""

from __future__ import annotations

import argparse
import signal
import threading
import webbrowser

from monitor.config import load_config
from monitor.console.app import console_routes
from monitor.health import start_health_server
from monitor.redisconn import open_redis


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("console", help="serve the web console against the configured Redis")
    p.add_argument("--port", type=int, help="port (default: health.port, 9464; 0: any free)")
    p.add_argument("--host", help="address to listen on (default: health.host, 127.0.0.1)")
    p.add_argument("--open", action="store_true", help="open the console in a web browser")
    p.set_defaults(func=cmd_console)


def wait_for_stop() -> None:
    """Until SIGINT or SIGTERM."""
    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    while not stop.wait(1.0):
        pass


def cmd_console(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    host = args.host or cfg.health.host
    port = cfg.health.port if args.port is None else args.port
    r, _ = open_redis(cfg, start_embedded=False)
    try:
        server = start_health_server(r, host, port, console_routes(r, cfg, host))
        print(f"newsmonitor console on {server.url}/ (Ctrl-C stops it)", flush=True)
        if args.open:
            webbrowser.open(f"{server.url}/")
        try:
            wait_for_stop()
        finally:
            server.shutdown()
    finally:
        r.close()
    return 0
