"""canonical_url is the dedup identity of an article; host_of is what "source" means."""

from __future__ import annotations

import pytest

from monitor.urls import canonical_url, host_of


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Same article linked from two feeds with different tracking.
        (
            "https://www.brisbanetimes.com.au/world/a-20221116-p5byml.html"
            "?ref=x&utm_medium=rss&utm_source=rss_feed",
            "https://www.brisbanetimes.com.au/world/a-20221116-p5byml.html?ref=x",
        ),
        ("https://www.bbc.co.uk/news/world-66429344?at_medium=RSS&at_campaign=KARANGA",
         "https://www.bbc.co.uk/news/world-66429344"),
        ("https://example.org/a?fbclid=IwAR0&gclid=abc&ocid=msn", "https://example.org/a"),
        ("HTTPS://Example.ORG:443/Path#comments", "https://example.org/Path"),
        ("http://example.org:80", "http://example.org/"),
        ("https://example.org/a?b=2&a=1", "https://example.org/a?a=1&b=2"),
        ("https://example.org./a", "https://example.org/a"),
    ],
)  # fmt: skip
def test_links_to_the_same_article_share_one_identity(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


def test_canonical_form_is_spelled_out() -> None:
    url = "HTTP://News.Example.org:8080?utm_source=x&id=7&page=2#top"
    assert canonical_url(url) == "http://news.example.org:8080/?id=7&page=2"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.org/a?id=1", "https://example.org/a?id=2"),
        ("https://example.org/Article", "https://example.org/article"),
        ("https://example.org:8443/a", "https://example.org/a"),
        ("https://a.example.org/x", "https://b.example.org/x"),
    ],
)
def test_different_articles_stay_different(a: str, b: str) -> None:
    assert canonical_url(a) != canonical_url(b)


def test_ipv6_host_keeps_its_brackets() -> None:
    assert canonical_url("http://[::1]:8080/a") == "http://[::1]:8080/a"


@pytest.mark.parametrize("bad", ["not a url", "/relative/path", "http://example.org:99999/"])
def test_unparseable_urls_raise_value_error(bad: str) -> None:
    with pytest.raises(ValueError):
        canonical_url(bad)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.NOS.nl/artikel/1", "nos.nl"),
        ("https://nos.nl/artikel/1", "nos.nl"),
        ("https://edition.cnn.com:443/x", "edition.cnn.com"),
        ("http://www2.example.org/", "www2.example.org"),
    ],
)
def test_host_of_is_the_source(url: str, host: str) -> None:
    assert host_of(url) == host
