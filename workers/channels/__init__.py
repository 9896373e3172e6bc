"""Delivery channels: an explicit table from config ``type`` to notifier, and one entry point.

An explicit dict, not plugin discovery: with a handful of channels the table is the clearest
documentation of what exists.
"""

from __future__ import annotations

from typing import Any

from monitor.config import ChannelConfig
from monitor.errors import PermanentDeliveryError
from monitor.models import Alert
from workers.channels.apprise import AppriseNotifier
from workers.channels.base import Notifier, SendContext
from workers.channels.console import ConsoleNotifier
from workers.channels.email import EmailNotifier
from workers.channels.outbox import OutboxNotifier
from workers.channels.webhook import WebhookNotifier
from workers.render import render_message

NOTIFIERS: dict[str, type[Notifier[Any]]] = {
    "email": EmailNotifier,
    "webhook": WebhookNotifier,
    "console": ConsoleNotifier,
    "outbox": OutboxNotifier,
    "apprise": AppriseNotifier,
}

__all__ = ["NOTIFIERS", "Notifier", "SendContext", "send_alert"]


def send_alert(
    alert: Alert, channel_name: str, channel_cfg: ChannelConfig, ctx: SendContext
) -> None:
    """Render the alert and hand it to the channel's notifier, within that notifier's limits.

    Raises DeliveryError when a retry may help, PermanentDeliveryError when it cannot.
    """
    kind = getattr(channel_cfg, "type", None)
    notifier_class = NOTIFIERS.get(str(kind))
    if notifier_class is None:
        raise PermanentDeliveryError(f"channel {channel_name}", f"no notifier for type {kind!r}")
    notifier = notifier_class()
    message = notifier.fit(render_message(alert, ctx.sent_at))
    notifier.send(message, channel_name, channel_cfg, ctx)
