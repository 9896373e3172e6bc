"""Every error newsmonitor raises on purpose, each carrying its subject.

    NewsmonitorError            subject: what it is about; retryable: can trying again help?
    ├── ConfigError             a config file or value (file:line)
    ├── RuleError               a rule file (file:line:column)
    │   └── RuleSetError        every problem of one load of the rules folder
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


class RuleSetError(RuleError):
    """All problems found in one load, so ``rules check`` can list them together."""

    def __init__(self, folder: str, problems: list[RuleError]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(folder, f"{len(problems)} problem(s) in the rules:\n{lines}")


class FetchError(NewsmonitorError):
    """``status`` is the HTTP status, or None when no response came (network, timeout);
    ``retry_after`` is the server's Retry-After header on a 429/503."""

    retryable = True

    def __init__(
        self,
        subject: str,
        message: str,
        *,
        retryable: bool | None = None,
        status: int | None = None,
        retry_after: str | None = None,
    ) -> None:
        super().__init__(subject, message, retryable=retryable)
        self.status = status
        self.retry_after = retry_after


class BlockedAddressError(FetchError):
    """Refused by the private-address guard. The message always names the setting that lifts
    it, wherever it is shown (a log line, ``rules test --url``, a dead entry), because the
    refusal is a policy the operator may choose to change, not a fault of the page."""

    retryable = False
    HINT = "set fetch.allow_private: true in the config to fetch such addresses"

    def __init__(self, subject: str, message: str) -> None:
        if self.HINT not in message:  # a wrapped one (a redirect hop) has it already
            message = f"{message} ({self.HINT})"
        super().__init__(subject, message)


class FeedParseError(NewsmonitorError):
    retryable = True


class ExtractError(NewsmonitorError):
    pass


class DeliveryError(NewsmonitorError):
    retryable = True


class PermanentDeliveryError(DeliveryError):
    retryable = False
