"""``GET /healthz`` and ``GET /metrics`` over HTTP, served from a daemon thread.

Every request reads Redis afresh, nothing is cached: the answer is about now, and counters that
workers on other machines added are in it. A Redis that does not answer gives 503 once the
client's socket timeout passes (the daemon's client, from ``redis.Redis.from_url``, has 5 s in
redis-py 8).
"""

from __future__ import annotations

import json
import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import redis

from monitor.errors import ConfigError
from monitor.exposition import CONTENT_TYPE, render_metrics
from monitor.queues import count_workers, queue_stats

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


class HealthServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, r: redis.Redis, host: str, port: int) -> None:
        super().__init__((host, port), _Handler)
        self.redis = r

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def shutdown(self) -> None:
        """Stop serving and release the port (the Redis client is the caller's)."""
        super().shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: HealthServer

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            status, body = health(self.server.redis)
            self._reply(status, JSON_TYPE, json.dumps(body).encode())
        elif path == "/metrics":
            self._metrics()
        else:
            self._reply(
                HTTPStatus.NOT_FOUND, "text/plain", b"not found: try /healthz or /metrics\n"
            )

    def _metrics(self) -> None:
        try:
            text = render_metrics(self.server.redis)
        except (redis.RedisError, OSError) as exc:
            message = f"metrics unavailable: redis: {exc}\n".encode()
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain", message)
            return
        self._reply(HTTPStatus.OK, CONTENT_TYPE, text)

    def _reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)


def start_health_server(r: redis.Redis, host: str, port: int) -> HealthServer:
    """Serve in a daemon thread; port 0 picks a free one (see ``server.url``)."""
    try:
        server = HealthServer(r, host, port)
    except OSError as exc:
        raise ConfigError(f"health {host}:{port}", f"cannot listen: {exc.strerror or exc}") from exc
    thread = threading.Thread(target=server.serve_forever, name="health-http", daemon=True)
    thread.start()
    log.info("health and metrics on %s/healthz and /metrics", server.url)
    return server
