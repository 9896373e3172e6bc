"""What an alert message says, as data: one place decides the words, every channel reuses them.

Channels differ in form (a mail, a JSON body, a terminal block), not in content, so the subject,
the texts and the webhook payload are built here from the Alert alone. Article titles come from
untrusted feeds: anything that lands in a one-line field is stripped of line breaks and control
characters, and the HTML is escaped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.models import Alert, Event
from monitor.rules.template import render_template

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
_NUMBER = r"\d{1,3}(?:[.,\u00a0 ]\d{3})+|\d+"
# A number and up to three words after it: the counted thing may follow names ("Russian").
_NUMBER_THEN_WORDS = re.compile(rf"(?<![\d.,])({_NUMBER})((?:\s+\w[\w-]*){{1,3}})")
UNTITLED = "(untitled)"


@dataclass(frozen=True, slots=True)
class Message:
    """One rendered alert: the same facts in each form a channel may want."""

    subject: str
    text: str
    html: str
    payload: dict[str, Any]


def one_line(value: str | None) -> str:
    """A value safe for a header or a subject: no CR/LF or other control characters."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


def describe_event(event: Event) -> str:
    """An event in words: "261 gevechten (combat)", "210 drones (interception)".

    The counted thing is the noun the classifier read the count from (``noun``), else the
    first lower-case word after the number in the evidence: "210 Russian drones" names drones,
    not Russians. Both come from the article's own words, so this holds no language knowledge.
    """
    qualifiers = event.type + (", approx." if event.approx else "")
    if event.count is None:
        return f"{qualifiers}" if not event.location else f"{qualifiers} in {event.location}"
    for number, words in _NUMBER_THEN_WORDS.findall(event.evidence):
        if int(re.sub(r"\D", "", number)) == event.count:
            noun = event.noun or _counted_word(words)
            return f"{number} {noun} ({qualifiers})" if noun else f"{number} ({qualifiers})"
    return f"{event.count} {event.noun} ({qualifiers})" if event.noun else (
        f"{event.count} ({qualifiers})")


def _counted_word(words: str) -> str | None:
    """The first word not written with a capital: names and proper adjectives are skipped."""
    return next((w for w in words.split() if w[:1].islower()), None)


def _matched_lines(alert: Alert) -> list[tuple[str, str | None]]:
    """(what matched, evidence sentence or None) for each event or matched snippet."""
    if alert.events:
        return [(describe_event(e), one_line(e.evidence)) for e in alert.events]
    return [(f'"{one_line(m)}"', None) for m in alert.matched]


def _other_sources(alert: Alert) -> list[str]:
    return [s for s in alert.sources if s != alert.article.source]


def template_context(alert: Alert) -> dict[str, Any]:
    """What a rule's template may use: exactly monitor/rules/template.py TEMPLATE_VARIABLES."""
    a = alert.article
    events = [
        {**e.to_dict(), "words": describe_event(e), "evidence": one_line(e.evidence)}
        for e in alert.events
    ]
    counts = [e.count for e in alert.events if e.count is not None]
    return {
        "rule": alert.rule,
        "severity": alert.severity or "info",
        "title": one_line(a.title) or UNTITLED,
        "url": a.url,
        "source": a.source,
        "feed": a.feed_name,
        "published": a.published or "",
        "lang": a.lang or "",
        "events": events,
        "evidence": events[0]["evidence"] if events else "",
        "matched": [one_line(m) for m in alert.matched],
        "sources": _other_sources(alert),
        "story": alert.story or "",
        "update": alert.update,
        "count": max(counts) if counts else None,
        "alerts": [template_context(x) for x in alert.items],
    }


DEFAULT_SUBJECT = (
    "[{{ rule }}] {% if alerts %}digest: {{ alerts | length }} alerts{% else %}"
    "{% if update %}update: {% endif %}{{ title }}"
    "{% if events %} — {{ events[0].words }}{% endif %}{% endif %}"
)


def render_subject(alert: Alert) -> str:
    text = render_template(alert.subject_template or DEFAULT_SUBJECT, template_context(alert))
    return one_line(text)


def _article_block(alert: Alert, lines: list[str]) -> None:
    a = alert.article
    lines += [
        f"Article:   {one_line(a.title) or UNTITLED}",
        f"URL:       {a.url}",
        f"Source:    {a.source} (feed {a.feed_name})",
    ]
    if a.published:
        lines.append(f"Published: {a.published}")
    if a.lang:
        lines.append(f"Language:  {a.lang}")
    if alert.update:
        lines.append("Update:    a later report of this story gives a higher count")
    lines.append("Matched:")
    for what, evidence in _matched_lines(alert):
        lines.append(f"  - {what}")
        if evidence:
            lines.append(f"    “{evidence}”")
    others = _other_sources(alert)
    if others:
        lines.append(f"Also reported by: {', '.join(others)}")


def render_text(alert: Alert) -> str:
    if alert.body_template:
        return render_template(alert.body_template, template_context(alert)).rstrip("\n") + "\n"
    lines = [f"Rule:      {alert.rule}"]
    if alert.items:
        lines.append(f"Digest of {len(alert.items)} alert(s)")
        for i, item in enumerate(alert.items, 1):
            lines.append(f"\n[{i}]")
            _article_block(item, lines)
    else:
        _article_block(alert, lines)
    return "\n".join(lines) + "\n"


def _html_article(alert: Alert) -> str:
    a, e = alert.article, html.escape
    items = "".join(
        f"<li>{e(what)}" + (f"<br><q>{e(ev)}</q>" if ev else "") + "</li>"
        for what, ev in _matched_lines(alert)
    )
    others = _other_sources(alert)
    return (
        f'<h3><a href="{e(a.url, quote=True)}">{e(one_line(a.title) or UNTITLED)}</a></h3>'
        f"<p>Source: {e(a.source)} (feed {e(a.feed_name)})"
        + (f"<br>Published: {e(a.published)}" if a.published else "")
        + (f"<br>Language: {e(a.lang)}" if a.lang else "")
        + (f"<br>Also reported by: {e(', '.join(others))}" if others else "")
        + f"</p><ul>{items}</ul>"
    )


def render_html(alert: Alert) -> str:
    e = html.escape
    if alert.body_template:
        return f"<pre>{e(render_text(alert))}</pre>"
    head = f"<p>Rule <b>{e(alert.rule)}</b> matched"
    if alert.items:
        return (
            head
            + f" {len(alert.items)} times:</p>"
            + "".join(_html_article(x) for x in alert.items)
        )
    return head + (" (update)" if alert.update else "") + ":</p>" + _html_article(alert)


def _payload_article(alert: Alert) -> dict[str, Any]:
    a = alert.article
    return {
        "url": a.url,
        "title": a.title,
        "source": a.source,
        "feed": a.feed_name,
        "published": a.published,
        "lang": a.lang,
    }


def render_payload(alert: Alert, sent_at: datetime) -> dict[str, Any]:
    """The webhook body: stable field names a receiver can rely on."""
    out: dict[str, Any] = {
        "alert_id": alert.id,
        "rule": alert.rule,
        "article": _payload_article(alert),
        "matched": list(alert.conditions or alert.matched),
        "events": [{**e.to_dict(), "summary": describe_event(e)} for e in alert.events],
        "severity": alert.severity,
        "story": alert.story,
        "sources": list(alert.sources),
        "update": alert.update,
        "reason": alert.reason,
        "sent_at": sent_at.isoformat(timespec="seconds"),
    }
    if alert.items:
        out["items"] = [
            {
                "alert_id": x.id,
                "article": _payload_article(x),
                "matched": list(x.conditions or x.matched),
                "events": [{**e.to_dict(), "summary": describe_event(e)} for e in x.events],
            }
            for x in alert.items
        ]
    return out


def render_message(alert: Alert, sent_at: datetime) -> Message:
    return Message(
        subject=render_subject(alert),
        text=render_text(alert),
        html=render_html(alert),
        payload=render_payload(alert, sent_at),
    )
