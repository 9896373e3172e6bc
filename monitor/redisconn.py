"""Which Redis to use: REDIS_URL / redis_url, or the embedded server in the data directory.

Two behaviours, one per kind of process:
- ``newsmonitor run`` starts the data directory's embedded server (or shares a running daemon's)
  and owns it for its lifetime;
- every other command that needs Redis (``redis_session``) uses the configured server, else the
  embedded one: shared when a daemon runs it, otherwise started for the command alone and
  stopped when it ends. Quietly: the user asked for feeds or deliveries, not for a server.
``newsmonitor worker`` is the exception: it works for a daemon, so it must reach that daemon's
Redis and never starts one of its own (``open_redis(start_embedded=False)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from monitor.config import Config
from monitor.embedded_redis import EmbeddedRedis
from monitor.errors import ConfigError
from monitor.outage import PROCESS_OUTAGE, outage_retry
from monitor.redisowner import ROLE_COMMAND, read_holder


def connect(url: str, *, forever: bool = False) -> redis.Redis:
    """A client that rides out Redis outages (monitor/outage.py): a few quick retries, or with
    ``forever`` (workers) until Redis is back. The first PING only retries a few times, so a
    wrong URL is an error at start, not a hang."""
    client = redis.Redis.from_url(
        url, health_check_interval=30, retry=outage_retry(PROCESS_OUTAGE, forever=False)
    )
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        raise ConfigError(url, f"cannot reach Redis: {exc}", retryable=True) from exc
    if forever:
        client.set_retry(outage_retry(PROCESS_OUTAGE, forever=True))
    return client


def connect_once(url: str, timeout: float = 1.0) -> redis.Redis:
    """A client that never waits out an outage: for the last steps of a stop, which must end
    within their bound whether Redis answers or not."""
    return redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )


def open_redis(
    cfg: Config, *, start_embedded: bool, temporary: bool = False
) -> tuple[redis.Redis, EmbeddedRedis | None]:
    """The configured server; else the data directory's embedded one (started if asked;
    ``temporary``: for one command, see the module docstring)."""
    if cfg.redis_url:
        return connect(cfg.redis_url), None
    embedded = EmbeddedRedis(cfg.data_dir.resolve(), temporary=temporary)
    if start_embedded:
        embedded.start()
    else:
        require_daemon_server(embedded)
    try:
        return connect(embedded.url), embedded
    except ConfigError:
        embedded.stop()
        raise


def require_daemon_server(embedded: EmbeddedRedis) -> None:
    """For processes that serve a daemon: its server must run; a command's temporary one
    will be gone in a moment."""
    holder = read_holder(embedded.data_dir)
    if not embedded.socket_path.exists() or (holder is not None and holder.role == ROLE_COMMAND):
        raise ConfigError(
            str(embedded.data_dir),
            "no REDIS_URL and no daemon's embedded Redis running in the data directory; "
            "start `newsmonitor run` first or set REDIS_URL",
        )


def as_str(value: object) -> str:
    """A Redis reply as text: the client returns bytes, and its type hints allow str too."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


@contextmanager
def redis_session(cfg: Config) -> Iterator[redis.Redis]:
    """Redis for one CLI command: the configured one, or the data directory's embedded one,
    started for the command when no daemon runs it (and stopped again afterwards)."""
    r, embedded = open_redis(cfg, start_embedded=True, temporary=True)
    try:
        yield r
    finally:
        r.close()
        if embedded is not None:
            embedded.stop()  # a no-op when a running daemon owns the server
