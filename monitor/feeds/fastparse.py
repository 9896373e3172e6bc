"""The fast path through a well-formed feed: lxml's parser, feedparser's meanings.

feedparser spends most of a poll's CPU in its SAX callbacks, one Python call per element and
per run of characters. A document that lxml parses strictly, in UTF-8, without a DOCTYPE, is
read here instead, and only where the result is certain to be feedparser's:

- RSS 2.0 (``<rss><channel><item>``) and Atom 1.0 (``<feed><entry>``); RDF, Atom 0.3 and the
  rest go to feedparser;
- every element inside an item is one this module handles (title, link, guid/id, description,
  summary, content, dates), one whose feedparser handler cannot touch an Entry's fields
  (ALLOWED_*), or one feedparser has no handler for; anything else, a repeated field, markup
  inside a text element, or xml:lang/xml:base below the root, and the document goes to
  feedparser whole.

The values then take feedparser's own steps (values.py, rawitems.py in this package): its
URI joining, its HTML-or-text guess for RSS titles, its relative-URI resolver and sanitizer,
its fix for double-encoded UTF-8 and windows-1252 code points, its date parser. Only the items
a poll has not seen pay for texts and dates (``FeedItems.complete``).

``read_wellformed`` returns None when it does not take a document; it never raises for one.
"""

from __future__ import annotations

import logging
import re

from feedparser.api import StrictFeedParser
from feedparser.urls import make_safe_absolute_uri
from lxml import etree

from monitor.feeds.entries import (
    FeedItems,
    plain,
    ttl_minutes,
)
from monitor.feeds.rawitems import RawFeed, RawItem, feed_items
from monitor.feeds.values import (
    ALLOWED_IN_FEED,
    ALLOWED_IN_ITEM,
    CHILDLESS_IN_ITEM,
    HANDLED_NAMES,
    finish,
    finish_content,
    fix_link,
    tag_name,
    urljoin,
)
from monitor.models import Feed

log = logging.getLogger("newsmonitor.poll")

ATOM = "http://www.w3.org/2005/Atom"
XML_TYPES = frozenset(
    {"application/xml", "application/rss+xml", "application/atom+xml", "application/rdf+xml"}
)
UTF8 = frozenset({"utf-8", "utf8"})
# Attributes that might be xml:lang or xml:base (one literal each: re searches those fast).
_ATTRS = (re.compile(rb"lang\s*="), re.compile(rb"base\s*="))
_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']""")


class Declined(Exception):
    """This document is feedparser's to read."""


def read_wellformed(body: bytes, feed: Feed, headers: dict[str, str]) -> FeedItems | None:
    """The feed's items if this path takes the document (see the module's docstring)."""
    try:
        _check_encoding(body, headers)
        root = _parse(body)
        return feed_items(_read_root(root, feed, headers))
    except Declined:
        return None
    except Exception:  # untrusted bytes: whatever this path trips on, feedparser reads it
        log.debug("fast path gave %s to feedparser", feed.url, exc_info=True)
        return None


def _check_encoding(body: bytes, headers: dict[str, str]) -> None:
    """UTF-8 by every account, in a type feedparser reads as XML without a guess."""
    media, _, params = headers.get("content-type", "application/xml").partition(";")
    media = media.strip().lower()
    if media not in XML_TYPES and not (media.startswith("application/") and media.endswith("+xml")):
        raise Declined
    charset = re.search(r"charset\s*=\s*[\"']?([^\"';\s]+)", params, re.I)
    if charset and charset.group(1).lower() not in UTF8:
        raise Declined
    if body[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00") or body[:3] == b"\xef\xbb\xbf":
        raise Declined
    if body[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in body:
        raise Declined  # UTF-16/32, with a mark or without (lxml would guess; feedparser not)
    declared = _DECLARED.match(body[:200])
    if declared and declared.group(1).decode("ascii", "replace").lower() not in UTF8:
        raise Declined


def _parse(body: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise Declined from exc
    if root.getroottree().docinfo.doctype:
        raise Declined
    # xml:lang or xml:base below the root: feedparser tracks them per element.
    below_root = "//*/*/@*[local-name()='lang' or local-name()='base']"
    if any(rx.search(body) for rx in _ATTRS) and root.xpath(below_root):
        raise Declined
    return root


def _name(el: etree._Element) -> str:
    """feedparser's name for an element (its handlers are ``_start_<name>``)."""
    name = tag_name(el.tag, el.prefix)
    if name is None:  # an unknown namespace under a known prefix
        raise Declined
    return name


def _text(el: etree._Element) -> str:
    """An element's text; markup or comments inside make feedparser do more than read it."""
    if len(el) or el.attrib.get("mode"):
        raise Declined
    return el.text or ""


def _read_root(root: etree._Element, feed: Feed, headers: dict[str, str]) -> RawFeed:
    header_lang = headers.get("content-language")
    base = urljoin(feed.url, headers.get("content-location", ""))
    base = make_safe_absolute_uri(base) or base
    attrs = {etree.QName(k).localname: v for k, v in root.attrib.items()}
    if "base" in attrs:
        base = make_safe_absolute_uri(base, attrs["base"]) or base
    lang = attrs.get("lang", header_lang)
    lang = (lang or None) and lang.replace("_", "-")
    feed_lang = lang if lang else (header_lang and header_lang.replace("_", "-"))
    if root.tag == "rss" and root.nsmap.get(None) is None:
        channels = list(root.iterchildren(etree.Element))
        if len(channels) != 1 or channels[0].tag != "channel":
            raise Declined
        doc = RawFeed(feed, False, base, lang, feed_lang, header_lang)
        _read_container(doc, channels[0], "item")
        _same_items(root, len(doc.items))
        return doc
    if root.tag == f"{{{ATOM}}}feed":
        doc = RawFeed(feed, True, base, lang, feed_lang, header_lang)
        _read_container(doc, root, "entry")
        _same_items(root, len(doc.items))
        return doc
    raise Declined


def _same_items(root: etree._Element, found: int) -> None:
    """feedparser takes an item or entry element anywhere as an entry."""
    anywhere = sum(1 for _ in root.iter("{*}item", "{*}entry", "{*}ITEM", "{*}Item", "{*}Entry"))
    if anywhere != found:
        raise Declined


def _read_container(doc: RawFeed, parent: etree._Element, item_name: str) -> None:
    for el in parent.iterchildren(etree.Element):
        name = _name(el)
        if name == item_name:
            doc.items.append(_read_item(doc, el))
        elif name == "title":
            if doc.items or doc.title is not None:  # feedparser's depth rules: not ours to copy
                raise Declined
            doc.title = _title_of(doc, el)
        elif name in ("language", "dc_language"):
            doc.feed_lang = finish("language", _text(el).strip())
        elif name == "ttl":
            doc.ttl = ttl_minutes(finish("ttl", _text(el).strip()))
        elif name in HANDLED_NAMES and name not in ALLOWED_IN_FEED:
            raise Declined
        elif name not in HANDLED_NAMES:
            _nothing_handled_inside(el)


def _nothing_handled_inside(el: etree._Element) -> None:
    """An element feedparser has no handler for is harmless unless it wraps one it has."""
    if any(_name(d) in HANDLED_NAMES for d in el.iterdescendants(etree.Element)):
        raise Declined


def _title_of(doc: RawFeed, el: etree._Element) -> str | None:
    ctype = _ctype(doc, el, "text/plain")
    value, ctype = finish_content("title", _text(el), ctype, doc.base, doc.atom)
    return plain(value, ctype)


def _ctype(doc: RawFeed, el: etree._Element, default: str) -> str:
    given = el.get("type")
    if given is None:
        return default
    if not doc.atom:
        raise Declined  # a typed RSS element: rare, and feedparser's to judge
    ctype = {"text": "text/plain", "html": "text/html"}.get(given.lower(), given.lower())
    if ctype not in ("text/plain", "text/html"):
        raise Declined  # xhtml, base64 and other types
    return ctype


def _read_item(doc: RawFeed, item: etree._Element) -> RawItem:
    out = RawItem()
    seen: set[str] = set()
    for el in item.iterchildren(etree.Element):
        name = _name(el)
        if name not in HANDLED_NAMES:
            _nothing_handled_inside(el)
            continue
        if name in ALLOWED_IN_ITEM:
            continue
        if name in CHILDLESS_IN_ITEM:
            if len(el):
                raise Declined
            continue
        if name == "link" and doc.atom:  # several links: the last alternate one counts
            _read_link(doc, out, el)
            continue
        if name in seen:
            raise Declined  # repeated: feedparser's order and depth rules decide
        seen.add(name)
        _read_field(doc, out, name, el)
    return out


def _read_field(doc: RawFeed, out: RawItem, name: str, el: etree._Element) -> None:
    if not doc.atom and el.get("type") is not None:
        raise Declined  # a typed RSS element: rare, and feedparser's to judge
    if name == "link":
        _read_link(doc, out, el)
    elif name in ("guid", "id"):
        out.guid = _text(el)
        flags = [v for k, v in el.attrib.items() if k.lower() == "ispermalink"]
        out.guid_permalink = (flags[-1] if flags else "true") == "true"
        out.link_first = out.link is not None
    elif name == "title":
        out.title = (_text(el), _ctype(doc, el, "text/plain"))
    elif name == "description" and not doc.atom:
        out.summary = (_text(el), "text/html")
    elif name == "summary" and doc.atom:
        out.summary = (_text(el), _ctype(doc, el, "text/plain"))
    elif name == "content" and doc.atom:
        if el.get("src"):
            raise Declined
        out.content = (_text(el), _ctype(doc, el, "text/plain"))
    elif name == "content_encoded" and not doc.atom:
        out.content = (_text(el), "text/html")
    elif name in ("pubdate", "published"):
        out.published = _text(el)
    elif name in ("updated", "dc_date"):
        out.updated = _text(el)
    else:
        raise Declined


def _read_link(doc: RawFeed, out: RawItem, el: etree._Element) -> None:
    if not doc.atom:
        if el.attrib:
            raise Declined  # an RSS link with an href is read as an Atom one
        text = _text(el).strip()
        out.link = fix_link(finish("link", urljoin(doc.base, text) if text else text))
        return
    href = el.get("href")
    if href is None or len(el) or any(k in el.attrib for k in ("url", "uri")):
        raise Declined
    rel = el.get("rel", "alternate").lower()
    kind = StrictFeedParser.map_content_type(el.get("type", "text/html"))
    if rel == "alternate" and kind in StrictFeedParser.html_types:
        out.link = urljoin(doc.base, href)


