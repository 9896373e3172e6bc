"""The contract every channel meets, and the limits the base enforces once for all of them.

A notifier is a small class: it declares its channel config (``config``: the pydantic class of
monitor/config.py its ``send`` takes) and its limits as class attributes (apprise's pattern),
and implements ``send``. It raises ``DeliveryError`` when trying again may help (server down,
timeout, 5xx) and ``PermanentDeliveryError`` when it cannot (rejected address, 4xx), never
returns False: the queue decides on retries from the exception alone.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Generic, TextIO, TypeVar

from workers.channels.targets import MemoryTargets, SentTargets
from workers.render import Message

ELLIPSIS = "…"
C = TypeVar("C")  # the notifier's channel config (monitor.config.WebhookChannel, ...)


@dataclass(frozen=True, slots=True)
class SendContext:
    """What a send may need beyond the channel's own settings; fixed per delivery attempt."""

    data_dir: Path
    sent_at: datetime
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    # For channels with several targets: which of them already took this alert.
    targets: SentTargets = field(default_factory=MemoryTargets)


def _fit(value: str, limit: int | None) -> str:
    if limit is None or len(value) <= limit:
        return value
    return value[: max(limit - len(ELLIPSIS), 0)] + ELLIPSIS


class Notifier(Generic[C]):
    """Base of every channel: subclasses set ``config`` and the limits, and implement ``send``."""

    config: ClassVar[type[Any]] = object  # the channel config class ``send`` takes

    # None means "no limit". Lengths are in characters.
    max_subject: ClassVar[int | None] = None
    max_text: ClassVar[int | None] = None

    def fit(self, message: Message) -> Message:
        """The message cut to this channel's limits, so no channel has to check them itself."""
        return dataclasses.replace(
            message,
            subject=_fit(message.subject, self.max_subject),
            text=_fit(message.text, self.max_text),
        )

    def send(self, message: Message, name: str, cfg: C, ctx: SendContext) -> None:
        raise NotImplementedError
