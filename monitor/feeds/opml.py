"""OPML, the format people keep their feed lists in: import and export.

Outlines may nest (folders); every outline with an ``xmlUrl`` is a feed, named by its
``title``/``text``. The parser is expat through ElementTree, which does not fetch external
entities; a broken file is reported with its line and column.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from xml.sax.saxutils import quoteattr

from monitor.errors import ConfigError
from monitor.models import Feed


def parse_opml(data: bytes, source: str, backfill: bool = False) -> list[Feed]:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, col = exc.position
        raise ConfigError(f"{source}:{line}:{col + 1}", f"not valid OPML/XML: {exc}") from exc
    if root.tag.lower() != "opml":
        raise ConfigError(source, f"not an OPML file (root element <{root.tag}>)")
    feeds: dict[str, Feed] = {}
    for node in root.iter("outline"):
        url = (node.get("xmlUrl") or node.get("xmlurl") or "").strip()
        if not url:
            continue
        if not url.startswith(("http://", "https://")):
            raise ConfigError(source, f"feed URL must be http(s): {url!r}")
        name = (node.get("title") or node.get("text") or url).strip()
        feeds.setdefault(url, Feed(url=url, name=name, backfill=backfill))
    return list(feeds.values())


def to_opml(feeds: list[Feed], title: str = "newsmonitor feeds") -> str:
    now = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{title}</title><dateCreated>{now}</dateCreated></head>",
        "  <body>",
    ]
    for f in feeds:
        lines.append(
            f'    <outline type="rss" text={quoteattr(f.name)} title={quoteattr(f.name)}'
            f" xmlUrl={quoteattr(f.url)}/>"
        )
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)
