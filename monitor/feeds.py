"""Feeds over HTTP (httpx, conditional GET) and their bytes into Entries (feedparser).

feedparser never sees a URL: its own fetching has no timeout, and even handed ``bytes`` it
first tries ``open()`` on them as a file name, so a feed body that reads like a local path
would be read from disk. It gets an in-memory stream plus the response headers it needs (the
HTTP charset, and Content-Location as the base for relative links).

Real feeds are often slightly broken: a feed feedparser flags as malformed (bozo) but that
still yields entries is used and the flag reported. A feed that yields no usable entry is an
error when it is malformed or no feed at all; a well-formed one is a quiet, healthy feed.
"""

from __future__ import annotations

import io
from calendar import timegm
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
import httpx

from monitor.config import FetchConfig
from monitor.errors import FeedParseError, FetchError
from monitor.models import Entry, Feed
from monitor.urls import canonical_url
from workers.extract import primary_lang, text_from_html
from workers.fetch import (
    check_http_url,
    open_stream,
    raise_for_status,
    read_capped,
    total_deadline,
)
from workers.inflate import ACCEPT_ENCODING

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
# The response headers feedparser uses (charset, base URL, default language), and the ones
# that pace the next poll.
PARSE_HEADERS = ("content-type", "content-location", "content-language")
PACING_HEADERS = ("cache-control", "expires")
HTML_TYPES = ("text/html", "application/xhtml+xml")


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


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    entries: tuple[Entry, ...]
    title: str | None = None  # the feed's own title, for logs
    bozo: str | None = None  # why feedparser thinks the feed is malformed, if it does
    skipped: int = 0  # entries without a usable link
    ttl_minutes: int | None = None  # RSS <ttl>: how long the publisher says to cache it


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
            return FeedFetch(
                str(resp.url), 304, b"", new_etag or etag, new_modified or last_modified, needed
            )
        raise_for_status(feed.url, resp.status_code, got.get("retry-after"))
        body = read_capped(resp, feed.url, cfg.max_bytes)
    return FeedFetch(str(resp.url), 200, body, new_etag, new_modified, needed)


def parse_feed(body: bytes, feed: Feed, headers: dict[str, str] | None = None) -> ParsedFeed:
    """The entries of a feed document; FeedParseError names the feed URL when it yields none
    we can use and something is wrong with it (see ``_unusable``)."""
    parsed = _feedparse(body, feed, headers)
    bozo = _bozo_text(parsed)
    feed_lang = parsed.feed.get("language") or parsed.headers.get("content-language")
    entries = []
    for raw in parsed.entries:
        entry = build_entry(raw, feed, feed_lang)
        if entry is not None:
            entries.append(entry)
    problem = None if entries else _unusable(parsed, bozo)
    if problem:
        raise FeedParseError(feed.url, f"not a usable feed: {problem}")
    title = _plain(parsed.feed.get("title_detail"))
    ttl = str(parsed.feed.get("ttl") or "").strip()
    return ParsedFeed(
        tuple(entries),
        title,
        bozo,
        len(parsed.entries) - len(entries),
        int(ttl) if ttl.isdigit() else None,
    )


def _feedparse(body: bytes, feed: Feed, headers: dict[str, str] | None) -> Any:
    given = {k.lower(): v for k, v in (headers or {}).items()}
    given["content-location"] = urljoin(feed.url, given.get("content-location", ""))
    # Headers without a type make feedparser assume ISO-8859-1 and flag the feed; what it
    # does for bare bytes (XML declaration, else UTF-8) is what application/xml means.
    given.setdefault("content-type", "application/xml")
    try:
        return feedparser.parse(io.BytesIO(body), response_headers=given)
    except Exception as exc:  # untrusted bytes in a third-party parser: never stop the poller
        raise FeedParseError(feed.url, f"feedparser failed: {type(exc).__name__}: {exc}") from exc


def _unusable(parsed: Any, bozo: str | None) -> str | None:
    """Why a feed that yielded no usable entry is broken, or None when it is well-formed and
    simply has none. A document that decoded into nonsense (a UTF-16 body read as UTF-8, bytes
    in the wrong charset) can still give feedparser a stray item without a link: it must show
    as failing, not as a quiet feed."""
    if not parsed.get("version"):
        return f"no RSS, Atom or RDF root{f' ({bozo})' if bozo else ''}"
    if bozo:
        items = len(parsed.entries)
        return f"{bozo}{f' ({items} entries, none with a usable link)' if items else ''}"
    return None


def _bozo_text(parsed: Any) -> str | None:
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}" if exc is not None else "malformed"


def build_entry(raw: Any, feed: Feed, feed_lang: str | None) -> Entry | None:
    """One feedparser entry as an Entry, or None when it has no usable http(s) link."""
    link = _link(raw, feed.url)
    if link is None:
        return None
    return Entry(
        feed_name=feed.name,
        feed_url=feed.url,
        link=link,
        guid=raw.get("id") or None,
        title=_plain(raw.get("title_detail")),
        summary=_plain(raw.get("summary_detail")),
        content=_content(raw),
        published=_published(raw),
        updated=_updated(raw),
        lang=_lang(raw, feed_lang),
        canonical_url=canonical_url(link),
    )


def _link(raw: Any, base: str) -> str | None:
    """The entry's link made absolute; an RSS guid stands in when it is a permalink URL."""
    candidates = [raw.get("link")]
    if raw.get("guidislink"):
        candidates.append(raw.get("id"))
    for value in candidates:
        if not value:
            continue
        link = urljoin(base, value.strip())
        try:
            check_http_url(link)
            canonical_url(link)
        except (FetchError, ValueError):
            continue
        return link
    return None


def _plain(detail: Any) -> str | None:
    """A title/summary/content value as plain text, stripping markup only where it is markup."""
    if not detail or not detail.get("value"):
        return None
    value = detail["value"]
    if detail.get("type") in HTML_TYPES:
        return text_from_html(value) or None
    lines = (" ".join(line.split()) for line in value.splitlines())
    return "\n".join(line for line in lines if line) or None


def _content(raw: Any) -> str | None:
    texts = [_plain(c) for c in raw.get("content") or ()]
    return "\n\n".join(t for t in texts if t) or None


def _iso(parsed: Any) -> str | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(timegm(parsed), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError, OverflowError):
        return None


def _published(raw: Any) -> str | None:
    # dict.get: feedparser's own get() maps a missing updated_parsed to published_parsed and
    # warns (DeprecationWarning) while doing so.
    return _iso(dict.get(raw, "published_parsed") or dict.get(raw, "updated_parsed"))


def _updated(raw: Any) -> str | None:
    """Only a real ``updated`` (feedparser's get() would fall back to ``published``)."""
    return _iso(dict.get(raw, "updated_parsed"))


def _lang(raw: Any, feed_lang: str | None) -> str | None:
    details = [raw.get("title_detail"), raw.get("summary_detail"), *(raw.get("content") or ())]
    for detail in details:
        if detail and (lang := primary_lang(detail.get("language"))):
            return lang
    return primary_lang(feed_lang)
