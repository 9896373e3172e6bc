"""A feed's bytes into Entries: the fast path (lxml) when it takes the document, else feedparser.

Well-formed, plainly encoded feeds are read by the fast path (monitor/feeds/fastparse.py, lxml,
with feedparser's own meanings); every other document goes to feedparser, which copes with broken
ones. Both give the same Entries for the feeds the fast path takes (tests/test_feedfast.py
checks every corpus feed both ways).

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
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import feedparser

from monitor.errors import FeedParseError
from monitor.feeds.entries import (
    FeedItems,
    build_entry,
    detail_text,
    entry_key,
    iso_date,
    link_candidates,
    ttl_minutes,
    usable_link,
)
from monitor.feeds.fastparse import read_wellformed
from monitor.models import Entry, Feed


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    entries: tuple[Entry, ...]
    title: str | None = None  # the feed's own title, for logs
    bozo: str | None = None  # why feedparser thinks the feed is malformed, if it does
    skipped: int = 0  # entries without a usable link
    ttl_minutes: int | None = None  # RSS <ttl>: how long the publisher says to cache it



def parse_feed(body: bytes, feed: Feed, headers: dict[str, str] | None = None) -> ParsedFeed:
    """The entries of a feed document; FeedParseError names the feed URL when it yields none
    we can use and something is wrong with it (see ``_unusable``)."""
    items = read_feed(body, feed, headers)
    return ParsedFeed(
        tuple(items.complete(i) for i in range(len(items.keys))),
        items.title,
        items.bozo,
        items.skipped,
        items.ttl_minutes,
    )


def read_feed(body: bytes, feed: Feed, headers: dict[str, str] | None = None) -> FeedItems:
    """A feed document's items, by the fast path when it takes the document (well-formed,
    plainly encoded: monitor/feeds/fastparse.py), else by feedparser."""
    given = {k.lower(): v for k, v in (headers or {}).items()}
    fast = read_wellformed(body, feed, given)
    return fast if fast is not None else read_with_feedparser(body, feed, given)


def read_with_feedparser(body: bytes, feed: Feed, headers: dict[str, str]) -> FeedItems:
    parsed = _feedparse(body, feed, headers)
    bozo = _bozo_text(parsed)
    feed_lang = parsed.feed.get("language") or parsed.headers.get("content-language")
    usable = []
    for raw in parsed.entries:
        link = usable_link(link_candidates(raw), feed.url)
        if link is not None:
            updated = iso_date(dict.get(raw, "updated_parsed"))
            usable.append((raw, entry_key(feed, link, raw.get("id"), updated)))
    problem = None if usable else _unusable(parsed, bozo)
    if problem:
        raise FeedParseError(feed.url, f"not a usable feed: {problem}")

    def complete(i: int) -> Entry:
        entry = build_entry(usable[i][0], feed, feed_lang)
        assert entry is not None  # its link was usable above
        return entry

    return FeedItems(
        tuple(key for _, key in usable),
        complete,
        detail_text(parsed.feed.get("title_detail")),
        bozo,
        len(parsed.entries) - len(usable),
        ttl_minutes(parsed.feed.get("ttl")),
    )


def _feedparse(body: bytes, feed: Feed, headers: dict[str, str]) -> Any:
    given = dict(headers)
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
