"""The five seed articles of the corpus served as a news site: one RSS feed plus one page each.

The pages and the feed are generated at test time from the corpus files read in place, so the
repository holds none of their text.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from tests.servers import LocalHTTPServer, Response


def load_seeds(corpus: Path) -> list[dict[str, str]]:
    lines = (corpus / "seeds" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def page_html(seed: dict[str, str]) -> bytes:
    title = seed.get("title") or seed["text"].split("\n", 1)[0][:80]
    paras = "".join(f"<p>{html.escape(p)}</p>\n" for p in seed["text"].split("\n") if p.strip())
    doc = (
        f'<!doctype html><html lang="{seed.get("lang") or "nl"}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><header><nav><a href='/'>Home</a></nav>"
        f"</header><main><article><h1>{html.escape(title)}</h1>{paras}</article></main>"
        "<footer>Seed site</footer></body></html>"
    )
    return doc.encode("utf-8")


def feed_xml(server: LocalHTTPServer, seeds: list[dict[str, str]]) -> bytes:
    now = datetime(2025, 2, 16, 12, 0, tzinfo=UTC)
    items = []
    for i, seed in enumerate(seeds):
        title = seed.get("title") or seed["text"].split("\n", 1)[0][:80]
        link = server.url(f"/news/{seed['id']}.html")
        items.append(
            f"<item><title>{html.escape(title)}</title><link>{link}</link>"
            f"<guid isPermaLink='false'>{seed['id']}</guid>"
            f"<pubDate>{format_datetime(now - timedelta(hours=i))}</pubDate>"
            f"<description>{html.escape(seed['text'][:200])}</description></item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Seed news</title><link>{server.url('/')}</link><language>nl</language>"
        f"<description>seeds</description>{''.join(items)}</channel></rss>"
    ).encode()


def serve_seed_site(
    server: LocalHTTPServer, corpus: Path, path: str = "/feed.xml"
) -> list[dict[str, str]]:
    seeds = load_seeds(corpus)
    for seed in seeds:
        server.routes[f"/news/{seed['id']}.html"] = Response(
            page_html(seed), headers={"Content-Type": "text/html; charset=utf-8"}
        )
    server.routes[path] = Response(
        feed_xml(server, seeds), headers={"Content-Type": "application/rss+xml; charset=utf-8"}
    )
    return seeds
