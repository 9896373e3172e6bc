"""The apprise channel: one alert to every URL of the channel, through the Apprise library.

Apprise's ``notify()`` reports failure as a falsy result, not an exception. Each URL is sent on
its own, so its result says which target failed and why (the warnings Apprise logged during
that call, scrubbed of the URL's secrets); any failure becomes a retryable DeliveryError naming
the failed targets, masked. Targets that took the alert are noted (SendContext.targets), so the
retry, and a replay of the dead letter, send only to the others. A URL Apprise cannot use was
refused when the config loaded (monitor/apprise_urls.py); should one still get here (another
Apprise version on this worker), that target fails for good.
"""

from __future__ import annotations

import logging
import re

from monitor.apprise_urls import load_apprise, mask_apprise_url, scrub, split_url
from monitor.config import AppriseChannel
from monitor.errors import DeliveryError, PermanentDeliveryError
from workers.channels.base import Notifier, SendContext
from workers.render import Message

log = logging.getLogger("newsmonitor.channels.apprise")

# Apprise's notification types colour a message in most services; our severities map onto them.
NOTIFY_TYPES = {"info": "info", "warning": "warning", "critical": "failure"}
STORAGE_DIR = "apprise"  # under the data dir: Apprise's cache (e.g. a Matrix login) lives there
MAX_REASON = 300
FAILURE_LEVELS = frozenset({"WARNING", "ERROR", "CRITICAL"})
OVERFLOW_SET = re.compile(r"(?:^|&)overflow=", re.IGNORECASE)  # the user chose, in the URL


class UnusableURL(Exception):
    """Apprise cannot build a notifier of this URL: no retry can help."""


def notify_one(url: str, message: Message, timeout: float, ctx: SendContext) -> str | None:
    """Send to one Apprise URL: None when it took the message, else why not (scrubbed)."""
    apprise = load_apprise()
    asset = apprise.AppriseAsset(storage_path=str(ctx.data_dir / STORAGE_DIR))
    service = apprise.Apprise.instantiate(url, asset=asset)
    if service is None:
        raise UnusableURL(mask_apprise_url(url))
    if not OVERFLOW_SET.search(getattr(split_url(url), "query", "")):
        # Apprise's default hands an over-long message to the service as it is, which some
        # refuse for good (a digest past Telegram's 4,096 characters); split it instead.
        service.overflow_mode = apprise.OverflowMode.SPLIT
    target = apprise.Apprise(asset=asset)
    target.add(service)
    severity = str(message.payload.get("severity") or "info")
    result = target.notify(
        body=message.text,
        title=message.subject,
        body_format=apprise.NotifyFormat.TEXT,
        notify_type=NOTIFY_TYPES.get(severity, "info"),
        timeout=timeout,
        # What Apprise says is kept with the call's result; at DEBUG, all of it, for our log.
        log_level=logging.DEBUG if log.isEnabledFor(logging.DEBUG) else logging.WARNING,
    )
    said = [(entry.level, scrub(entry.message, [url])) for entry in result.logs()]
    for level, line in said:
        log.debug("apprise %s (%s): %s", level.lower(), mask_apprise_url(url), line)
    if result:
        return None
    failures = [line for level, line in said if level in FAILURE_LEVELS]
    reason = "; ".join(dict.fromkeys(failures)) or f"Apprise reports {result.status.name}"
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"


class AppriseNotifier(Notifier[AppriseChannel]):
    config = AppriseChannel
    # Bodies are split to each service's limit by Apprise (see notify_one); a subject longer
    # than a line helps no chat client.
    max_subject = 250

    def send(self, message: Message, name: str, cfg: AppriseChannel, ctx: SendContext) -> None:
        urls = [u.get_secret_value() for u in cfg.urls]
        retryable: list[str] = []
        unusable: list[str] = []
        for url in urls:
            if ctx.targets.done(url):
                continue
            try:
                reason = _attempt(url, message, cfg.timeout, ctx)
            except UnusableURL:
                unusable.append(f"{mask_apprise_url(url)}: Apprise cannot use this URL")
                continue
            if reason is None:
                ctx.targets.mark(url)
            else:
                retryable.append(f"{mask_apprise_url(url)}: {reason}")
        failed = retryable + unusable
        if not failed:
            return
        subject = f"channel {name} (apprise)"
        text = f"{len(failed)} of {len(urls)} target(s) failed: " + "; ".join(failed)
        raise (DeliveryError if retryable else PermanentDeliveryError)(subject, text)


def _attempt(url: str, message: Message, timeout: float, ctx: SendContext) -> str | None:
    """notify_one, with anything Apprise raises turned into a (scrubbed) reason to retry."""
    try:
        return notify_one(url, message, timeout, ctx)
    except UnusableURL:
        raise
    except Exception as exc:  # a plugin bug or an odd response: worth another try, never a crash
        return scrub(f"{type(exc).__name__}: {exc}", [url])
