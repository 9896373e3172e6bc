"""Every error newsmonitor raises on purpose, each carrying its subject.

    NewsmonitorError            subject: what it is about; retryable: can trying again help?
    ├── ConfigError             a config file or value (file:line)
    ├── RuleError               a rule file (file:line:column)
    ├── FetchError              a URL that could not be fetched (feed or page)
    │   └── BlockedAddressError a URL that resolves to a private address (never retryable)
    ├── FeedParseError          a feed whose bytes are not a feed
    ├── ExtractError            a page that yields no article text
    └── DeliveryError           a channel that did not take an alert
        └── PermanentDeliveryError  rejected for good (4xx, bad address): no retry

The queue decides on ``retryable``; a message names the subject first so a log line stands on
its own.
"""

from __future__ import annotations


class NewsmonitorError(Exception):
    retryable: bool = False

    def __init__(self, subject: str, message: str, *, retryable: bool | None = None) -> None:
        self.subject = subject
        self.message = message
        if retryable is not None:
            self.retryable = retryable
        super().__init__(f"{subject}: {message}")


class ConfigError(NewsmonitorError):
    pass


class RuleError(NewsmonitorError):
    """A rule file problem; ``subject`` is ``file:line:column``."""


class FetchError(NewsmonitorError):
    retryable = True


class BlockedAddressError(FetchError):
    retryable = False


class FeedParseError(NewsmonitorError):
    retryable = True


class ExtractError(NewsmonitorError):
    pass


class DeliveryError(NewsmonitorError):
    retryable = True


class PermanentDeliveryError(DeliveryError):
    retryable = False
