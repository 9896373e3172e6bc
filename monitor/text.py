"""Plain text out of feed markup, and language tags as ISO 639-1 codes.

Shared by the feed parsers (monitor/feeds/) and the jobs (workers/extract.py, which reads whole
pages with trafilatura): lxml only, so the daemon side needs no page extraction.
"""

from __future__ import annotations

import re

import lxml.html
from lxml.etree import ParserError
from lxml.html import HtmlElement

# Elements after which a reader sees a line break.
BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
     "pre", "tr", "table", "section", "article", "header", "footer", "figure", "figcaption",
     "dd", "dt", "hr"}
)  # fmt: skip
INVISIBLE_TAGS = ("script", "style", "noscript", "template")
_LANG_RE = re.compile(r"^([A-Za-z]{2})(?:$|[-_])")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def primary_lang(tag: str | None) -> str | None:
    """ISO 639-1 code of a language tag: "nl-NL" -> "nl", "en_US" -> "en"; None if not one."""
    match = _LANG_RE.match((tag or "").strip())
    return match.group(1).lower() if match else None


def _break_lines(root: HtmlElement) -> None:
    for el in list(root.iter()):  # a copy: drop_tree changes the tree
        if not isinstance(el.tag, str):  # comments and processing instructions
            continue
        if el.tag in INVISIBLE_TAGS:
            el.drop_tree()
        elif el.tag in BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")


def text_from_html(fragment: str) -> str:
    """Plain text of a feed summary or content: tags gone, entities decoded, paragraphs kept
    as lines, runs of spaces collapsed. Text without markup comes back as it was, trimmed."""
    if "<" not in fragment and "&" not in fragment:
        return _tidy(fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ParserError, ValueError):
        return _tidy(fragment)
    _break_lines(root)
    return _tidy(root.text_content())


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
