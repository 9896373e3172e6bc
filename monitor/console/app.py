"""The console as routes for the health listener: pages, the JSON API, and their guard.

Everything that is not /healthz or /metrics goes to the console app, whose guard checks the
Host header and adds headers that keep pages from being framed, sniffed or leaking their URL
to the sites they link to.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

import redis
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monitor.config import Config
from monitor.console.api import ApiError, api_routes, reply
from monitor.console.context import Console
from monitor.console.pages import page_routes
from monitor.console.safety import host_allowed

log = logging.getLogger("newsmonitor.console")

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


class Guard:
    """ASGI middleware: refuse unknown Host names, add the security headers."""

    def __init__(self, app: ASGIApp, hosts: tuple[str, ...]) -> None:
        self.app, self.hosts = app, list(hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")
        if not host_allowed(host, self.hosts):
            text = f"host {host!r} is not served here (console.allowed_hosts)\n"
            await PlainTextResponse(text, HTTPStatus.MISDIRECTED_REQUEST)(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if _is_api(request):
        return reply(exc.body, exc.status)
    return PlainTextResponse(f"{exc}\n", exc.status)


async def _redis_error(request: Request, exc: Exception) -> Response:
    log.warning("console: redis: %s", exc)
    message = f"redis is not answering: {exc}"
    if _is_api(request):
        return reply({"error": message}, HTTPStatus.SERVICE_UNAVAILABLE)
    return PlainTextResponse(message + "\n", HTTPStatus.SERVICE_UNAVAILABLE)


async def _not_found(request: Request, exc: Exception) -> Response:
    if _is_api(request):
        return reply({"error": f"no such endpoint: {request.url.path}"}, HTTPStatus.NOT_FOUND)
    return HTMLResponse(
        "<!doctype html><title>not found</title><p>Not found. The console starts at "
        '<a href="/">/</a>; health is at /healthz and /metrics.</p>',
        HTTPStatus.NOT_FOUND,
    )


def console_app(c: Console) -> Starlette:
    return Starlette(
        routes=[*api_routes(c), *page_routes(c)],
        middleware=[Middleware(Guard, hosts=c.hosts)],
        exception_handlers={
            ApiError: _api_error,
            redis.RedisError: _redis_error,
            ConnectionError: _redis_error,
            HTTPStatus.NOT_FOUND.value: _not_found,
        },
    )


def console_routes(r: redis.Redis, cfg: Config, bind_host: str) -> list[BaseRoute]:
    """Routes to serve beside /healthz and /metrics (everything else is the console's)."""
    return [Mount("", app=console_app(Console.create(r, cfg, bind_host)))]
