"""A well-formed feed's raw values into Entries, by feedparser's rules (fastparse.py reads the
XML into RawFeed and RawItem; this module gives their values meaning).

An item's identity (its link, guid and ``updated``) is worked out for every item, since a
poll needs it to know what is new; its texts, dates and language only when it is completed.
The link follows feedparser: a permalink guid stands in until a <link> says otherwise, and
stays a second choice unless a <link> came before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from monitor.feeds.entries import (
    FeedItems,
    entry_key,
    entry_lang,
    joined,
    parsed_date,
    plain,
    usable_link,
)
from monitor.feeds.values import finish, finish_content, urljoin
from monitor.models import Entry, Feed


@dataclass
class RawFeed:
    """What the document's root says for every value below it."""

    feed: Feed
    atom: bool
    base: str
    lang: str | None  # the language every detail inherits (feedparser's ``self.lang``)
    feed_lang: str | None
    header_lang: str | None
    title: str | None = None
    ttl: int | None = None
    items: list[RawItem] = field(default_factory=list)


@dataclass
class RawItem:
    """One item's raw values: (text, content type) before feedparser's steps."""

    link: str | None = None
    link_first: bool = False  # a link came before the guid (then the guid is no permalink)
    guid: str | None = None
    guid_permalink: bool = False
    title: tuple[str, str] | None = None
    summary: tuple[str, str] | None = None
    content: tuple[str, str] | None = None
    published: str | None = None
    updated: str | None = None


def _finish_content(doc: RawFeed, element: str, raw: str, ctype: str) -> tuple[str, str]:
    return finish_content(element, raw, ctype, doc.base, doc.atom)


def feed_items(doc: RawFeed) -> FeedItems:
    """The raw feed's items: each one's identity now, its whole Entry on demand."""
    keyed: list[tuple[RawItem, Entry]] = []
    for item in doc.items:
        guid = _guid(doc, item)
        permalink = item.guid_permalink and not item.link_first
        candidates: tuple[str | None, ...] = (item.link, guid) if permalink else (item.link,)
        link = usable_link(candidates, doc.feed.url)
        if link is not None:
            keyed.append((item, entry_key(doc.feed, link, guid, _date(item.updated))))
    return FeedItems(
        tuple(key for _, key in keyed),
        _completer(doc, keyed),
        doc.title,
        None,
        len(doc.items) - len(keyed),
        doc.ttl,
    )


def _date(raw: str | None) -> str | None:
    return parsed_date(finish("date", raw.strip())) if raw else None


def _guid(doc: RawFeed, item: RawItem) -> str | None:
    if item.guid is None:
        return None
    text = item.guid.strip()
    if text and item.guid_permalink:
        text = urljoin(doc.base, text)
    return finish("id", text)


def _completer(doc: RawFeed, keyed: list[tuple[RawItem, Entry]]) -> Callable[[int], Entry]:
    def complete(i: int) -> Entry:
        item, key = keyed[i]
        texts = []
        fields = (("title", item.title), ("summary", item.summary), ("content", item.content))
        for element, raw in fields:
            texts.append(plain(*_finish_content(doc, element, *raw)) if raw else None)
        details = [doc.lang for raw in (item.title, item.summary, item.content) if raw]
        return key.replace(
            title=texts[0],
            summary=texts[1],
            content=joined([texts[2]]),
            published=_date(item.published) or _date(item.updated),
            lang=entry_lang(details, doc.feed_lang or doc.header_lang),
        )

    return complete
