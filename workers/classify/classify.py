"""classify(article) -> list[Event]: the entry point the worker and the CLI call.

The language comes from the article, else from the process-wide detector; a language without
a data file yields no events rather than guesses. ``reading.read_text`` does the work and also
keeps the mentions that are not events, with why, for explanations.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from monitor.models import Article, Event
from workers.classify.reading import read_text


def classify(article: Article) -> list[Event]:
    """The events an article reports (docs/events.md), dated against its published time."""
    return classify_text(article.text, lang=article.lang, title=article.title,
                         published=article.published)


def classify_text(
    text: str,
    lang: str | None = None,
    title: str | None = None,
    lang_dirs: Iterable[str | Path] = (),
    published: str | None = None,
) -> list[Event]:
    """Classify raw text; ``lang_dirs`` adds folders of language files for this call."""
    return list(read_text(text, lang, title, published, lang_dirs, explain=False).events)
