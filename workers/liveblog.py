"""Liveblogs: one URL whose page grows all day. Re-read it, classify only what is new.

A liveblog (NOS-style) is many short items under one URL; its feed entry keeps the link and
bumps ``updated``. Re-classifying the whole page on every update would re-alert on items
already seen, so the new reading is compared with the stored one paragraph by paragraph and
only paragraphs not seen before are classified: each new item keeps its own evidence.
"""

from __future__ import annotations

from monitor import keys
from monitor.models import Article


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def new_paragraphs(old_text: str, new_text: str) -> str:
    """The paragraphs of ``new_text`` that ``old_text`` does not hold, in page order."""
    seen = {" ".join(p.split()) for p in _paragraphs(old_text)}
    fresh = [p for p in _paragraphs(new_text) if " ".join(p.split()) not in seen]
    return "\n".join(fresh)


def update_article(previous: Article, current: Article, version: str) -> Article:
    """The part of ``current`` that is new since ``previous``, as an article of its own id.

    Its id is the page's id plus the version, so its alerts and story are its own."""
    return current.replace(
        id=f"{previous.id}-{keys.content_hash(version)[:8]}",
        text=new_paragraphs(previous.text, current.text),
    )
