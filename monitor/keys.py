"""Every Redis key newsmonitor uses, with its lifetime: the one place key names are built.

Key layout is ``nm:<noun>:<id>``. Ids that come from the outside world (URLs, guids) are hashed
so a key never carries user text and stays short.
"""

from __future__ import annotations

import hashlib

PREFIX = "nm"

DAY = 24 * 3600
# An entry's "seen" marker must outlive the entry in every feed that carries it; feeds rarely
# keep items for more than a few weeks.
SEEN_TTL = 90 * DAY
# Articles and their events: the retention window (issue 5 makes it configurable).
ARTICLE_TTL = 30 * DAY
# The "sent" guard for (rule, article, channel) must outlive every retry and redelivery of the
# alert; it lives as long as the entry's seen marker so a re-seen entry cannot alert again.
SENT_TTL = SEEN_TTL
DEAD_LETTER_MAX = 10_000

QUEUE_ENTRIES = "entries"
QUEUE_ALERTS = "alerts"


def digest(text: str) -> str:
    """A short stable id for outside text (URL, guid): 20 hex chars of SHA-256."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def seen_url(canonical_url: str) -> str:
    return f"{PREFIX}:seen:url:{digest(canonical_url)}"


def seen_guid(feed_url: str, guid: str) -> str:
    return f"{PREFIX}:seen:guid:{digest(feed_url + chr(0) + guid)}"


def feed_state(feed_url: str) -> str:
    """Hash: etag, last_modified, last_success, last_error, errors, polls."""
    return f"{PREFIX}:feed:{digest(feed_url)}"


def feeds_known() -> str:
    """Set of feed URLs that have been polled at least once (a new feed has no backlog alerts)."""
    return f"{PREFIX}:feeds:known"


def article(article_id: str) -> str:
    return f"{PREFIX}:article:{article_id}"


def articles_index() -> str:
    """Sorted set of article ids by fetch time, for listing and backtests."""
    return f"{PREFIX}:articles"


def sent(alert_id: str, channel: str) -> str:
    """Set once the channel accepted the alert; guards against a second delivery."""
    return f"{PREFIX}:sent:{alert_id}:{digest(channel)}"


def sending(alert_id: str, channel: str) -> str:
    """Short lock held while one worker delivers (rule, article, channel)."""
    return f"{PREFIX}:sending:{alert_id}:{digest(channel)}"


def dead_letters() -> str:
    """List of JSON records of deliveries that failed for good."""
    return f"{PREFIX}:dead"


def deliveries_log() -> str:
    """Capped list of JSON delivery records, newest first."""
    return f"{PREFIX}:deliveries"


def ruleset() -> str:
    """Hash: ``hash`` and ``rules`` (the validated ruleset as JSON), published by the daemon."""
    return f"{PREFIX}:ruleset"


def entry_job_id(canonical_url: str) -> str:
    """RQ job id for an entry: letters, digits, '-' only."""
    return f"entry-{digest(canonical_url)}"


def delivery_job_id(alert_id: str, channel: str) -> str:
    return f"deliver-{alert_id}-{digest(channel)}"
