"""Real servers on 127.0.0.1 for the tests: HTTP (feeds and pages), webhook receiver, SMTP.

Each runs in a thread of the test process and binds an ephemeral port, so tests can run side by
side. Routes are plain data the test sets, so a test reads as "the feed now says X".
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Response:
    """What a route answers. With ``stream``, the body is what it yields, sent chunked as it
    comes (no Content-Length): a huge or endless body costs the server no memory."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    stream: Callable[[], Iterable[bytes]] | None = None


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Route = Response | Callable[[Request], Response]


class LocalHTTPServer:
    """Serves ``routes[path]``; records every request it gets. It listens on ``host``
    (127.0.0.1 unless a test has another local address to offer)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as separate writes; without this, Nagle's algorithm
            # holds every response on a reused connection for ~40 ms.
            disable_nagle_algorithm = True

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                req = Request(self.command, self.path, dict(self.headers.items()), body)
                with server._lock:
                    server.requests.append(req)
                    route = server.routes.get(self.path.split("?")[0])
                if route is None:
                    resp = Response(b"not found", 404)
                else:
                    resp = route(req) if callable(route) else route
                if resp.delay:
                    time.sleep(resp.delay)
                self.send_response(resp.status)
                for k, v in resp.headers.items():
                    self.send_header(k, v)
                if resp.stream is not None:
                    return self._stream(resp.stream())
                self.send_header("Content-Length", str(len(resp.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(resp.body)

            def _stream(self, chunks: Iterable[bytes]) -> None:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for chunk in chunks:
                    if chunk:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")

            do_GET = do_POST = do_HEAD = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                if not isinstance(sys.exc_info()[1], ConnectionError):
                    super().handle_error(request, client_address)  # a client hanging up is fine

        self.httpd = Server((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path.split("?")[0] == path]

    def start(self) -> LocalHTTPServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port() -> int:
    """A local port with nothing listening now: bind, read the number, close."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SMTPSink:
    """A real SMTP server (aiosmtpd) that keeps every message it accepts.

    Set ``refuse`` to answer that many of the next messages with "451 try again later" (a
    transient refusal, as a busy server gives); they are kept in ``refused``.

    It takes a free port chosen up front: aiosmtpd 1.4's Controller cannot start on port 0
    (start() connects to the configured port to check that the server is ready). Give
    ``port`` to bring a server back where a stopped one listened. ``received_at`` holds when
    each message of ``messages`` arrived (time.time()).
    """

    def __init__(self, port: int | None = None) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[Message] = []
        self.received_at: list[float] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refused: list[Message] = []
        self.refuse = 0
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                if sink.refuse > 0:
                    sink.refuse -= 1
                    sink.refused.append(message_from_bytes(envelope.content))
                    return "451 4.3.0 try again later"
                sink.messages.append(message_from_bytes(envelope.content))
                sink.received_at.append(time.time())
                sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port or free_port())

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def start(self) -> SMTPSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05) -> Any:
    """Poll until ``predicate()`` is truthy; the value is returned, a timeout fails the test."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
