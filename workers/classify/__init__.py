"""Event extraction: article text in, shared/EVENTS.md events out (see classify.py)."""

from workers.classify.classify import classify, classify_text

__all__ = ["classify", "classify_text"]
