"""A small news site of sample articles on 127.0.0.1: one RSS feed and a page per article.

The articles (articles.yaml, package data) are written for this project and say so. Some are
held back for a few seconds (``after``) so that news arrives while the demo runs: the console
refreshes, and a casualty toll that rises shows as an update of its story.
"""

from __future__ import annotations

import html
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True, slots=True)
class SampleArticle:
    id: str
    lang: str
    title: str
    text: str
    hours_ago: float = 0.0
    after: float = 0.0  # seconds after the site starts before the feed lists it
    fires: str | None = None  # the shipped rule it is written for (tests/test_demo.py)


def load_samples() -> list[SampleArticle]:
    text = (resources.files("monitor.demo") / "articles.yaml").read_text(encoding="utf-8")
    return [SampleArticle(**row) for row in yaml.safe_load(text)]


def page_html(a: SampleArticle) -> bytes:
    paras = "".join(f"<p>{html.escape(p)}</p>\n" for p in a.text.splitlines() if p.strip())
    return (
        f'<!doctype html><html lang="{a.lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(a.title)}</title></head><body><header><a href='/'>Sample News"
        f"</a></header><main><article><h1>{html.escape(a.title)}</h1>{paras}</article></main>"
        "<footer>Sample news for the newsmonitor demo. Invented places and numbers.</footer>"
        "</body></html>"
    ).encode()


def feed_xml(base: str, items: list[tuple[SampleArticle, datetime]]) -> bytes:
    out = []
    for a, published in sorted(items, key=lambda x: x[1], reverse=True):
        summary = a.text.splitlines()[0]
        out.append(
            f"<item><title>{html.escape(a.title)}</title><link>{base}/news/{a.id}.html</link>"
            f"<guid isPermaLink='false'>sample-{a.id}</guid>"
            f"<pubDate>{format_datetime(published)}</pubDate>"
            f"<description>{html.escape(summary)}</description></item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Sample News (newsmonitor demo)</title><link>{base}/</link>"
        f"<description>Invented sample news</description>{''.join(out)}</channel></rss>"
    ).encode()


class SampleSite:
    """Serves the samples until ``stop()``; ``url`` is the feed's address."""

    def __init__(self, samples: list[SampleArticle], host: str = "127.0.0.1") -> None:
        self.samples = {a.id: a for a in samples}
        self.host = host
        self.started = time.time()
        self.httpd: ThreadingHTTPServer | None = None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, ctype, body = site.respond(self.path.split("?", 1)[0])
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    @property
    def base(self) -> str:
        assert self.httpd is not None, "start() the site first"
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        return f"{self.base}/feed.xml"

    def listed(self, now: float) -> list[tuple[SampleArticle, datetime]]:
        """The articles the feed holds at ``now``, each with its publication time."""
        start = datetime.fromtimestamp(self.started, UTC)
        out = []
        for a in self.samples.values():
            if now - self.started < a.after:
                continue
            published = start + timedelta(seconds=a.after) - timedelta(hours=a.hours_ago)
            out.append((a, published))
        return out

    def respond(self, path: str) -> tuple[int, str, bytes]:
        if path == "/feed.xml":
            body = feed_xml(self.base, self.listed(time.time()))
            return HTTPStatus.OK, "application/rss+xml; charset=utf-8", body
        if path.startswith("/news/") and path.endswith(".html"):
            found = self.samples.get(path[len("/news/") : -len(".html")])
            if found is not None:
                return HTTPStatus.OK, "text/html; charset=utf-8", page_html(found)
        return HTTPStatus.NOT_FOUND, "text/plain", b"not found\n"

    def start(self) -> SampleSite:
        self.started = time.time()
        self.httpd = ThreadingHTTPServer((self.host, 0), self._handler())
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, name="demo-site", daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
