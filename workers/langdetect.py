"""One process-wide language detector for articles whose feed and extractor name none.

py3langid's model loads once (about 0.2 ms per 2 KB after that); restricting it to the
languages we have event data for plus their usual neighbours in news feeds keeps it from
answering with a rare language on short, name-heavy texts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# Languages with a data file (nl, en) plus the ones most often mistaken for them in feeds.
LANGUAGES = ("nl", "en", "de", "fr", "es", "it", "pt", "af", "da", "sv", "no", "pl", "ru", "uk")
MIN_CHARS = 20  # below this a guess is noise
SAMPLE_CHARS = 4000  # the first few KB decide; whole pages cost time and add nothing


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import _load_identifier

    # A private identifier, not py3langid's module-level one: set_languages() on the shared
    # one would change the answers of any other code in the process that uses py3langid.
    return _load_identifier(norm_probs=True, langs=list(LANGUAGES))


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``, or None when it is too short to tell."""
    sample = (text or "").strip()[:SAMPLE_CHARS]
    if len(sample) < MIN_CHARS:
        return None
    lang, _prob = _identifier().classify(sample)
    return str(lang)
