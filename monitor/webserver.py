"""One HTTP listener for an ASGI app, served by uvicorn in a daemon thread.

The daemon's main thread belongs to its worker pool and signal handling, so the server runs its
own event loop in a thread (uvicorn installs signal handlers only in the main thread). The
socket is bound here, before the thread starts, so a port in use is an error the caller sees
at once, naming the address, instead of a log line in a thread that quietly ends. Stopping is
bounded: open connections get a short grace, then the thread is left to die with the process.
"""

from __future__ import annotations

import logging
import socket
import threading
import time

import uvicorn
from starlette.types import ASGIApp

from monitor.errors import ConfigError

log = logging.getLogger("newsmonitor.http")

START_TIMEOUT = 10.0
STOP_GRACE = 2  # seconds open connections get to finish when the server stops
STOP_TIMEOUT = 5.0


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 picks a free one. ConfigError names the address."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"health {host}:{port}", f"cannot listen: {exc.strerror or exc}") from exc
    sock.set_inheritable(False)
    return sock


class WebServer:
    """``app`` on ``host:port`` until ``shutdown()``."""

    def __init__(self, app: ASGIApp, host: str, port: int) -> None:
        self.socket = bind(host, port)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        config = uvicorn.Config(
            app,
            log_config=None,  # our logging stays as set up; uvicorn's loggers propagate to it
            log_level="warning",
            access_log=False,
            lifespan="off",
            http="h11",
            loop="asyncio",
            server_header=False,
            timeout_graceful_shutdown=STOP_GRACE,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, name="http", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server_address
        return f"http://{f'[{host}]' if ':' in host else host}:{port}"

    def start(self) -> WebServer:
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self.server.started and self.thread.is_alive():
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        if not self.server.started:
            self.shutdown()
            raise ConfigError(self.url, "the HTTP server did not start")
        return self

    def shutdown(self) -> None:
        """Stop serving and release the port, waiting STOP_TIMEOUT at most."""
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(STOP_TIMEOUT)
        if self.thread.is_alive():
            log.warning("the HTTP server did not stop within %.0fs; leaving it", STOP_TIMEOUT)
        self.socket.close()
