"""Feeds over HTTP: one conditional GET (httpx) with the stored validators.

The bytes are read elsewhere (monitor/feeds/parse.py); here only the response is taken: a 304
keeps the validators, anything else is capped, and the headers that parsing and pacing need are
kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from monitor.configsections import FetchConfig
from monitor.http.fetch import (
    check_http_url,
    drain_small,
    open_stream,
    raise_for_status,
    read_capped,
    total_deadline,
)
from monitor.http.inflate import ACCEPT_ENCODING
from monitor.models import Feed

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
# The response headers feedparser uses (charset, base URL, default language), and the ones
# that pace the next poll.
PARSE_HEADERS = ("content-type", "content-location", "content-language")
PACING_HEADERS = ("cache-control", "expires")


@dataclass(frozen=True, slots=True)
class FeedFetch:
    """One feed response. On 304 the body is empty and the validators are the ones we sent,
    unless the server gave new ones, so the caller can store them either way."""

    url: str
    status: int  # 200 or 304
    body: bytes
    etag: str | None
    last_modified: str | None
    headers: dict[str, str]


def _conditional_headers(
    cfg: FetchConfig, etag: str | None, modified: str | None
) -> dict[str, str]:
    headers = {
        "User-Agent": cfg.user_agent,
        "Accept": FEED_ACCEPT,
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    return headers


def fetch_feed(
    client: httpx.Client,
    feed: Feed,
    etag: str | None,
    last_modified: str | None,
    cfg: FetchConfig,
) -> FeedFetch:
    """GET the feed, sending the stored validators; FetchError names the feed URL.

    Feed URLs come from the operator's config, so hops are not run past the private-address
    guard; timeouts, the total deadline, the size cap and the redirect cap apply as for pages.
    """
    headers = _conditional_headers(cfg, etag, last_modified)
    with (
        total_deadline(feed.url, cfg),
        open_stream(client, feed.url, cfg, headers, check_http_url) as resp,
    ):
        got = resp.headers
        new_etag, new_modified = got.get("etag"), got.get("last-modified")
        needed = {k: got[k] for k in (*PARSE_HEADERS, *PACING_HEADERS) if k in got}
        if resp.status_code == 304:
            resp.read()  # nothing to read, but now the connection goes back to the pool
            return FeedFetch(
                str(resp.url), 304, b"", new_etag or etag, new_modified or last_modified, needed
            )
        if resp.status_code >= 300:
            drain_small(resp)
        raise_for_status(feed.url, resp.status_code, got.get("retry-after"))
        body = read_capped(resp, feed.url, cfg.max_bytes)
    return FeedFetch(str(resp.url), 200, body, new_etag, new_modified, needed)
