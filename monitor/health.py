"""``GET /healthz`` and ``GET /metrics`` over HTTP, served from a daemon thread; the console
(monitor/console) shares the listener.

Every request reads Redis afresh, nothing is cached: the answer is about now, and counters that
workers on other machines added are in it. A Redis that does not answer gives 503 once the
client's socket timeout passes (the daemon's client, from ``redis.Redis.from_url``, has 5 s in
redis-py 8).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

import redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from monitor.exposition import CONTENT_TYPE, render_metrics
from monitor.queuestats import count_workers, queue_stats
from monitor.webserver import WebServer

log = logging.getLogger("newsmonitor.health")

JSON_TYPE = "application/json"


def health(r: redis.Redis) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body): 200 when Redis answers, 503 naming the error when it does not."""
    try:
        r.ping()
        queues = {q.name: q.to_dict() for q in queue_stats(r)}
        workers = count_workers(r)
    except (redis.RedisError, OSError) as exc:
        return HTTPStatus.SERVICE_UNAVAILABLE, {"status": "error", "redis": str(exc) or repr(exc)}
    return HTTPStatus.OK, {"status": "ok", "redis": "ok", "workers": workers, "queues": queues}


def health_routes(r: redis.Redis) -> list[BaseRoute]:
    """``GET /healthz`` and ``GET /metrics``; their bodies and content types are fixed (scrapers
    and probes depend on them). Sync handlers: Starlette runs them in its thread pool."""

    def healthz(request: Request) -> Response:
        status, body = health(r)
        return _reply(status, JSON_TYPE, json.dumps(body).encode())

    def metrics(request: Request) -> Response:
        try:
            text = render_metrics(r)
        except (redis.RedisError, OSError) as exc:
            message = f"metrics unavailable: redis: {exc}\n".encode()
            return _reply(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain", message)
        return _reply(HTTPStatus.OK, CONTENT_TYPE, text)

    return [Route("/healthz", healthz), Route("/metrics", metrics)]


def _reply(status: int, content_type: str, body: bytes) -> Response:
    # The type as given (Starlette would add a charset to text/* types).
    return Response(body, status, headers={"Content-Type": content_type})


def _not_found(request: Request, exc: Exception) -> Response:
    return _reply(HTTPStatus.NOT_FOUND, "text/plain", b"not found: try /healthz or /metrics\n")


class HealthServer(WebServer):
    """/healthz and /metrics, plus whatever else shares the listener (the console)."""

    def __init__(
        self, r: redis.Redis, host: str, port: int, routes: Sequence[BaseRoute] = ()
    ) -> None:
        app = Starlette(routes=[*health_routes(r), *routes], exception_handlers={404: _not_found})
        super().__init__(app, host, port)
        self.redis = r


def start_health_server(
    r: redis.Redis, host: str, port: int, routes: Sequence[BaseRoute] = ()
) -> HealthServer:
    """Serve in a daemon thread; port 0 picks a free one (see ``server.url``)."""
    server = HealthServer(r, host, port, routes)
    server.start()
    log.info("health and metrics on %s/healthz and /metrics", server.url)
    return server
