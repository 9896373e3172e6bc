"""The webhook channel: the alert as a JSON POST, signed with HMAC-SHA256 when a secret is set.

Signature header, in the style of Stripe's, so a receiver can reject replays by the timestamp:
``X-Newsmonitor-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``.
The receiver must verify against the raw bytes it got, which is why the body is serialised once
here and sent as bytes. ``Idempotency-Key`` is the alert id (also ``alert_id`` in the body), the
same on every resend of the alert.

The HTTP client is injectable (``WebhookNotifier(client)``); by default every webhook of the
process shares one connection pool, redirects off (a redirect is an answer, not followed).
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import json
from functools import cache
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from monitor.config import WebhookChannel, mask_url
from monitor.errors import DeliveryError, PermanentDeliveryError
from workers.channels.base import Notifier, SendContext
from workers.render import Message

SIGNATURE_HEADER = "X-Newsmonitor-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
USER_AGENT = "newsmonitor-webhook/1"
# Not server errors, but a later try may succeed: request timeout and rate limiting.
RETRYABLE_4XX = frozenset({408, 429})


def _no_cookies() -> CookieJar:
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


@cache
def shared_client() -> httpx.Client:
    """The process's webhook client: one connection pool, closed at exit. It keeps no
    cookies: a receiver's Set-Cookie must not ride along on the next channel's POST to the
    same host (each send stood alone when it had a client of its own)."""
    client = httpx.Client(follow_redirects=False, cookies=_no_cookies())
    atexit.register(client.close)
    return client


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def encode_body(message: Message) -> bytes:
    return json.dumps(message.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def build_headers(
    cfg: WebhookChannel, body: bytes, timestamp: int, alert_id: str
) -> dict[str, str]:
    headers = {k: v.get_secret_value() for k, v in cfg.headers.items()}
    headers.update({"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT})
    # Every resend of an alert (a retry, a dead-letter replay, a send repeated because the
    # worker died before recording it) carries the same key: the receiver can drop repeats.
    headers[IDEMPOTENCY_HEADER] = alert_id
    if cfg.secret is not None:
        headers[SIGNATURE_HEADER] = sign(cfg.secret.get_secret_value(), timestamp, body)
    return headers


def check_status(subject: str, response: httpx.Response) -> None:
    """2xx delivered; 5xx, 408 and 429 worth another try; any other answer is final."""
    status = response.status_code
    if 200 <= status < 300:
        return
    message = f"HTTP {status} {response.reason_phrase}".rstrip()
    if status >= 500 or status in RETRYABLE_4XX:
        raise DeliveryError(subject, message)
    raise PermanentDeliveryError(subject, message)


class WebhookNotifier(Notifier[WebhookChannel]):
    config = WebhookChannel

    def __init__(self, client: httpx.Client | None = None) -> None:
        self.client = client or shared_client()

    def send(self, message: Message, name: str, cfg: WebhookChannel, ctx: SendContext) -> None:
        subject = f"channel {name} (webhook {mask_url(cfg.url)})"
        body = encode_body(message)
        alert_id = str(message.payload.get("alert_id", ""))
        headers = build_headers(cfg, body, int(ctx.sent_at.timestamp()), alert_id)
        try:
            response = self.client.post(
                cfg.url, content=body, headers=headers, timeout=cfg.timeout, follow_redirects=False
            )
        except httpx.TransportError as exc:  # connect/read timeouts, refused, reset, DNS
            raise DeliveryError(subject, f"{type(exc).__name__}: {exc}") from exc
        except httpx.InvalidURL as exc:
            raise PermanentDeliveryError(subject, f"invalid URL: {exc}") from exc
        check_status(subject, response)
