"""The email channel: a plain-text + HTML multipart message through smtplib.

Header values come from article titles, which come from untrusted feeds. The subject is already
one line (render.one_line), and the message is built with the strict ``email.policy.SMTP``
policy, which refuses any header value that still holds CR or LF: a header can be added only by
the code here, never by a title.

The Message-ID is derived from the alert id and the channel, not drawn at random: a resend of
the alert is recognisably the same message (see ``message_id``).
"""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr

from monitor.config import EmailChannel
from monitor.errors import DeliveryError, PermanentDeliveryError
from workers.channels.base import Notifier, SendContext
from workers.render import Message, one_line

ALERT_HEADER = "X-Newsmonitor-Alert"
DEFAULT_MSGID_DOMAIN = "newsmonitor.invalid"
# What RFC 5322 does not allow in the dot-atom halves of a Message-ID.
_DOT_ATOM_UNSAFE = re.compile(r"[^A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]")


def message_id(alert_id: str, channel: str, sender: str) -> str:
    """The same Message-ID on every send of one alert to one channel, so a mail system or a
    reader can drop a repeat (a retry, a dead-letter replay); another channel's copy of the
    alert is another message and gets its own. Domain: the sender's."""
    left = _DOT_ATOM_UNSAFE.sub("", alert_id) or "alert"
    channel_tag = hashlib.sha256(channel.encode("utf-8")).hexdigest()[:12]
    _, at, domain = parseaddr(sender)[1].rpartition("@")
    domain = _DOT_ATOM_UNSAFE.sub("", domain if at else "").strip(".")
    return f"<{left}.{channel_tag}.newsmonitor@{domain or DEFAULT_MSGID_DOMAIN}>"


def build_email(
    message: Message, cfg: EmailChannel, ctx: SendContext, channel: str = ""
) -> EmailMessage:
    alert_id = str(message.payload.get("alert_id", ""))
    mail = EmailMessage(policy=SMTP)
    mail["Subject"] = one_line(message.subject)
    mail["From"] = cfg.sender
    mail["To"] = ", ".join(cfg.to)
    mail["Date"] = format_datetime(ctx.sent_at)
    mail["Message-ID"] = message_id(alert_id, channel, cfg.sender)
    mail[ALERT_HEADER] = one_line(alert_id)
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    return mail


def _connect(cfg: EmailChannel) -> smtplib.SMTP:
    if cfg.ssl:
        return smtplib.SMTP_SSL(
            cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout, context=ssl.create_default_context()
        )
    smtp = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout)
    if cfg.starttls:
        try:
            smtp.starttls(context=ssl.create_default_context())
        except BaseException:
            smtp.close()
            raise
    return smtp


def _transmit(mail: EmailMessage, cfg: EmailChannel) -> None:
    with _connect(cfg) as smtp:
        if cfg.username:
            password = cfg.password.get_secret_value() if cfg.password else ""
            smtp.login(cfg.username, password)
        smtp.send_message(mail, from_addr=cfg.sender, to_addrs=cfg.to)


def classify_smtp_error(subject: str, exc: Exception) -> DeliveryError:
    """SMTP 5xx, refused recipients, failed auth and missing STARTTLS cannot heal on a retry."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return PermanentDeliveryError(subject, f"recipients refused: {sorted(exc.recipients)}")
    if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500:
        return PermanentDeliveryError(subject, f"rejected: {exc.smtp_code} {exc.smtp_error!r}")
    if isinstance(exc, smtplib.SMTPNotSupportedError | ssl.SSLCertVerificationError):
        return PermanentDeliveryError(subject, str(exc))
    return DeliveryError(subject, f"{type(exc).__name__}: {exc}")


class EmailNotifier(Notifier[EmailChannel]):
    config = EmailChannel
    # RFC 5322 recommends 78 characters per header line; folding handles more, but a subject
    # longer than a screen line is truncated by every mail client anyway.
    max_subject = 200

    def send(self, message: Message, name: str, cfg: EmailChannel, ctx: SendContext) -> None:
        subject = f"channel {name} (smtp {cfg.smtp_host}:{cfg.smtp_port})"
        mail = build_email(message, cfg, ctx, name)
        try:
            _transmit(mail, cfg)
        except (smtplib.SMTPException, OSError) as exc:  # OSError: refused, timeout, TLS
            raise classify_smtp_error(subject, exc) from exc
