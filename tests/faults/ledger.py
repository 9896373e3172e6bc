"""Where the alerts land, and the count the fault table prints: lost, duplicates, recovery.

The receivers are real: a webhook endpoint on a local HTTP server and an SMTP server
(aiosmtpd). Each delivery they accept is an ``Arrival`` with the id the alert carries: the
webhook's ``Idempotency-Key`` header, an email's ``X-Newsmonitor-Alert`` header with its
``Message-ID``. That id is all a receiver can drop a repeat by, so the count is made on it:

- **lost**: an article that should have alerted on a channel and never arrived there;
- **duplicates**: an article that arrived on one channel under two different ids (no receiver
  can tell it is a repeat), or one id accepted twice when no fault can explain it;
- **resends**: one id accepted twice because a fault struck inside the send window (a process
  killed, or Redis stopped, within ``SEND_WINDOW`` after the channel took the alert, before the
  daemon could record it). Those the receiver drops by the id; they are allowed and shown.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tests.servers import LocalHTTPServer, Request, Response, SMTPSink

SEND_WINDOW = 2.0  # seconds from a channel's acceptance to the daemon's record of it, at most
WEBHOOK, EMAIL = "hook", "mail"
_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True, slots=True)
class Arrival:
    channel: str
    alert_id: str
    article: str
    at: float
    accepted: bool = True


class Receivers:
    """The webhook endpoint (``/hook`` on ``http``) and, when given, an SMTP server; set
    ``hook_status`` to make the webhook fail, ``hook_delay`` to have it take its time after
    taking an alert (as a real endpoint does: the daemon can die before it hears back).
    ``restart_smtp`` brings the mail server back on its port after ``stop_smtp``."""

    def __init__(self, http: LocalHTTPServer, smtp: SMTPSink | None = None) -> None:
        self.http, self.smtp = http, smtp
        self.hook_status = 200
        self.hook_delay = 0.0
        self._hook: list[Arrival] = []
        self._old_mail: list[Arrival] = []
        self._lock = threading.Lock()
        http.routes["/hook"] = self._receive

    @property
    def hook_url(self) -> str:
        return self.http.url("/hook")

    def email_channel(self) -> dict[str, object]:
        assert self.smtp is not None
        return {
            "type": "email",
            "to": ["desk@example.org"],
            "from": "Monitor <monitor@example.org>",
            "smtp_host": "127.0.0.1",
            "smtp_port": self.smtp.port,
            "starttls": False,
            "timeout": "5s",
        }

    def _receive(self, req: Request) -> Response:
        body = req.json()
        key = req.headers.get("Idempotency-Key", "")
        # A body that names another id than its header is as good as a new id.
        alert = key if body.get("alert_id") == key else f"{key}|{body.get('alert_id')}"
        status = self.hook_status
        arrival = Arrival(WEBHOOK, alert, body["article"]["url"], time.time(), status < 300)
        with self._lock:
            self._hook.append(arrival)
        return Response(b"ok" if status < 300 else b"down", status, delay=self.hook_delay)

    def stop_smtp(self) -> float:
        assert self.smtp is not None
        self._old_mail += self._mail(self.smtp)
        self.smtp.stop()
        return time.time()

    def restart_smtp(self) -> float:
        assert self.smtp is not None
        self.smtp = SMTPSink(self.smtp.port).start()
        return time.time()

    def _mail(self, sink: SMTPSink) -> list[Arrival]:
        got = list(zip(sink.messages, sink.received_at, strict=False))
        out = []
        for message, at in got:
            alert = f"{message['X-Newsmonitor-Alert']}|{message['Message-ID']}"
            out.append(Arrival(EMAIL, alert, _article_of(message), at))
        return out

    def arrivals(self) -> list[Arrival]:
        with self._lock:
            hook = list(self._hook)
        mail = self._old_mail + (self._mail(self.smtp) if self.smtp else [])
        return hook + mail

    def articles(self, channel: str) -> set[str]:
        return {a.article for a in self.arrivals() if a.channel == channel and a.accepted}


def _article_of(message: object) -> str:
    """The article link an alert email names: the first URL of its plain text."""
    from email.message import Message

    assert isinstance(message, Message)
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            text = payload.decode(errors="replace") if isinstance(payload, bytes) else ""
            found = _URL.search(text)
            return found.group(0).rstrip(".,)") if found else ""
    return ""


@dataclass(frozen=True, slots=True)
class Tally:
    alerts_out: int  # distinct (channel, alert id) accepted
    lost: int
    duplicates: int
    resends: int
    last: float | None  # when the last expected article first arrived


def tally(
    arrivals: Iterable[Arrival], expected: Mapping[str, set[str]], faults: Iterable[float] = ()
) -> Tally:
    """Count ``arrivals`` against the articles ``expected`` on each channel, with the times
    of the ``faults`` injected (kills, stops) for telling a resend from a duplicate."""
    accepted = sorted((a for a in arrivals if a.accepted), key=lambda a: a.at)
    hits = sorted(faults)
    ids: dict[tuple[str, str], set[str]] = defaultdict(set)
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    first: dict[tuple[str, str], float] = {}
    for a in accepted:
        ids[(a.channel, a.article)].add(a.alert_id)
        times[(a.channel, a.alert_id)].append(a.at)
        first.setdefault((a.channel, a.article), a.at)
    duplicates = sum(len(v) - 1 for v in ids.values())
    resends = 0
    for seen in times.values():
        for _ in seen[1:]:
            # An id accepted again is a resend only if a fault struck in its send window.
            if any(seen[0] <= t <= seen[0] + SEND_WINDOW for t in hits):
                resends += 1
            else:
                duplicates += 1
    wanted = [(ch, art) for ch, arts in expected.items() for art in arts]
    lost = sum(1 for key in wanted if key not in first)
    last = max((first[k] for k in wanted if k in first), default=None)
    return Tally(len(times), lost, duplicates, resends, last)
