from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.errors import RuleSetError
from monitor.models import Alert
from tests.rulekit import article, event, rule
from workers.render import render_message

WHEN = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def alert(**kw: object) -> Alert:
    a = article(
        "x1",
        "De vijand voerde 145 aanvallen met drones uit.",
        source="nos.example",
        title="Nacht vol drones",
    ).replace(published="2025-03-01T06:00:00Z")
    ev = event(
        "attack", 145, evidence="De vijand voerde 145 aanvallen met drones uit.", weapon="drone"
    )
    base = dict(
        id="al1",
        rule="drones",
        article=a,
        events=(ev,),
        story="st1",
        sources=("nos.example", "nu.example", "bbc.example"),
    )
    base.update(kw)
    return Alert(**base)  # type: ignore[arg-type]


def test_default_message_has_language_evidence_and_the_other_sources() -> None:
    msg = render_message(alert(), WHEN)
    assert msg.subject == "[drones] Nacht vol drones — 145 aanvallen (attack)"
    assert "Language:  nl" in msg.text and "Published: 2025-03-01T06:00:00Z" in msg.text
    assert "“De vijand voerde 145 aanvallen met drones uit.”" in msg.text
    assert "Also reported by: nu.example, bbc.example" in msg.text
    assert msg.payload["sources"] == ["nos.example", "nu.example", "bbc.example"]
    assert msg.payload["story"] == "st1"


def test_an_update_says_so() -> None:
    msg = render_message(alert(update=True), WHEN)
    assert msg.subject.startswith("[drones] update: ")
    assert "higher count" in msg.text and msg.payload["update"] is True


def test_rule_templates_replace_subject_and_body() -> None:
    r = rule(
        "name: drones\nmatch: {event: attack}\nnotify: [hook]\ntemplate:\n"
        "  subject: '{{ severity | upper }}: {{ count }} via {{ source }}'\n"
        "  body: |\n    {% for e in events %}{{ e.words }}: {{ e.evidence }}\n    {% endfor %}"
        "Zie {{ url }} ({{ sources | join(', ') }})\n"
    )
    assert r.template is not None
    msg = render_message(
        alert(
            subject_template=r.template.subject, body_template=r.template.body, severity="warning"
        ),
        WHEN,
    )
    assert msg.subject == "WARNING: 145 via nos.example"
    assert msg.text.startswith("145 aanvallen (attack): De vijand voerde 145 aanvallen")
    assert "Zie https://nos.example/x1 (nu.example, bbc.example)" in msg.text
    assert msg.html.startswith("<pre>") and "<" not in msg.html[5:-6]


def test_untrusted_titles_cannot_break_a_template_subject() -> None:
    evil = alert(subject_template="{{ title }}")
    evil = evil.replace(article=evil.article.replace(title="A\r\nBcc: x@y"))
    assert "\n" not in render_message(evil, WHEN).subject


@pytest.mark.parametrize(
    "template",
    ["{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ titel }}", "{% for %}"],
)
def test_unsafe_or_broken_templates_fail_when_the_rule_loads(template: str) -> None:
    with pytest.raises(RuleSetError, match="template"):
        rule(f'name: t\nmatch: {{text: a}}\nnotify: [hook]\ntemplate: {{subject: "{template}"}}\n')


def test_a_digest_lists_every_alert() -> None:
    items = tuple(alert(id=f"a{i}") for i in range(3))
    digest = alert(id="dg", items=items)
    msg = render_message(digest, WHEN)
    assert msg.subject == "[drones] digest: 3 alerts"
    assert msg.text.count("Article:") == 3 and len(msg.payload["items"]) == 3
