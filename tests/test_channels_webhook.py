"""Webhook against a real HTTP server on 127.0.0.1: payload, signature, status handling."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.config import WebhookChannel
from monitor.errors import DeliveryError, PermanentDeliveryError
from tests.servers import LocalHTTPServer, Response, free_port
from tests.test_deliver import SECRET, make_alert
from workers.channels import SendContext, send_alert


def hook_cfg(url: str, **extra: object) -> WebhookChannel:
    return WebhookChannel.model_validate({"type": "webhook", "url": url, "timeout": "2s", **extra})


def ctx(tmp_path: Path) -> SendContext:
    return SendContext(data_dir=tmp_path, sent_at=datetime.now(UTC).replace(microsecond=0))


def verify(header: str, body: bytes, secret: str) -> int:
    """An independent receiver-side check; returns the signed timestamp."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256)
    assert hmac.compare_digest(fields["v1"], expected.hexdigest())
    return int(fields["t"])


def test_signed_json_payload(http_server: LocalHTTPServer, tmp_path: Path) -> None:
    http_server.routes["/hook"] = Response(b"", 204)
    send_alert(
        make_alert(), "ops", hook_cfg(http_server.url("/hook"), secret=SECRET), ctx(tmp_path)
    )
    (req,) = http_server.requests_to("/hook")
    assert req.method == "POST" and req.headers["Content-Type"].startswith("application/json")
    t = verify(req.headers["X-Newsmonitor-Signature"], req.body, SECRET)
    assert abs(t - time.time()) < 60
    body = req.json()
    assert body["alert_id"] == "a1b2c3" and body["rule"] == "large-attack-count"
    assert body["article"] == {
        "url": "https://news.example.org/a/1",
        "title": "Oekraïne meldt 261 gevechten",
        "source": "news.example.org",
        "feed": "example-world",
        "published": "2025-03-01T10:00:00+00:00",
        "lang": "nl",
    }
    (event,) = body["events"]
    assert event["type"] == "combat" and event["count"] == 261
    assert event["summary"] == "261 gevechten (combat)"
    assert datetime.fromisoformat(body["sent_at"]).timestamp() == t


def test_a_tampered_body_fails_verification(http_server: LocalHTTPServer, tmp_path: Path) -> None:
    http_server.routes["/hook"] = Response(b"", 200)
    send_alert(
        make_alert(), "ops", hook_cfg(http_server.url("/hook"), secret=SECRET), ctx(tmp_path)
    )
    (req,) = http_server.requests_to("/hook")
    tampered = json.dumps({**req.json(), "rule": "other"}).encode()
    with pytest.raises(AssertionError):
        verify(req.headers["X-Newsmonitor-Signature"], tampered, SECRET)


def test_unsigned_without_secret(http_server: LocalHTTPServer, tmp_path: Path) -> None:
    http_server.routes["/hook"] = Response(b"", 200)
    send_alert(make_alert(), "ops", hook_cfg(http_server.url("/hook")), ctx(tmp_path))
    assert "X-Newsmonitor-Signature" not in http_server.requests_to("/hook")[0].headers


@pytest.mark.parametrize(
    ("status", "retryable"),
    [
        (500, True),
        (503, True),
        (408, True),
        (429, True),
        (400, False),
        (401, False),
        (404, False),
        (301, False),
    ],
)
def test_status_decides_retry(
    status: int, retryable: bool, http_server: LocalHTTPServer, tmp_path: Path
) -> None:
    http_server.routes["/hook"] = Response(b"x", status)
    expected = DeliveryError if retryable else PermanentDeliveryError
    with pytest.raises(expected, match=f"HTTP {status}") as info:
        send_alert(make_alert(), "ops", hook_cfg(http_server.url("/hook")), ctx(tmp_path))
    assert info.value.retryable is retryable


def test_timeout_and_refused_are_retryable(http_server: LocalHTTPServer, tmp_path: Path) -> None:
    http_server.routes["/slow"] = Response(b"", 200, delay=1.0)
    slow = hook_cfg(http_server.url("/slow"), timeout="0.2s")
    for cfg in (slow, hook_cfg(f"http://127.0.0.1:{free_port()}/hook")):
        with pytest.raises(DeliveryError) as info:
            send_alert(make_alert(), "ops", cfg, ctx(tmp_path))
        assert info.value.retryable and "channel ops (webhook http://127.0.0.1:" in str(info.value)


def test_str_masks_secret_and_url_tokens() -> None:
    cfg = hook_cfg(
        "https://user:pw@hooks.example.org/x?token=tok123",
        secret=SECRET,
        headers={"Authorization": "Bearer abc"},
    )
    for text in (str(cfg), repr(cfg)):
        assert SECRET not in text and "tok123" not in text and "pw" not in text
        assert "abc" not in text
