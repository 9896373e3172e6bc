"""Email against a real SMTP server (aiosmtpd on 127.0.0.1): multipart, headers, failures."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from pathlib import Path

import pytest

from monitor.config import EmailChannel
from monitor.errors import DeliveryError, PermanentDeliveryError
from tests.servers import SMTPSink, free_port
from tests.test_deliver import make_alert
from workers.channels import SendContext, send_alert


def email_cfg(port: int, **extra: object) -> EmailChannel:
    return EmailChannel.model_validate(
        {
            "type": "email",
            "to": ["desk@example.org", "ops@example.org"],
            "from": "nm@example.org",
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "starttls": False,
            "timeout": "3s",
            **extra,
        }
    )


def ctx(tmp_path: Path) -> SendContext:
    return SendContext(data_dir=tmp_path, sent_at=datetime(2025, 3, 1, 12, 0, tzinfo=UTC))


def parsed(msg: Message) -> EmailMessage:
    """The message as a modern client reads it: headers unfolded and decoded."""
    out = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(out, EmailMessage)
    return out


def parts(msg: Message) -> dict[str, str]:
    return {
        p.get_content_type(): p.get_payload(decode=True).decode()
        for p in msg.walk()
        if not p.is_multipart()
    }


def test_multipart_names_rule_title_url_source_and_events(
    smtp_server: SMTPSink, tmp_path: Path
) -> None:
    send_alert(make_alert(), "desk", email_cfg(smtp_server.port), ctx(tmp_path))
    msg = parsed(smtp_server.messages[0])
    assert msg.get_content_type() == "multipart/alternative"
    body = parts(msg)
    for text in (body["text/plain"], body["text/html"]):
        for needle in (
            "large-attack-count",
            "261 gevechten (combat)",
            "https://news.example.org/a/1",
            "news.example.org",
        ):
            assert needle in text
    assert "Oekraïne meldt 261 gevechten" in msg["Subject"]
    assert smtp_server.envelopes == [("nm@example.org", ["desk@example.org", "ops@example.org"])]


def test_a_title_cannot_inject_headers(smtp_server: SMTPSink, tmp_path: Path) -> None:
    evil = make_alert(title="Breaking\r\nBcc: victim@evil.example\r\n\r\n<b>body</b>")
    send_alert(evil, "desk", email_cfg(smtp_server.port), ctx(tmp_path))
    msg = parsed(smtp_server.messages[0])
    assert msg["Bcc"] is None
    raw_lines = smtp_server.messages[0].as_bytes().splitlines()
    assert not any(line.lower().startswith(b"bcc:") for line in raw_lines)
    assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"]
    assert "Bcc: victim@evil.example" in msg["Subject"]  # kept as harmless text on one line
    assert smtp_server.envelopes[0][1] == ["desk@example.org", "ops@example.org"]
    assert "&lt;b&gt;body&lt;/b&gt;" in parts(msg)["text/html"]


def test_down_server_is_retryable(tmp_path: Path) -> None:
    with pytest.raises(DeliveryError) as info:
        send_alert(make_alert(), "desk", email_cfg(free_port()), ctx(tmp_path))
    assert info.value.retryable
    assert "channel desk (smtp 127.0.0.1:" in str(info.value)


def test_starttls_against_a_plain_server_is_permanent(
    smtp_server: SMTPSink, tmp_path: Path
) -> None:
    with pytest.raises(PermanentDeliveryError, match="STARTTLS"):
        send_alert(make_alert(), "desk", email_cfg(smtp_server.port, starttls=True), ctx(tmp_path))
    assert smtp_server.messages == []


def test_str_of_channel_masks_the_password() -> None:
    cfg = email_cfg(25, username="nm", password="hunter2-secret")
    assert "hunter2-secret" not in str(cfg) and "hunter2-secret" not in repr(cfg)
