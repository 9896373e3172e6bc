"""Feeds end to end over a real 127.0.0.1 server: every corpus feed, conditional GET, failures.

Each of the 92 corpus feeds is served and polled the way the daemon does it (fetch_feed, then
parse_feed on the bytes and headers): it yields entries or a FeedParseError naming its URL,
never anything else. feedparser's ``http_*`` test files say in their leading comment which
HTTP headers they are meant to be served with; they are served with exactly those.
"""

from __future__ import annotations

import contextlib
import gzip
import re
import socket
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from monitor.configsections import FetchConfig
from monitor.errors import FeedParseError, FetchError
from monitor.feeds.fetch import fetch_feed
from monitor.feeds.parse import ParsedFeed, parse_feed
from monitor.models import Feed
from tests.conftest import corpus_dir
from tests.servers import LocalHTTPServer, Request, Response

FEEDS = sorted(
    p.relative_to(corpus_dir() / "feeds").as_posix() for p in corpus_dir().glob("feeds/*/*")
)
# Malformed (bozo) but with entries: real feeds are like this, and they must be used.
BOZO_BUT_USABLE = {
    "feedjira/InvalidDateFormat.xml": 2,
    "feedjira/TechCrunch.xml": 20,
    "feedjira/TypePadNews.xml": 10,
    "feedparser/illformed__rss_item_link_corrupted_ampersands.xml": 1,
    "rss-parser/uolNoticias.rss": 15,
}
# Nothing usable: these must fail with a FeedParseError, not silently look empty.
NOT_FEEDS = {
    "feed-rs/rss_2.0_invalid_1.xml",  # Reuters, cut off by a server error before any item
    "feedparser/illformed__aaa_illformed.xml",
    "feedparser/illformed__rss_empty_document.xml",
    "feedparser/illformed__undeclared_namespace.xml",
    "feedparser/encoding__bozo_invalid-bytes-with-bom.xml",
    # Served as text/xml (so US-ASCII) with Greek bytes, and a channel without items: bozo and
    # no entries is an error by rule, even when the problem is only the charset.
    "feedparser/illformed__http_high_bit_date.xml",
    "gofeed/empty_feed.xml",
    "gofeed/unknown_feed.xml",
    "rss-parser/unrecognized.rss",
    # An <rdf> root without the RDF namespace: items, but no feed around them.
    "feed-rs/xml_iso8859.xml",
    # Bytes in another charset than declared (bozo) and one item without a link: nothing usable
    # came out of them, so they fail instead of passing as empty feeds (issue 8, item 15).
    "feedparser/encoding__bozo_encoding_mismatch_crash.xml",
    "feedparser/encoding__bozo_linenoise.xml",
    "feedparser/illformed__chardet__koi8r.xml",
    "feedparser/illformed__chardet__shiftjis.xml",
    "feedparser/illformed__chardet__windows1255.xml",
    "feedparser/illformed__rss_incomplete_cdata.xml",
}
_HEADER_RE = re.compile(rb"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)


def served_headers(body: bytes) -> dict[str, str]:
    """The HTTP headers a feedparser http_* test file asks for in its leading comment."""
    head = body[: body.find(b"-->")] if b"-->" in body else b""
    return {k.decode(): v.decode() for k, v in _HEADER_RE.findall(head)}


@pytest.fixture(scope="module")
def corpus_server() -> Iterator[LocalHTTPServer]:
    """One server for the 92 corpus feeds: a fresh one per feed costs half a second to stop."""
    server = LocalHTTPServer().start()
    yield server
    server.stop()


def poll(
    server: LocalHTTPServer, client: httpx.Client, path: str, cfg: FetchConfig | None = None
) -> ParsedFeed:
    feed = Feed(url=server.url(path), name=path)
    fetched = fetch_feed(client, feed, None, None, cfg or FetchConfig())
    return parse_feed(fetched.body, feed, fetched.headers)


def serve_corpus_feed(server: LocalHTTPServer, corpus: Path, name: str) -> str:
    body = (corpus / "feeds" / name).read_bytes()
    path = "/" + name
    server.routes[path] = Response(body, headers=served_headers(body))
    return path


@pytest.mark.parametrize("name", FEEDS)
def test_every_corpus_feed_yields_entries_or_a_clear_error(
    corpus_server: LocalHTTPServer, client: httpx.Client, corpus: Path, name: str
) -> None:
    http_server = corpus_server
    path = serve_corpus_feed(http_server, corpus, name)
    try:
        parsed = poll(http_server, client, path)
    except FeedParseError as exc:
        assert exc.subject == http_server.url(path)
        assert name in NOT_FEEDS, f"{name} unexpectedly unusable: {exc}"
        return
    assert name not in NOT_FEEDS, f"{name} should not parse as a feed"
    for entry in parsed.entries:
        assert entry.link.startswith(("http://", "https://"))
        assert entry.canonical_url and entry.feed_url == http_server.url(path)
        assert entry.published is None or re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry.published
        )
        assert entry.lang is None or re.fullmatch(r"[a-z]{2}", entry.lang)
    if name in BOZO_BUT_USABLE:
        assert parsed.bozo and len(parsed.entries) == BOZO_BUT_USABLE[name]


def test_the_corpus_is_mostly_usable(
    corpus_server: LocalHTTPServer, client: httpx.Client, corpus: Path
) -> None:
    """A guard against a change that quietly turns good feeds into errors or empty lists."""
    usable = 0
    for name in FEEDS:
        path = serve_corpus_feed(corpus_server, corpus, name)
        with contextlib.suppress(FeedParseError):
            usable += bool(poll(corpus_server, client, path).entries)
    assert len(FEEDS) == 92 and usable >= 45


def test_entry_fields_from_a_real_dutch_feed(
    http_server: LocalHTTPServer, client: httpx.Client, corpus: Path
) -> None:
    path = serve_corpus_feed(http_server, corpus, "news-sites/nu.nl-rss-algemeen-2024-03-11.xml")
    entry = poll(http_server, client, path).entries[0]
    assert entry.link.startswith("https://www.nu.nl/schaatsen/6304705/")
    assert entry.guid == "article-6304705"
    assert (
        entry.title
        == "Joy Beune geniet op eigen wijze van wereldtitel: 'Moet van Kjeld vaker blij doen'"
    )
    assert entry.summary and entry.summary.startswith("Joy Beune sloot een droomseizoen")
    assert "<" not in entry.summary
    assert entry.published == "2024-03-10T17:45:50Z"
    assert entry.lang == "nl"  # <language>nl-nl</language>
    assert entry.canonical_url == entry.link


def test_relative_links_resolve_against_the_feed_url(
    http_server: LocalHTTPServer, client: httpx.Client, corpus: Path
) -> None:
    path = serve_corpus_feed(http_server, corpus, "feed-rs/atom_relative.xml")
    (entry,) = poll(http_server, client, path).entries
    assert entry.link == http_server.url("/blog/2003/12/13/atom03")


def test_a_permalink_guid_stands_in_for_a_missing_link(
    http_server: LocalHTTPServer, client: httpx.Client, corpus: Path
) -> None:
    path = serve_corpus_feed(
        http_server, corpus, "feedparser/wellformed__rss__item_guid_isPermaLink_guidislink.xml"
    )
    assert [e.link for e in poll(http_server, client, path).entries] == ["http://guid.example.com/"]


def test_entries_without_a_usable_link_are_skipped_and_counted(
    http_server: LocalHTTPServer, client: httpx.Client, corpus: Path
) -> None:
    path = serve_corpus_feed(
        http_server, corpus, "feedparser/wellformed__rss__item_guid_not_permalink.xml"
    )
    parsed = poll(http_server, client, path)
    assert (parsed.entries, parsed.skipped, parsed.bozo) == ((), 1, None)


def test_html_content_and_summaries_become_plain_text(
    http_server: LocalHTTPServer, client: httpx.Client, corpus: Path
) -> None:
    path = serve_corpus_feed(http_server, corpus, "rss-parser/content-encoded.rss")
    entries = poll(http_server, client, path).entries
    with_content = [e for e in entries if e.content]
    assert with_content, "content:encoded was not read"
    for e in with_content:
        assert not re.search(r"</?[a-z]+[ >/]", e.content or ""), e.content


def test_http_charset_decides_the_encoding(
    http_server: LocalHTTPServer, client: httpx.Client, corpus: Path
) -> None:
    body = (corpus / "feeds/rss-parser/encoding.rss").read_bytes()
    http_server.routes["/latin1"] = Response(
        body, headers={"Content-Type": "text/xml; charset=iso-8859-1"}
    )
    parsed = poll(http_server, client, "/latin1")
    assert parsed.bozo is None and len(parsed.entries) == 40
    text = " ".join(e.title or "" for e in parsed.entries)
    assert re.search(r"[çãéáíóõê]", text) and "\ufffd" not in text
    assert parsed.entries[0].lang == "pt"


def test_feedparser_http_headers_files_decode_as_their_tests_expect(
    http_server: LocalHTTPServer, client: httpx.Client, corpus: Path
) -> None:
    i18n = serve_corpus_feed(http_server, corpus, "feedparser/encoding__http_i18n.xml")
    assert served_headers((corpus / "feeds/feedparser/encoding__http_i18n.xml").read_bytes()) == {
        "Content-type": "application/xml"
    }
    parsed = poll(http_server, client, i18n)
    assert (parsed.title, parsed.bozo) == ("Iñtërnâtiônàlizætiøn", None)
    bogus = serve_corpus_feed(
        http_server, corpus, "feedparser/encoding__http_text_xml_bogus_charset.xml"
    )
    assert poll(http_server, client, bogus).bozo is None  # "text/xml;" is no charset at all


def test_conditional_get_sends_the_validators_and_handles_304(
    http_server: LocalHTTPServer, client: httpx.Client, corpus: Path
) -> None:
    body = (corpus / "feeds/trafilatura/feed2.rss").read_bytes()
    validators = {"ETag": '"v1"', "Last-Modified": "Mon, 11 Mar 2024 10:00:00 GMT"}

    def route(req: Request) -> Response:
        if req.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(body, headers={"Content-Type": "application/rss+xml", **validators})

    http_server.routes["/feed"] = route
    feed = Feed(url=http_server.url("/feed"), name="f")
    first = fetch_feed(client, feed, None, None, FetchConfig())
    assert (first.status, first.etag, first.last_modified) == (
        200,
        '"v1"',
        validators["Last-Modified"],
    )
    assert parse_feed(first.body, feed, first.headers).entries
    second = fetch_feed(client, feed, first.etag, first.last_modified, FetchConfig())
    sent = http_server.requests_to("/feed")[1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == validators["Last-Modified"]
    assert (second.status, second.body) == (304, b"")
    assert (second.etag, second.last_modified) == ('"v1"', validators["Last-Modified"])


@pytest.mark.parametrize(
    ("response", "retryable"),
    [(Response(b"gone", 404), False), (Response(b"oops", 500), True), (Response(b"", 503), True)],
)
def test_http_errors_are_fetch_errors_naming_the_feed(
    http_server: LocalHTTPServer, client: httpx.Client, response: Response, retryable: bool
) -> None:
    http_server.routes["/feed"] = response
    with pytest.raises(FetchError, match=f"HTTP {response.status}") as err:
        poll(http_server, client, "/feed")
    assert err.value.subject == http_server.url("/feed")
    assert err.value.retryable is retryable


def test_slow_feed_times_out(http_server: LocalHTTPServer, client: httpx.Client) -> None:
    http_server.routes["/slow"] = Response(b"<rss/>", delay=1.0)
    with pytest.raises(FetchError, match="timed out") as err:
        poll(http_server, client, "/slow", FetchConfig(read_timeout=0.2))
    assert err.value.subject == http_server.url("/slow")


def test_oversize_feed_is_refused(http_server: LocalHTTPServer, client: httpx.Client) -> None:
    http_server.routes["/huge"] = Response(b"<rss>" + b" " * 20_000 + b"</rss>")
    with pytest.raises(FetchError, match="larger than 10000 bytes"):
        poll(http_server, client, "/huge", FetchConfig(max_bytes=10_000))


@pytest.mark.parametrize(
    "garbage", [b"\x00\xff\xfe binary \x89PNG", b"<html><body>Not a feed</body></html>", b""]
)
def test_garbage_is_a_parse_error_naming_the_feed(
    http_server: LocalHTTPServer, client: httpx.Client, garbage: bytes
) -> None:
    http_server.routes["/g"] = Response(garbage, headers={"Content-Type": "text/html"})
    with pytest.raises(FeedParseError) as err:
        poll(http_server, client, "/g")
    assert err.value.subject == http_server.url("/g")


def test_a_body_that_names_a_local_file_is_not_read_from_disk(tmp_path: Path, corpus: Path) -> None:
    """feedparser.parse(bytes) tries open(bytes) first; a feed must never read our disk."""
    local = tmp_path / "feed.rss"
    local.write_bytes((corpus / "feeds/trafilatura/feed2.rss").read_bytes())
    feed = Feed(url="http://feeds.example.org/x", name="x")
    with pytest.raises(FeedParseError):
        parse_feed(str(local).encode(), feed)


RSS_ITEMS = (
    "<rss version='2.0'><channel><title>T</title><link>http://news.example/</link>"
    "<description>d</description><item><title>Raid on the port</title>"
    "<link>http://news.example/a</link></item></channel></rss>"
)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (RSS_ITEMS.encode("utf-16-le"), "application/rss+xml"),  # no BOM, no declaration
        (RSS_ITEMS.encode("utf-16-be"), "text/xml"),
        (RSS_ITEMS.encode("utf-16-le"), "application/rss+xml; charset=utf-8"),
        (RSS_ITEMS.encode("utf-32-le"), "application/xml"),
        # UTF-16 without a byte-order mark behind a declaration without an encoding: the
        # non-ASCII text makes feedparser try UTF-16, it flags the mismatch (bozo) and finds
        # a stray item without a link. This one passed as an ok feed with nothing in it.
        (
            "<?xml version='1.0'?>\n<rss version='2.0'><channel><item><description>Één dode"
            " in Charkiv</description></item></channel></rss>".encode("utf-16-le"),
            "application/xml",
        ),
        # Declared UTF-8, sent as Latin-1, with an item that has no link: a stray item only.
        (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><item>"
            "<title>Förderung</title></item></channel></rss>".encode("latin-1"),
            "application/rss+xml",
        ),
    ],
)
def test_a_feed_that_decodes_to_nothing_is_a_parse_error_naming_it(
    http_server: LocalHTTPServer, client: httpx.Client, body: bytes, content_type: str
) -> None:
    http_server.routes["/f"] = Response(body, headers={"Content-Type": content_type})
    with pytest.raises(FeedParseError, match="not a usable feed") as err:
        poll(http_server, client, "/f")
    assert err.value.subject == http_server.url("/f")


def test_utf16_that_says_so_is_read(http_server: LocalHTTPServer, client: httpx.Client) -> None:
    declared = ("<?xml version='1.0' encoding='utf-16'?>" + RSS_ITEMS).encode("utf-16-le")
    http_server.routes["/d"] = Response(declared, headers={"Content-Type": "application/rss+xml"})
    charset = RSS_ITEMS.encode("utf-16-le")
    http_server.routes["/c"] = Response(charset, headers={"Content-Type": "text/xml; charset=utf-16le"})
    for path in ("/d", "/c"):
        assert [e.title for e in poll(http_server, client, path).entries] == ["Raid on the port"]


def test_a_well_formed_feed_without_items_is_a_quiet_feed(
    http_server: LocalHTTPServer, client: httpx.Client
) -> None:
    empty = "<rss version='2.0'><channel><title>Nothing today</title></channel></rss>"
    http_server.routes["/e"] = Response(empty.encode(), headers={"Content-Type": "application/rss+xml"})
    parsed = poll(http_server, client, "/e")
    assert (parsed.entries, parsed.bozo, parsed.title) == ((), None, "Nothing today")


def test_a_trickling_feed_ends_at_the_total_deadline(client: httpx.Client) -> None:
    """Feeds share the page plumbing: one total deadline, not a read timeout per byte."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/feed"

        def drip() -> None:
            conn, _ = listener.accept()
            with conn, contextlib.suppress(OSError):
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n<rss>")
                for _ in range(100):
                    conn.sendall(b" ")
                    time.sleep(0.05)

        threading.Thread(target=drip, daemon=True).start()
        t0 = time.monotonic()
        with pytest.raises(FetchError, match=r"fetch\.total_timeout") as err:
            fetch_feed(client, Feed(url=url, name="drip"), None, None, FetchConfig(total_timeout=0.8))
        assert time.monotonic() - t0 < 1.3
        assert err.value.subject == url and err.value.retryable


def test_a_gzip_bomb_feed_is_refused_on_its_decoded_size_in_bounded_memory(
    http_server: LocalHTTPServer, client: httpx.Client
) -> None:
    bomb = gzip.compress(b"<rss version='2.0'><channel>" + b" " * (50 * 1024 * 1024))
    headers = {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}
    http_server.routes["/bomb"] = Response(bomb, headers=headers)
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="larger than 1048576 bytes") as err:
            poll(http_server, client, "/bomb", FetchConfig(max_bytes=1024 * 1024))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.subject == http_server.url("/bomb") and not err.value.retryable
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes for a 1 MB cap on a 50 MB bomb"


def test_a_feed_redirect_loop_ends_with_an_error_naming_the_feed(
    http_server: LocalHTTPServer, client: httpx.Client
) -> None:
    http_server.routes["/loop"] = Response(status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match="more than 5 redirects") as err:
        poll(http_server, client, "/loop")
    assert err.value.subject == http_server.url("/loop")
