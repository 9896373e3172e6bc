from __future__ import annotations

import pytest

from monitor.errors import ConfigError
from monitor.feeds.opml import parse_opml, to_opml
from monitor.models import Feed

OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="World">
    <outline type="rss" text="Wereld &amp; Co" xmlUrl="https://a.example/rss"/>
    <outline type="rss" title="Other" xmlUrl="https://b.example/atom.xml"/>
  </outline>
  <outline text="no feed here"/>
  <outline type="rss" text="dup" xmlUrl="https://a.example/rss"/>
</body></opml>"""


def test_import_finds_nested_feeds_once() -> None:
    feeds = parse_opml(OPML, "mine.opml", backfill=True)
    assert [(f.url, f.name, f.backfill) for f in feeds] == [
        ("https://a.example/rss", "Wereld & Co", True),
        ("https://b.example/atom.xml", "Other", True),
    ]


def test_export_round_trips() -> None:
    feeds = [Feed(url="https://a.example/rss?x=1&y=2", name='Quote "this" & that')]
    assert parse_opml(to_opml(feeds).encode(), "out.opml") == feeds


@pytest.mark.parametrize(
    ("data", "where"),
    [(b"<opml><body><outline", r"bad\.opml:1:\d+"), (b"<rss/>", "not an OPML file"),
     (b"<opml><body><outline xmlUrl='file:///etc/passwd'/></body></opml>", "must be http")],
)
def test_broken_files_say_where(data: bytes, where: str) -> None:
    with pytest.raises(ConfigError, match=where):
        parse_opml(data, "bad.opml")
