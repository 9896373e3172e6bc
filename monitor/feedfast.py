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

The values then take feedparser's own steps (monitor/feedentry.py and ``_finish``): its URI
joining, its HTML-or-text guess for RSS titles, its relative-URI resolver and sanitizer, its
fix for double-encoded UTF-8 and windows-1252 code points, its date parser. Only the items a
poll has not seen pay for texts and dates (``FeedItems.complete``).

``read_wellformed`` returns None when it does not take a document; it never raises for one.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from feedparser.api import StrictFeedParser
from feedparser.html import _cp1252
from feedparser.sanitizer import _sanitize_html
from feedparser.urls import _urljoin as feedparser_urljoin
from feedparser.urls import make_safe_absolute_uri, resolve_relative_uris
from lxml import etree

from monitor.feedentry import (
    FeedItems,
    entry_key,
    entry_lang,
    joined,
    parsed_date,
    plain,
    ttl_minutes,
    usable_link,
)
from monitor.models import Entry, Feed

ATOM = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_TYPES = frozenset(
    {"application/xml", "application/rss+xml", "application/atom+xml", "application/rdf+xml"}
)
UTF8 = frozenset({"utf-8", "utf8"})
_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']""")


# feedparser's URI joining, cached: a feed repeats its links poll after poll.
_urljoin = lru_cache(maxsize=8192)(feedparser_urljoin)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# feedparser's names for namespaces (lower-cased URI -> prefix), as its handlers are named.
_PREFIXES = {uri.lower(): prefix for uri, prefix in StrictFeedParser.namespaces.items()}
_HANDLED_NAMES = frozenset(
    n[len("_start_") :] for n in dir(StrictFeedParser) if n.startswith("_start_")
) | frozenset(n[len("_end_") :] for n in dir(StrictFeedParser) if n.startswith("_end_"))
# Handled by feedparser, but never into an entry's link, id, title, summary, content, dates
# or language (their children are not looked at).
ALLOWED_IN_ITEM = _words(
    "category comments enclosure author contributor rights dc_creator dc_subject dc_publisher "
    "dc_rights dc_contributor media_thumbnail media_credit media_category media_rating "
    "media_keywords media_player media_license georss_point slash_comments wfw_comment "
    "wfw_commentrss itunes_duration itunes_explicit itunes_image itunes_author "
    "itunes_keywords"
)
CHILDLESS_IN_ITEM = frozenset({"source", "media_content"})  # harmless only without children
ALLOWED_IN_FEED = _words(
    "link description subtitle lastbuilddate pubdate published updated generator docs "
    "copyright rights managingeditor webmaster image category cloud rating skiphours skipdays "
    "id author contributor icon logo dc_creator dc_publisher dc_rights dc_date dc_subject "
    "itunes_author itunes_explicit itunes_image itunes_category itunes_owner itunes_keywords "
    "media_thumbnail media_copyright media_rating media_keywords media_category "
    "media_credit"
)


class Declined(Exception):
    """This document is feedparser's to read."""


@dataclass
class _Doc:
    """What the document's root says for every value below it."""

    feed: Feed
    atom: bool
    base: str
    lang: str | None  # the language every detail inherits (feedparser's ``self.lang``)
    feed_lang: str | None
    header_lang: str | None
    title: str | None = None
    ttl: int | None = None
    items: list[_Item] = field(default_factory=list)


@dataclass
class _Item:
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


def read_wellformed(body: bytes, feed: Feed, headers: dict[str, str]) -> FeedItems | None:
    """The feed's items if this path takes the document (see the module's docstring)."""
    try:
        _check_encoding(body, headers)
        root = _parse(body)
        doc = _read_root(root, feed, headers)
    except Declined:
        return None
    return _items(doc)


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
    maybe = b"lang" in body or b"base" in body
    if maybe and root.xpath("//*/*/@*[local-name()='lang' or local-name()='base']"):
        raise Declined
    return root


def _name(el: etree._Element) -> str:
    """feedparser's name for an element (its handlers are ``_start_<name>``)."""
    name = _tag_name(el.tag, el.prefix)
    if name is None:  # an unknown namespace under a known prefix
        raise Declined
    return name


@lru_cache(maxsize=1024)
def _tag_name(tag: str, prefix: str | None) -> str | None:
    namespace, _, local = tag[1:].partition("}") if tag[:1] == "{" else ("", "", tag)
    local = local.lower()
    if not namespace:
        return local
    known = _PREFIXES.get(namespace.lower())
    if known is None:
        if (prefix or "") in _PREFIXES.values():
            return None
        known = prefix or ""
    return f"{known}_{local}" if known else local


def _text(el: etree._Element) -> str:
    """An element's text; markup or comments inside make feedparser do more than read it."""
    if len(el) or el.attrib.get("mode"):
        raise Declined
    return el.text or ""


def _read_root(root: etree._Element, feed: Feed, headers: dict[str, str]) -> _Doc:
    header_lang = headers.get("content-language")
    base = _urljoin(feed.url, headers.get("content-location", ""))
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
        doc = _Doc(feed, False, base, lang, feed_lang, header_lang)
        _read_container(doc, channels[0], "item")
        _same_items(root, len(doc.items))
        return doc
    if root.tag == f"{{{ATOM}}}feed":
        doc = _Doc(feed, True, base, lang, feed_lang, header_lang)
        _read_container(doc, root, "entry")
        _same_items(root, len(doc.items))
        return doc
    raise Declined


def _same_items(root: etree._Element, found: int) -> None:
    """feedparser takes an item or entry element anywhere as an entry."""
    anywhere = sum(1 for _ in root.iter("{*}item", "{*}entry", "{*}ITEM", "{*}Item", "{*}Entry"))
    if anywhere != found:
        raise Declined


def _read_container(doc: _Doc, parent: etree._Element, item_name: str) -> None:
    for el in parent.iterchildren(etree.Element):
        name = _name(el)
        if name == item_name:
            doc.items.append(_read_item(doc, el))
        elif name == "title":
            if doc.items or doc.title is not None:  # feedparser's depth rules: not ours to copy
                raise Declined
            doc.title = _title_of(doc, el)
        elif name in ("language", "dc_language"):
            doc.feed_lang = _finish("language", _text(el).strip())
        elif name == "ttl":
            doc.ttl = ttl_minutes(_finish("ttl", _text(el).strip()))
        elif name in _HANDLED_NAMES and name not in ALLOWED_IN_FEED:
            raise Declined
        elif name not in _HANDLED_NAMES:
            _nothing_handled_inside(el)


def _nothing_handled_inside(el: etree._Element) -> None:
    """An element feedparser has no handler for is harmless unless it wraps one it has."""
    if any(_name(d) in _HANDLED_NAMES for d in el.iterdescendants(etree.Element)):
        raise Declined


def _title_of(doc: _Doc, el: etree._Element) -> str | None:
    value, ctype = _finish_content(doc, "title", _text(el), _ctype(doc, el, "text/plain"))
    return plain(value, ctype)


def _ctype(doc: _Doc, el: etree._Element, default: str) -> str:
    given = el.get("type")
    if given is None:
        return default
    if not doc.atom:
        raise Declined  # a typed RSS element: rare, and feedparser's to judge
    ctype = {"text": "text/plain", "html": "text/html"}.get(given.lower(), given.lower())
    if ctype not in ("text/plain", "text/html"):
        raise Declined  # xhtml, base64 and other types
    return ctype


def _read_item(doc: _Doc, item: etree._Element) -> _Item:
    out = _Item()
    seen: set[str] = set()
    for el in item.iterchildren(etree.Element):
        name = _name(el)
        if name not in _HANDLED_NAMES:
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


def _read_field(doc: _Doc, out: _Item, name: str, el: etree._Element) -> None:
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


def _read_link(doc: _Doc, out: _Item, el: etree._Element) -> None:
    if not doc.atom:
        if el.attrib:
            raise Declined  # an RSS link with an href is read as an Atom one
        text = _text(el).strip()
        out.link = _fix_link(_finish("link", _urljoin(doc.base, text) if text else text))
        return
    href = el.get("href")
    if href is None or len(el) or any(k in el.attrib for k in ("url", "uri")):
        raise Declined
    rel = el.get("rel", "alternate").lower()
    kind = StrictFeedParser.map_content_type(el.get("type", "text/html"))
    if rel == "alternate" and kind in StrictFeedParser.html_types:
        out.link = _urljoin(doc.base, href)


def _fix_link(link: str) -> str:
    """feedparser's repair of query strings taken for entity references."""
    return re.sub("&([A-Za-z0-9_]+);", r"&\g<1>", link.replace("&amp;", "&"))


@lru_cache(maxsize=8192)
def _finish(element: str, text: str) -> str:
    """feedparser's last steps for every value: double-encoded UTF-8, windows-1252 points."""
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(_cp1252)


def _finish_content(doc: _Doc, element: str, raw: str, ctype: str) -> tuple[str, str]:
    """A text element's value and type as feedparser stores them in its ``*_detail``."""
    text = raw.strip()
    if not doc.atom and ctype == "text/plain" and StrictFeedParser.looks_like_html(text):
        ctype = "text/html"
    if ctype == "text/html":
        text = resolve_relative_uris(text, doc.base, "utf-8", ctype)
        text = _sanitize_html(text, "utf-8", ctype)
    return _finish(element, text), ctype


def _items(doc: _Doc) -> FeedItems:
    keyed: list[tuple[_Item, Entry]] = []
    for item in doc.items:
        guid = _guid(doc, item)
        # feedparser: a permalink guid is the link until a <link> says otherwise, and stays a
        # second choice unless a <link> came before it.
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
    return parsed_date(_finish("date", raw.strip())) if raw else None


def _guid(doc: _Doc, item: _Item) -> str | None:
    if item.guid is None:
        return None
    text = item.guid.strip()
    if text and item.guid_permalink:
        text = _urljoin(doc.base, text)
    return _finish("id", text)


def _completer(doc: _Doc, keyed: list[tuple[_Item, Entry]]) -> Callable[[int], Entry]:
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
