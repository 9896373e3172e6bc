"""The fast feed path (lxml) gives exactly feedparser's Entries, or leaves the feed to it.

Every corpus feed is served from 127.0.0.1 and fetched as the daemon fetches it, then read
both ways: where the fast path takes the document, every field of every Entry (and the feed's
title, ttl, skipped count and bozo flag) must equal feedparser's; where it does not, feedparser
reads it as before. Feeds we write ourselves pin the cases the corpus has few of.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from monitor.configsections import FetchConfig
from monitor.errors import FeedParseError
from monitor.feeds.entries import FeedItems
from monitor.feeds.fastparse import read_wellformed
from monitor.feeds.fetch import fetch_feed
from monitor.feeds.parse import parse_feed, read_with_feedparser
from monitor.http.fetch import make_client
from monitor.models import Feed
from tests.servers import LocalHTTPServer, Response
from tests.test_feeds import FEEDS, serve_corpus_feed

# The corpus feeds the fast path must take (well-formed, UTF-8, RSS 2.0 or Atom 1.0 with
# fields it knows); a change that sends more of them to feedparser shows here.
MIN_TAKEN = 29


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[LocalHTTPServer, httpx.Client]]:
    server = LocalHTTPServer().start()
    with make_client() as client:
        yield server, client
    server.stop()


def both_ways(body: bytes, feed: Feed, headers: dict[str, str]) -> tuple[FeedItems | None, object]:
    """(the fast path's reading or None, feedparser's reading or its FeedParseError)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    fast = read_wellformed(body, feed, lowered)
    try:
        slow: object = read_with_feedparser(body, feed, lowered)
    except FeedParseError as exc:
        slow = exc
    return fast, slow


def readings(items: FeedItems) -> tuple[object, ...]:
    entries = tuple(items.complete(i) for i in range(len(items.keys)))
    return (items.keys, entries, items.title, items.bozo, items.skipped, items.ttl_minutes)


def fetch(server: LocalHTTPServer, client: httpx.Client, path: str) -> tuple[Feed, bytes, dict[str, str]]:
    feed = Feed(url=server.url(path), name=path)
    got = fetch_feed(client, feed, None, None, FetchConfig())
    return feed, got.body, got.headers


def test_every_corpus_feed_reads_the_same_both_ways(
    served: tuple[LocalHTTPServer, httpx.Client], corpus: Path
) -> None:
    server, client = served
    taken = []
    for name in FEEDS:
        feed, body, headers = fetch(server, client, serve_corpus_feed(server, corpus, name))
        fast, slow = both_ways(body, feed, headers)
        if fast is None:
            continue
        assert isinstance(slow, FeedItems), f"{name}: fast path took a feed feedparser refuses"
        assert readings(fast) == readings(slow), name
        keys = [e.replace(title=None, summary=None, content=None, published=None, lang=None) for e in slow.keys]
        assert list(fast.keys) == keys, name
        taken.append(name)
    assert len(taken) >= MIN_TAKEN, f"the fast path took only {len(taken)}: {taken}"


def test_parse_feed_is_unchanged_for_every_corpus_feed(
    served: tuple[LocalHTTPServer, httpx.Client], corpus: Path
) -> None:
    """What the daemon uses (fast path first) equals what feedparser alone gave."""
    server, client = served
    for name in FEEDS:
        feed, body, headers = fetch(server, client, serve_corpus_feed(server, corpus, name))
        _, slow = both_ways(body, feed, headers)
        if isinstance(slow, FeedParseError):
            with pytest.raises(FeedParseError):
                parse_feed(body, feed, headers)
            continue
        assert isinstance(slow, FeedItems)
        parsed = parse_feed(body, feed, headers)
        expected = tuple(slow.complete(i) for i in range(len(slow.keys)))
        assert (parsed.entries, parsed.title, parsed.bozo, parsed.skipped) == (
            expected,
            slow.title,
            slow.bozo,
            slow.skipped,
        ), name


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel><title>Harbour &amp; river news</title><link>http://news.example/</link>
<language>nl-NL</language><ttl>15</ttl>
<atom:link href="http://news.example/rss" rel="self" type="application/rss+xml"/>
<item><title>Ferry &lt;b&gt;delayed&lt;/b&gt; at the lock</title><link>/a/1?x=1&amp;y=2</link>
<guid isPermaLink="false">a-1</guid><pubDate>Mon, 11 Mar 2024 10:00:00 +0100</pubDate>
<description><![CDATA[<p>The ferry waited <a href="/b">two hours</a>.</p><script>x()</script><p>Second.</p>]]></description>
<content:encoded><![CDATA[<div>Full text, with <em>markup</em>.</div>]]></content:encoded>
<dc:creator>A. Writer</dc:creator><category>river</category></item>
<item><title>Bridge open again</title><guid>http://news.example/a/2</guid>
<dc:date>2024-03-11T12:30:00Z</dc:date><description>Plain words only.</description></item>
<item><title>No link at all</title><guid isPermaLink="false">a-3</guid></item>
<item><guid>relative/4</guid><title>Caf\u00c3\u00a9 reopens</title></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en" xml:base="http://blog.example/posts/">
<title type="html">Blog &lt;i&gt;of&lt;/i&gt; record</title><id>urn:x</id>
<updated>2024-03-11T10:00:00Z</updated>
<entry><title>Storm warning</title><id>urn:uuid:1</id>
<link rel="edit" href="/edit/1"/><link href="storm"/><link rel="replies" href="storm#c"/>
<updated>2024-03-11T09:00:00Z</updated><published>2024-03-10T09:00:00+02:00</published>
<summary type="html">&lt;p&gt;Wind &amp;amp; rain&lt;/p&gt;</summary>
<content type="text">  Line one
   line two  </content><author><name>B</name></author></entry>
<entry><title>Only an id</title><id>http://blog.example/id-only</id></entry>
</feed>"""


@pytest.mark.parametrize(
    ("body", "content_type", "language"),
    [
        (RSS, "application/rss+xml", None),
        (RSS, "application/xml; charset=utf-8", "en-GB"),
        (ATOM, "application/atom+xml", None),
        (ATOM, "application/atom+xml", "de"),
    ],
)
def test_our_feeds_are_taken_and_read_as_feedparser_reads_them(
    http_server: LocalHTTPServer, body: str, content_type: str, language: str | None
) -> None:
    headers = {"Content-Type": content_type} | ({"Content-Language": language} if language else {})
    http_server.routes["/f"] = Response(body.encode(), headers=headers)
    with make_client() as client:
        feed, raw, got = fetch(http_server, client, "/f")
    fast, slow = both_ways(raw, feed, got)
    assert fast is not None and isinstance(slow, FeedItems)
    assert readings(fast) == readings(slow)
    assert len(fast.keys) >= 2


def test_what_the_fast_path_leaves_to_feedparser() -> None:
    feed = Feed(url="http://news.example/rss", name="n")
    declined = {
        "latin-1": RSS.replace('encoding="utf-8"', 'encoding="iso-8859-1"').encode("latin-1"),
        "not well-formed": RSS.replace("</channel>", "").encode(),
        "a doctype": RSS.replace("<rss", '<!DOCTYPE rss SYSTEM "x.dtd">\n<rss', 1).encode(),
        "xml:lang below the root": RSS.replace("<item>", '<item xml:lang="fr">', 1).encode(),
        "a repeated title": RSS.replace("<title>Bridge", "<title>x</title><title>Bridge").encode(),
        "markup in a title": RSS.replace("<title>Bridge open again", "<title><b>x</b>").encode(),
        "an itunes summary": RSS.replace(
            "<dc:creator>", '<i:summary xmlns:i="http://www.itunes.com/DTDs/PodCast-1.0.dtd">s</i:summary><dc:creator>'
        ).encode(),
        "RDF": b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><item><title>t</title><link>http://x.example/</link></item></rdf:RDF>',
    }
    for why, body in declined.items():
        assert read_wellformed(body, feed, {"content-type": "application/xml"}) is None, why
    body = RSS.encode()
    assert read_wellformed(body, feed, {"content-type": "text/xml"}) is None  # RFC 3023 rules
    assert read_wellformed(body, feed, {"content-type": "application/xml"}) is not None
