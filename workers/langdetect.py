"""One process-wide language detector for articles whose feed and extractor name none.

py3langid's model loads once (about 0.2 ms per 2 KB after that); restricting it to the
languages we have event data for plus their usual neighbours in news feeds keeps it from
answering with a rare language on short, name-heavy texts.

The languages with event data are the language files present (workers/classify/lang, the
folders of ``NEWSMONITOR_LANG_DIRS``): adding a language is a data change, and its articles
are detected as such without touching this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from workers.classify.lexicon.loader import load_lexicons

# The languages most often mistaken for those with a data file (nl, en) in feeds: detectable
# so that their articles are not read as Dutch or English.
NEIGHBOURS = ("de", "fr", "es", "it", "pt", "af", "da", "sv", "no", "pl", "ru", "uk")
MIN_CHARS = 20  # below this a guess is noise
SAMPLE_CHARS = 4000  # the first few KB decide; whole pages cost time and add nothing


@lru_cache(maxsize=8)
def _identifier(with_data: frozenset[str]) -> Any:
    from py3langid.langid import _load_identifier

    # A private identifier, not py3langid's module-level one: set_languages() on the shared
    # one would change the answers of any other code in the process that uses py3langid.
    identifier = _load_identifier(norm_probs=True)
    # A language the model does not know cannot be detected, only named by the feed or page.
    known = set(identifier.nb_classes)
    identifier.set_languages(sorted({*(with_data & known), *NEIGHBOURS}))
    return identifier


def _for(extra_dirs: Iterable[str | Path]) -> Any:
    """The identifier for the language files of the loader's folders (plus ``extra_dirs``)."""
    return _identifier(frozenset(load_lexicons(tuple(extra_dirs))))


def detectable_languages(extra_dirs: Iterable[str | Path] = ()) -> frozenset[str]:
    """ISO 639-1 codes ``detect_language`` may answer, with ``extra_dirs`` as the loader's."""
    return frozenset(_for(extra_dirs).nb_classes)


def detect_language(text: str, extra_dirs: Iterable[str | Path] = ()) -> str | None:
    """ISO 639-1 code of ``text``, or None when it is too short to tell; ``extra_dirs`` adds
    folders of language files, as the loader's parameter of that name."""
    sample = (text or "").strip()[:SAMPLE_CHARS]
    if len(sample) < MIN_CHARS:
        return None
    lang, _prob = _for(extra_dirs).classify(sample)
    return str(lang)
