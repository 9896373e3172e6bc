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
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``, or None when it is too short to tell."""
    sample = (text or "").strip()[:SAMPLE_CHARS]
    if len(sample) < MIN_CHARS:
        return None
    lang, _prob = _identifier().classify(sample)
    return str(lang)
