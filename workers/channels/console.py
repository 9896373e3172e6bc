"""The terminal channel: one readable block per alert, for a first run and for debugging."""

from __future__ import annotations

from monitor.config import ConsoleChannel
from workers.channels.base import Notifier, SendContext
from workers.render import Message

RULE = "─" * 72


class ConsoleNotifier(Notifier[ConsoleChannel]):
    config = ConsoleChannel
    max_subject = 200

    def send(self, message: Message, name: str, cfg: ConsoleChannel, ctx: SendContext) -> None:
        block = f"{RULE}\n{message.subject}\n\n{message.text}{RULE}\n"
        # One write, so blocks from several worker threads do not interleave line by line.
        ctx.stdout.write(block)
        ctx.stdout.flush()
