"""Event extraction: article text in, the events of docs/events.md out (see classify.py)."""

from workers.classify.classify import classify, classify_text

__all__ = ["classify", "classify_text"]
