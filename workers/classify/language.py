"""The language an article is read in: the one its feed or page declares, else the detected one.

The one place that decides it: the entry pipeline (to store the article with its language) and
``read_text`` (for the CLI and explanations, which may get text without one) both ask here.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def language_of(
    text: str,
    title: str | None = None,
    declared: str | None = None,
    lang_dirs: Iterable[str | Path] = (),
) -> str | None:
    """``declared`` when set, else the detector's guess from the title and text (None: too
    short to tell); ``lang_dirs`` adds folders of language files, as the loader's."""
    if declared:
        return declared
    from workers.langdetect import detect_language  # loads its model only when needed

    return detect_language(f"{title or ''}\n{text}", lang_dirs)
