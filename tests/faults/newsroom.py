"""A news site on a local HTTP server: an RSS feed, its article pages, new entries on demand.

Every article reports its own number of drone attacks (100 or more, a new number each time),
so each one alerts under the suite's rule (tests/faults/rig.py) and no two are one story by
their figures. Sentences are written for this suite.
"""

from __future__ import annotations

import itertools
import threading
from html import escape

from tests.servers import LocalHTTPServer, Response

PAGE = (
    "<html lang='en'><head><title>{title}</title></head><body><article><h1>{title}</h1>"
    "<p>{report}</p><p>Repair crews were still clearing streets near the river on Monday "
    "afternoon, and schools in the district stayed closed.</p></article></body></html>"
)
REPORT = "The regional command said {n} drone attacks were launched on the province overnight."
RSS_HEAD = (
    "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{name}</title>"
    "<link>{base}/</link><description>fault suite news</description>"
)
ITEM = "<item><title>{title}</title><link>{link}</link><guid>{link}</guid>{extra}</item>"
HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS_TYPE = {"Content-Type": "application/rss+xml; charset=utf-8"}

_numbers = itertools.count(100)  # one figure per article across the whole session


def report(n: int | None = None) -> str:
    """A sentence that alerts under the suite's rule."""
    return REPORT.format(n=next(_numbers) if n is None else n)


def rss(name: str, base: str, items: list[str]) -> bytes:
    return (
        RSS_HEAD.format(name=escape(name), base=base) + "".join(items) + "</channel></rss>"
    ).encode()


def item(title: str, link: str, summary: str | None = None) -> str:
    extra = f"<description>{escape(summary)}</description>" if summary else ""
    return ITEM.format(title=escape(title), link=escape(link), extra=extra)


class Newsroom:
    """``/<name>.xml`` lists the newest ``window`` entries, newest first; each links to its
    page under ``/<name>/``, which answers after ``page_delay`` seconds."""

    def __init__(
        self, http: LocalHTTPServer, name: str = "news", page_delay: float = 0.0, window: int = 500
    ) -> None:
        self.http, self.name, self.page_delay, self.window = http, name, page_delay, window
        self.links: list[str] = []
        self._items: list[str] = []
        self._lock = threading.Lock()
        self._serve()

    @property
    def feed_url(self) -> str:
        return self.http.url(f"/{self.name}.xml")

    def feed(self, interval: str = "1s", backfill: bool = True) -> dict[str, object]:
        return {"url": self.feed_url, "name": self.name, "interval": interval, "backfill": backfill}

    def publish(self, count: int = 1) -> list[str]:
        """``count`` new articles at once; their links."""
        new = []
        with self._lock:
            for _ in range(count):
                path = f"/{self.name}/{len(self.links) + 1}"
                title = f"Attack report {self.name} {len(self.links) + 1}"
                body = PAGE.format(title=escape(title), report=report()).encode()
                self.http.routes[path] = Response(body, headers=HTML, delay=self.page_delay)
                link = self.http.url(path)
                self.links.append(link)
                self._items.append(item(title, link))
                new.append(link)
            self._serve()
        return new

    def add_item(self, xml_item: str, link: str) -> None:
        """An entry written by the caller (a hostile title, its own page)."""
        with self._lock:
            self.links.append(link)
            self._items.append(xml_item)
            self._serve()

    def _serve(self) -> None:
        newest = self._items[::-1][: self.window]
        body = rss(self.name, self.http.base, newest)
        self.http.routes[f"/{self.name}.xml"] = Response(body, headers=RSS_TYPE)
