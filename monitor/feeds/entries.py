"""Feed items into Entries, the same whichever parser read the feed.

Both parsers (fastparse.py for well-formed feeds, feedparser for the rest) hand over what
feedparser calls an entry's details: a value with its content type and language. What an Entry
makes of them lives here once: the link made absolute (an RSS permalink guid stands in for a
missing one), markup stripped only where it is markup, dates as ISO 8601 UTC, the first
declared language.

A poll needs an item's identity (link, guid, ``updated``) to know whether it is news; the rest
of the Entry is built only for items that are (``FeedItems.complete``).
"""

from __future__ import annotations

from calendar import timegm
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

from feedparser.datetimes import _parse_date

from monitor.errors import FetchError
from monitor.http.fetch import check_http_url
from monitor.models import Entry, Feed
from monitor.text import primary_lang, text_from_html
from monitor.urls import canonical_url

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class FeedItems:
    """A parsed feed: each usable item's identity now, its whole Entry on demand."""

    keys: tuple[Entry, ...]  # link, guid, updated and canonical URL only
    complete: Callable[[int], Entry]  # the whole Entry of keys[i]
    title: str | None = None
    bozo: str | None = None
    skipped: int = 0
    ttl_minutes: int | None = None


def ttl_minutes(value: Any) -> int | None:
    ttl = str(value or "").strip()
    return int(ttl) if ttl.isdigit() else None


@lru_cache(maxsize=8192)
def usable_link(candidates: tuple[str | None, ...], base: str) -> str | None:
    """The first candidate that makes an absolute http(s) URL (cached: a feed repeats its
    links poll after poll)."""
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


def link_candidates(raw: Any) -> tuple[str | None, ...]:
    """A feedparser entry's link, then its guid when that is a permalink."""
    if raw.get("guidislink"):
        return (raw.get("link"), raw.get("id"))
    return (raw.get("link"),)


@lru_cache(maxsize=8192)
def entry_key(feed: Feed, link: str, guid: str | None, updated: str | None) -> Entry:
    """An item's identity as an Entry (cached: a feed repeats its items poll after poll)."""
    return Entry(
        feed_name=feed.name,
        feed_url=feed.url,
        link=link,
        guid=guid or None,
        updated=updated,
        canonical_url=_canonical(link),
    )


@lru_cache(maxsize=8192)
def _canonical(link: str) -> str:
    return canonical_url(link)


def plain(value: str | None, content_type: str | None) -> str | None:
    """A title/summary/content value as plain text, stripping markup only where it is markup."""
    if not value:
        return None
    if content_type in HTML_TYPES:
        return text_from_html(value) or None
    lines = (" ".join(line.split()) for line in value.splitlines())
    return "\n".join(line for line in lines if line) or None


def detail_text(detail: Any) -> str | None:
    if not detail:
        return None
    return plain(detail.get("value"), detail.get("type"))


def joined(texts: Sequence[str | None]) -> str | None:
    return "\n\n".join(t for t in texts if t) or None


@lru_cache(maxsize=8192)
def parsed_date(value: str | None) -> str | None:
    """A feed's date string as ISO 8601 UTC, read as feedparser reads it."""
    return iso_date(_parse_date(value)) if value else None


def iso_date(parsed: Any) -> str | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(timegm(parsed), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError, OverflowError):
        return None


def entry_lang(detail_langs: Sequence[str | None], feed_lang: str | None) -> str | None:
    """The first language a detail declares, else the feed's."""
    for tag in detail_langs:
        if lang := primary_lang(tag):
            return lang
    return primary_lang(feed_lang)


def build_entry(raw: Any, feed: Feed, feed_lang: str | None) -> Entry | None:
    """One feedparser entry as an Entry, or None when it has no usable http(s) link."""
    link = usable_link(link_candidates(raw), feed.url)
    if link is None:
        return None
    details = [raw.get("title_detail"), raw.get("summary_detail"), *(raw.get("content") or ())]
    # dict.get: feedparser's own get() maps a missing updated_parsed to published_parsed and
    # warns (DeprecationWarning) while doing so.
    published = dict.get(raw, "published_parsed") or dict.get(raw, "updated_parsed")
    return entry_key(feed, link, raw.get("id"), iso_date(dict.get(raw, "updated_parsed"))).replace(
        title=detail_text(raw.get("title_detail")),
        summary=detail_text(raw.get("summary_detail")),
        content=joined([detail_text(c) for c in raw.get("content") or ()]),
        published=iso_date(published),
        lang=entry_lang([d.get("language") for d in details if d], feed_lang),
    )
