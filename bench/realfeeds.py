"""Feeds shaped like real ones, served from their own process (its CPU is not the poller's).

/r/<i>.xml is an RSS 2.0 feed of 20 items, about 16 KB (titles, links, guids, dates, authors,
categories and an HTML description each), behaving by i % 10:

- 0-6 (70 %) unchanged: sent with ETag and Last-Modified; a request that carries either
  validator back gets 304;
- 7 (10 %) gains an entry on every request (the oldest drops off; new validators each time);
- 8 (10 %) resends the identical bytes on every request, without any validator;
- 9 (10 %) answers HTTP 500.

A request with the header X-Bench-Peek gets what any other would, except that a growing feed
does not grow for it (its body is sent whole): a baseline client measured between the cycles of
the poller under test must not change that poller's work.

GET /count answers how many feed requests were served (for the benches' sanity checks).

usage: python bench/realfeeds.py PORTFILE
"""

from __future__ import annotations

import random
import sys
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import feedserver

ITEMS = 20
PEEK = "X-Bench-Peek"
KIND_UNCHANGED, KIND_GROWING, KIND_IDENTICAL, KIND_FAILING = "unchanged", "growing", "identical", "failing"
WORDS = tuple(
    ["council", "market", "river", "station", "harbour", "minister", "budget", "weather", "school", "bridge", "report", "village", "railway", "festival", "museum", "court", "hospital", "library", "election", "farmers", "energy", "storm", "water", "traffic", "police", "tourism", "fishing", "housing", "science", "theatre", "airport", "factory", "coast", "season", "policy", "union", "league", "ferry", "island", "garden", "mayor"]
)
EPOCH = 1_700_000_000
CHANNEL = (
    "<?xml version='1.0' encoding='UTF-8'?>\n<rss version='2.0' "
    "xmlns:dc='http://purl.org/dc/elements/1.1/' xmlns:atom='http://www.w3.org/2005/Atom'>"
    "<channel><title>Bench news {i}</title><link>http://{host}/</link>"
    "<description>Regional news, feed {i}</description><language>en</language>"
    "<atom:link href='http://{host}/r/{i}.xml' rel='self' type='application/rss+xml'/>"
    "<lastBuildDate>{date}</lastBuildDate>\n{items}</channel></rss>\n"
)
ITEM = (
    "<item><title>{title}</title><link>http://{host}/news/{i}/{n}</link>"
    "<guid isPermaLink='false'>feed-{i}-item-{n}</guid><pubDate>{date}</pubDate>"
    "<dc:creator>Reporter {author}</dc:creator><category>{category}</category>"
    "<description>{description}</description></item>\n"
)


def kind_of(i: int) -> str:
    k = i % 10
    if k <= 6:
        return KIND_UNCHANGED
    return (KIND_GROWING, KIND_IDENTICAL, KIND_FAILING)[k - 7]


def _date(n: int) -> str:
    return formatdate(EPOCH + 600 * n, usegmt=True)


def item_xml(host: str, i: int, n: int) -> str:
    rnd = random.Random(i * 100_003 + n)
    title = " ".join(rnd.choice(WORDS) for _ in range(8)).capitalize()
    paragraphs = "".join(
        "&lt;p&gt;" + " ".join(rnd.choice(WORDS) for _ in range(28)).capitalize() + ".&lt;/p&gt;"
        for _ in range(2)
    )
    return ITEM.format(
        title=title,
        host=host,
        i=i,
        n=n,
        date=_date(n),
        author=rnd.randint(1, 40),
        category=rnd.choice(WORDS),
        description=paragraphs,
    )


class FeedStore:
    """The items of every feed, built once per feed (the server must not be the bottleneck)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: dict[int, deque[str]] = {}
        self.bodies: dict[int, bytes] = {}
        self.newest: dict[int, int] = {}
        self.served = 0

    def body(self, host: str, i: int, advance: bool = True) -> tuple[bytes, int]:
        """The feed's body and its version (the newest item's number); ``advance`` false: a
        growing feed does not grow for this request."""
        with self.lock:
            self.served += 1
            if i not in self.items:
                self.items[i] = deque(item_xml(host, i, n) for n in range(ITEMS, 0, -1))
                self.newest[i] = ITEMS
            if kind_of(i) == KIND_GROWING and advance:
                self.newest[i] += 1
                self.items[i].appendleft(item_xml(host, i, self.newest[i]))
                self.items[i].pop()
                self.bodies.pop(i, None)
            if i not in self.bodies:
                items = "".join(self.items[i])
                xml = CHANNEL.format(i=i, host=host, date=_date(self.newest[i]), items=items)
                self.bodies[i] = xml.encode()
            return self.bodies[i], self.newest[i]


store = FeedStore()


class Handler(feedserver.Handler):
    """bench/feedserver.py's handler (HTTP/1.1, keep-alive, quiet), serving these feeds."""

    def do_GET(self) -> None:
        if self.path == "/count":
            return self._send(200, str(store.served).encode())
        if not self.path.startswith("/r/"):
            return self._send(404, b"")
        i = int(self.path[3:].split(".")[0])
        kind = kind_of(i)
        if kind == KIND_FAILING:
            with store.lock:
                store.served += 1
            return self._send(500, b"broken")
        peek = PEEK in self.headers  # a baseline client: the same bytes, the feed does not grow
        body, version = store.body(self.headers.get("Host") or "127.0.0.1", i, advance=not peek)
        if peek and kind == KIND_GROWING:
            return self._send(200, body, {"Content-Type": "application/rss+xml"})
        if kind == KIND_IDENTICAL:
            return self._send(200, body, {"Content-Type": "application/rss+xml"})
        etag, modified = f'"v{i}-{version}"', _date(version)
        if etag == self.headers.get("If-None-Match") or modified == self.headers.get(
            "If-Modified-Since"
        ):
            return self._send(304, b"", {"ETag": etag, "Last-Modified": modified})
        headers = {"Content-Type": "application/rss+xml", "ETag": etag, "Last-Modified": modified}
        return self._send(200, body, headers)


@contextmanager
def realistic_server() -> Iterator[str]:
    """This module's server in its own process; yields its base URL."""
    from bench.common import serve_script

    with serve_script(Path(__file__)) as base:
        yield base


def main() -> None:
    server = feedserver.Server(("127.0.0.1", 0), Handler)
    with open(sys.argv[1], "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
