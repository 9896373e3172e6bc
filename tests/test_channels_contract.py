"""The notifier contract, by behaviour: every entry of the registry delivers a real message to
a real local peer (an HTTP receiver, an SMTP server, a file, a stream), through ``send_alert``.

A notifier added to ``NOTIFIERS`` without a peer here fails ``test_every_notifier_delivers``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from monitor.config import (
    AppriseChannel,
    ConsoleChannel,
    EmailChannel,
    OutboxChannel,
    WebhookChannel,
)
from tests.servers import LocalHTTPServer, Response, SMTPSink
from tests.test_deliver import make_alert
from workers.channels import NOTIFIERS, SendContext, send_alert
from workers.channels.webhook import WebhookNotifier, shared_client
from workers.render import render_message

WHEN = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ALERT_ID = "contract-1"


@dataclass
class Peers:
    http: LocalHTTPServer
    smtp: SMTPSink
    tmp: Path
    out: io.StringIO


@dataclass
class Case:
    """The channel config that points at the peer, and what the peer got (None: nothing)."""

    config: Callable[[Peers], Any]
    received: Callable[[Peers], str | None]


def _webhook_got(p: Peers) -> str | None:
    reqs = p.http.requests_to("/hook")
    return str(reqs[0].json()["alert_id"]) if reqs else None


def _email_got(p: Peers) -> str | None:
    return str(p.smtp.messages[0]["X-Newsmonitor-Alert"]) if p.smtp.messages else None


def _outbox_got(p: Peers) -> str | None:
    path = p.tmp / "outbox.jsonl"
    return str(json.loads(path.read_text())["alert_id"]) if path.exists() else None


def _console_got(p: Peers) -> str | None:
    return p.out.getvalue() or None


def _apprise_got(p: Peers) -> str | None:
    reqs = p.http.requests_to("/apprise")
    return str(reqs[0].json()["message"]) if reqs else None


CASES: dict[str, Case] = {
    "webhook": Case(
        lambda p: WebhookChannel(type="webhook", url=p.http.url("/hook"), timeout=5),
        _webhook_got,
    ),
    "email": Case(
        lambda p: EmailChannel.model_validate(
            {"type": "email", "to": "desk@example.org", "from": "nm@example.org",
             "smtp_host": "127.0.0.1", "smtp_port": p.smtp.port, "starttls": False}
        ),
        _email_got,
    ),
    "outbox": Case(lambda p: OutboxChannel(type="outbox", path=p.tmp / "outbox.jsonl"), _outbox_got),
    "console": Case(lambda p: ConsoleChannel(type="console"), _console_got),
    "apprise": Case(
        lambda p: AppriseChannel.model_validate(
            {"type": "apprise", "urls": [f"json://{p.http.base.split('//')[1]}/apprise"]}
        ),
        _apprise_got,
    ),
}


@pytest.mark.parametrize("kind", sorted(NOTIFIERS))
def test_every_notifier_delivers(
    kind: str, http_server: LocalHTTPServer, smtp_server: SMTPSink, tmp_path: Path
) -> None:
    assert kind in CASES, f"notifier {kind!r} has no local peer in this contract test"
    http_server.routes["/hook"] = Response(b"", 204)
    http_server.routes["/apprise"] = Response(b"{}", 200)
    peers = Peers(http_server, smtp_server, tmp_path, io.StringIO())
    case = CASES[kind]
    cfg = case.config(peers)
    assert isinstance(cfg, NOTIFIERS[kind].config), "the notifier's typed config"
    assert case.received(peers) is None
    send_alert(make_alert(alert_id=ALERT_ID), kind, cfg, SendContext(tmp_path, WHEN, peers.out))
    got = case.received(peers)
    assert got is not None and (ALERT_ID in got or "261 gevechten" in got), got


def test_a_webhook_sends_through_the_client_it_is_given(
    http_server: LocalHTTPServer, tmp_path: Path
) -> None:
    http_server.routes["/hook"] = Response(b"", 204)
    seen: list[httpx.Request] = []
    with httpx.Client(event_hooks={"request": [seen.append]}) as client:
        cfg = WebhookChannel(type="webhook", url=http_server.url("/hook"), timeout=5)
        WebhookNotifier(client).send(render_message(make_alert(), WHEN), "ops", cfg,
                                     SendContext(tmp_path, WHEN))
    assert [r.url for r in seen] == [httpx.URL(http_server.url("/hook"))]
    assert http_server.requests_to("/hook")[0].json()["alert_id"] == "a1b2c3"


def test_the_shared_webhook_client_carries_no_cookie_from_one_send_to_the_next(
    http_server: LocalHTTPServer, tmp_path: Path
) -> None:
    """Two channels on one host share the pooled client; a session cookie one receiver sets
    must not reach the other (each send stood alone when it had a client of its own)."""
    http_server.routes["/a"] = Response(b"", 204, headers={"Set-Cookie": "sid=tenant-a; Path=/"})
    http_server.routes["/b"] = Response(b"", 204)
    client = shared_client.__wrapped__()  # a fresh one, built as the process's is
    try:
        for path in ("/a", "/b"):
            cfg = WebhookChannel(type="webhook", url=http_server.url(path), timeout=5)
            WebhookNotifier(client).send(render_message(make_alert(), WHEN), path, cfg,
                                         SendContext(tmp_path, WHEN))
    finally:
        client.close()
    assert http_server.requests_to("/a") and http_server.requests_to("/b")
    assert "cookie" not in {k.lower() for k in http_server.requests_to("/b")[0].headers}
