"""classify(article) -> list[Event]: the entry point the worker and the CLI call.

The language comes from the article, else from the process-wide detector; a language without
a data file yields no events rather than guesses. An article that never names armed conflict
(no ``conflict`` marker of its language) yields none either: that one gate keeps sports
"aanvallen", traffic deaths and election "zetels veroverd" out without per-sentence patches.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from monitor.models import Article, Event
from workers.classify.extract import sentence_events
from workers.classify.lexicon.loader import get_lexicon
from workers.classify.merge import merge_events
from workers.classify.scan import scan_key_sentences
from workers.classify.sentences import split_sentences


def classify(article: Article) -> list[Event]:
    """The events an article reports (shared/EVENTS.md)."""
    return classify_text(article.text, lang=article.lang, title=article.title)


def classify_text(
    text: str,
    lang: str | None = None,
    title: str | None = None,
    lang_dirs: Iterable[str | Path] = (),
) -> list[Event]:
    """Classify raw text; ``lang_dirs`` adds folders of language files for this call."""
    if not lang:
        from workers.langdetect import detect_language

        lang = detect_language(f"{title or ''}\n{text}")
    lexicon = get_lexicon(lang, tuple(lang_dirs))
    if lexicon is None:
        return []
    pieces = ([title] if title else []) + list(split_sentences(text))
    scans = scan_key_sentences(pieces, lexicon)
    if not any(scan.has("conflict") and not scan.has("exclude") for scan in scans):
        return []
    found = [f for scan in scans for f in sentence_events(scan, lexicon.lang)]
    return merge_events(found)
