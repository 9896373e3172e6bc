"""How feedparser names feed elements and what it does to their values, for fastparse.py.

Element names are feedparser's (``dc_creator``, ``content_encoded``: its handlers are
``_start_<name>``); the allowed sets list the handled names that never reach an Entry's fields.
Values take feedparser's own steps, with its own helpers: URI joining, the HTML-or-text guess
for RSS texts, relative-URI resolution and sanitizing of HTML, the repair of double-encoded
UTF-8 and windows-1252 code points. Results are cached: a feed repeats its values poll after
poll.
"""

from __future__ import annotations

import contextlib
import re
from functools import lru_cache

from feedparser.api import StrictFeedParser
from feedparser.html import _cp1252
from feedparser.sanitizer import _sanitize_html
from feedparser.urls import _urljoin as feedparser_urljoin
from feedparser.urls import resolve_relative_uris

# feedparser's URI joining, cached: a feed repeats its links poll after poll.
urljoin = lru_cache(maxsize=8192)(feedparser_urljoin)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# feedparser's names for namespaces (lower-cased URI -> prefix), as its handlers are named.
PREFIXES = {uri.lower(): prefix for uri, prefix in StrictFeedParser.namespaces.items()}
HANDLED_NAMES = frozenset(
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



@lru_cache(maxsize=1024)
def tag_name(tag: str, prefix: str | None) -> str | None:
    """feedparser's name for an element (its handlers are ``_start_<name>``); None for an
    unknown namespace under a prefix feedparser knows (it would take it for that one)."""
    namespace, _, local = tag[1:].partition("}") if tag[:1] == "{" else ("", "", tag)
    local = local.lower()
    if not namespace:
        return local
    known = PREFIXES.get(namespace.lower())
    if known is None:
        if (prefix or "") in PREFIXES.values():
            return None
        known = prefix or ""
    return f"{known}_{local}" if known else local



def fix_link(link: str) -> str:
    """feedparser's repair of query strings taken for entity references."""
    return re.sub("&([A-Za-z0-9_]+);", r"&\g<1>", link.replace("&amp;", "&"))


@lru_cache(maxsize=8192)
def finish(element: str, text: str) -> str:
    """feedparser's last steps for every value: double-encoded UTF-8, windows-1252 points."""
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(_cp1252)


def finish_content(
    element: str, raw: str, ctype: str, base: str, atom: bool
) -> tuple[str, str]:
    """A text element's value and type as feedparser stores them in its ``*_detail``: an RSS
    text that looks like HTML is HTML; HTML gets its relative URIs resolved and is
    sanitized."""
    text = raw.strip()
    if not atom and ctype == "text/plain" and StrictFeedParser.looks_like_html(text):
        ctype = "text/html"
    if ctype == "text/html":
        text = resolve_relative_uris(text, base, "utf-8", ctype)
        text = _sanitize_html(text, "utf-8", ctype)
    return finish(element, text), ctype
