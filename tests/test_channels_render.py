"""What a message says, and the contract every notifier meets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import DeliveryError
from monitor.models import Alert, Event
from tests.test_deliver import make_alert
from workers.channels import NOTIFIERS, Notifier, SendContext, send_alert
from workers.render import describe_event, one_line, render_message

WHEN = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("event", "words"),
    [
        (
            Event("combat", "Er waren 261 gevechten aan het front.", "nl", count=261),
            "261 gevechten (combat)",
        ),
        (
            Event("attack", "Rusland voerde 1.351 aanvallen uit.", "nl", count=1351),
            "1.351 aanvallen (attack)",
        ),
        (
            Event("attack", "More than 100 drones hit Kyiv.", "en", count=100, approx=True),
            "100 drones (attack, approx.)",
        ),
        (Event("casualties", "veertig doden", "nl", count=40), "40 (casualties)"),
        (
            Event("infrastructure", "Kyiv was without power.", "en", location="Kyiv"),
            "infrastructure in Kyiv",
        ),
    ],
)
def test_events_in_words(event: Event, words: str) -> None:
    assert describe_event(event) == words


def test_message_names_rule_title_url_source_and_evidence() -> None:
    msg = render_message(make_alert(), WHEN)
    assert msg.subject == (
        "[large-attack-count] Oekraïne meldt 261 gevechten — 261 gevechten (combat)"
    )
    for text in (msg.text, msg.html):
        for needle in (
            "large-attack-count",
            "https://news.example.org/a/1",
            "news.example.org",
            "Er waren gisteren 261 gevechten aan het front.",
        ):
            assert needle in text
    assert msg.payload["sent_at"] == "2025-03-01T12:00:00+00:00"


def test_matched_text_when_there_are_no_events() -> None:
    alert = Alert(
        id="x", rule="negotiations", article=make_alert().article, matched=("onderhandelingen",)
    )
    msg = render_message(alert, WHEN)
    assert '"onderhandelingen"' in msg.text and msg.payload["matched"] == ["onderhandelingen"]


def test_untrusted_title_is_one_line_and_escaped() -> None:
    msg = render_message(make_alert(title='<img src=x onerror="a()">\r\nBcc: x\u2028y'), WHEN)
    assert "\n" not in msg.subject and "\r" not in msg.subject and "\u2028" not in msg.subject
    assert "<img" not in msg.html and "&lt;img" in msg.html
    assert one_line(" a\r\n\tb ") == "a b"


class _Tiny(Notifier):
    max_subject = 10
    max_text = 20


def test_the_base_enforces_declared_limits() -> None:
    msg = _Tiny().fit(render_message(make_alert(), WHEN))
    assert len(msg.subject) == 10 and msg.subject.endswith("…")
    assert len(msg.text) == 20


def test_every_notifier_follows_the_contract() -> None:
    for kind, cls in NOTIFIERS.items():
        assert issubclass(cls, Notifier), kind
        assert cls.send is not Notifier.send, f"{kind} must implement send"


def test_an_unknown_channel_type_raises_instead_of_returning(tmp_path: Path) -> None:
    class Odd:
        type = "pigeon"

    with pytest.raises(DeliveryError, match="pigeon"):
        send_alert(make_alert(), "coop", Odd(), SendContext(data_dir=tmp_path, sent_at=WHEN))
