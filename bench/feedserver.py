"""A local feed server for the benchmarks, run as its own process so its CPU is not counted.

/f/<i>.xml behaves by i % 10: 0-6 unchanged (answers If-None-Match with 304), 7 a new entry
on every request, 8 slow (0.5 s), 9 failing (HTTP 500). /live.xml serves the entries added
through POST /add (one link per line in the body); /page/<n> is a small article page.

usage: python bench/feedserver.py PORTFILE
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RSS = (
    "<?xml version='1.0'?><rss version='2.0'><channel><title>bench {name}</title>"
    "<link>http://127.0.0.1/</link><description>bench</description>{items}</channel></rss>"
)
ITEM = "<item><title>Item {n}</title><link>{link}</link><guid>{guid}</guid></item>"
PAGE = (
    "<html lang='nl'><body><article><h1>Bericht {n}</h1><p>Het leger meldt dat er vannacht "
    "{count} aanvallen met drones op de regio zijn uitgevoerd, meer dan in de weken ervoor."
    "</p><p>De schade wordt nog onderzocht, zegt een woordvoerder van de gouverneur.</p>"
    "</article></body></html>"
)
counter = itertools.count()
live: list[str] = []
first_served: dict[str, float] = {}  # link -> when a feed response first carried it
# Entries the live feed keeps: a burst of 500 (bench/latency.py --burst) fits in one poll.
LIVE_WINDOW = 1000
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path
        if path.startswith("/f/"):
            return self._feed(int(path[3:].split(".")[0]))
        if path == "/live.xml":
            now = time.time()
            with lock:
                recent = live[-LIVE_WINDOW:]
                for link in recent:
                    first_served.setdefault(link, now)
            items = "".join(ITEM.format(n=i, link=link, guid=link) for i, link in enumerate(recent))
            return self._send(200, RSS.format(name="live", items=items).encode(), {"Content-Type": "application/rss+xml"})
        if path == "/served":
            with lock:
                body = json.dumps(first_served).encode()
            return self._send(200, body, {"Content-Type": "application/json"})
        if path.startswith("/page/"):
            n = int(path[6:])
            return self._send(
                200, PAGE.format(n=n, count=100 + n % 400).encode(), {"Content-Type": "text/html"}
            )
        return self._send(404, b"")

    def _feed(self, i: int) -> None:
        kind = i % 10
        if kind == 9:
            return self._send(500, b"broken")
        if kind == 8:
            time.sleep(0.5)
        if kind <= 6 and self.headers.get("If-None-Match") == f'"v{i}"':
            return self._send(304, b"", {"ETag": f'"v{i}"'})
        n = 1_000_000 + next(counter) if kind == 7 else i  # new links never collide with fixed ones
        host = self.headers.get("Host")
        item = ITEM.format(n=n, link=f"http://{host}/page/{n}", guid=f"{i}-{n}")
        return self._send(
            200,
            RSS.format(name=i, items=item).encode(),
            {"ETag": f'"v{i}"', "Content-Type": "application/rss+xml"},
        )

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        with lock:
            live.extend(x for x in body.splitlines() if x)
        self._send(204, b"")

    def log_message(self, format: str, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    request_queue_size = 512  # the default 5 refuses connections under a burst of polls
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client hanging up is fine
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def main() -> None:
    server = Server(("127.0.0.1", 0), Handler)
    with open(sys.argv[1], "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
