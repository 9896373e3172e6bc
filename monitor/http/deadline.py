"""One total deadline per fetch: every socket call of the fetch ends by it, however slow the peer.

httpx's timeouts are per operation: a read timeout starts again with every read, so a server that
sends one byte each second never trips it, and a fetch of several redirect hops may take several
connect and read timeouts end to end. A deadline here is a point in time, set around one fetch
(``deadline(seconds)``); the network backend below clamps the timeout of every connect, TLS
handshake, write and read to the time left, and refuses the call once none is left. A stalled
read therefore ends at the deadline, not at the deadline plus a read timeout.

The deadline lives in a context variable, so one client (one connection pool per worker) serves
fetches with their own deadlines, each in its own thread. Outside a ``deadline`` block the
backend behaves exactly as httpcore's own.

Not covered: name resolution. ``getaddrinfo`` has no timeout parameter; the resolver's own
(a few seconds per server in resolv.conf) bounds it.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

_DEADLINE: ContextVar[float | None] = ContextVar("newsmonitor_fetch_deadline", default=None)

SocketOptions = Iterable[Any]


@contextmanager
def deadline(seconds: float) -> Iterator[float]:
    """Bound every socket call inside the block to end within ``seconds`` from now; yields the
    deadline as a ``time.monotonic()`` value."""
    at = time.monotonic() + seconds
    token = _DEADLINE.set(at)
    try:
        yield at
    finally:
        _DEADLINE.reset(token)


def time_left() -> float | None:
    """Seconds until the current deadline (never below 0); None outside a ``deadline`` block."""
    at = _DEADLINE.get()
    return None if at is None else max(0.0, at - time.monotonic())


def _clamp(timeout: float | None, expired: type[Exception]) -> float | None:
    left = time_left()
    if left is None:
        return timeout
    if left <= 0:
        raise expired("the total time limit of the fetch is spent")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """httpcore's socket stream with every timeout clamped to the current deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _clamp(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend, handing out DeadlineStreams."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: SocketOptions | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _clamp(timeout, httpcore.ConnectTimeout)
        inner = self._inner.connect_tcp(host, port, bounded, local_address, socket_options)
        return DeadlineStream(inner)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: SocketOptions | None = None
    ) -> httpcore.NetworkStream:
        bounded = _clamp(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._inner.connect_unix_socket(path, bounded, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's default transport over a connection pool that uses the DeadlineBackend.

    httpx takes no network backend as an argument, so the pool it built is replaced by an
    equal one (httpx's default limits and TLS context) that does.
    """

    def __init__(self, limits: httpx.Limits | None = None) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        super().__init__(limits=limits)
        if not isinstance(getattr(self, "_pool", None), httpcore.ConnectionPool):
            raise RuntimeError("httpx.HTTPTransport no longer keeps its pool in _pool")
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=DeadlineBackend(),
        )
