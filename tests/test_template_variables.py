"""Template variables are declared once (monitor/rules/template.py TEMPLATE_VARIABLES): the
renderer (workers/render.py) gives exactly those, the load-time check renders against exactly
those, and the README lists exactly those."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from monitor.models import Alert
from monitor.rules.template import TEMPLATE_VARIABLES, sample_context
from tests.conftest import ROOT
from tests.rulekit import article, event
from workers.render import render_message, template_context

WHEN = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
# One line per declared variable: "name=<what the renderer put there>".
EVERY_VARIABLE = "".join(f"{name}=<{{{{ {name} }}}}>\n" for name in TEMPLATE_VARIABLES)


def an_alert(**kw: object) -> Alert:
    a = article(
        "x1", "De vijand voerde 145 aanvallen met drones uit.", source="nos.example",
        title="Nacht vol drones",
    ).replace(published="2025-03-01T06:00:00Z")
    ev = event("attack", 145, evidence="De vijand voerde 145 aanvallen uit.", weapon="drone")
    fields: dict[str, object] = dict(
        id="al1", rule="drones", severity="warning", article=a, events=(ev,), story="st1",
        sources=("nos.example", "nu.example"), matched=("145 aanvallen",), update=True,
    )
    return Alert(**(fields | kw))  # type: ignore[arg-type]


def rendered(alert: Alert) -> dict[str, str]:
    text = render_message(alert.replace(body_template=EVERY_VARIABLE), WHEN).text
    return dict(re.findall(r"^(\w+)=<(.*)>$", text, re.M))


def test_the_renderer_offers_exactly_the_declared_variables() -> None:
    assert set(template_context(an_alert())) == set(TEMPLATE_VARIABLES)


def test_the_load_time_check_renders_against_exactly_the_declared_variables() -> None:
    assert set(sample_context()) == set(TEMPLATE_VARIABLES)


def test_a_template_using_every_declared_variable_gets_each_substituted() -> None:
    got = rendered(an_alert())
    assert list(got) == list(TEMPLATE_VARIABLES)  # each line rendered, none left undefined
    assert got["rule"] == "drones" and got["severity"] == "warning"
    assert got["title"] == "Nacht vol drones" and got["url"] == "https://nos.example/x1"
    assert got["source"] == "nos.example" and got["feed"] == "nos.example"
    assert got["published"] == "2025-03-01T06:00:00Z" and got["lang"] == "nl"
    assert "145 aanvallen (attack)" in got["events"] and "'weapon': 'drone'" in got["events"]
    assert got["evidence"] == "De vijand voerde 145 aanvallen uit."
    assert got["matched"] == "['145 aanvallen']" and got["sources"] == "['nu.example']"
    assert got["story"] == "st1" and got["update"] == "True" and got["count"] == "145"
    assert got["alerts"] == "[]"


def test_a_digest_fills_alerts_with_each_item_s_variables() -> None:
    item = an_alert(id="al2")
    digest = an_alert(items=(item, item))
    assert all(set(x) == set(TEMPLATE_VARIABLES) for x in template_context(digest)["alerts"])
    assert rendered(digest)["alerts"].count("'rule': 'drones'") == 2


def test_the_readme_lists_exactly_the_declared_variables() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sentence = readme.split("Variables: ", 1)[1].split(".\n", 1)[0]
    top_level = re.sub(r"\([^)]*\)", "", sentence)  # events' own fields are in parentheses
    assert re.findall(r"`(\w+)`", top_level) == list(TEMPLATE_VARIABLES)
    event_fields = re.search(r"`events` \(each with ([^)]*)\)", sentence)
    assert event_fields is not None
    offered = template_context(an_alert())["events"][0]
    assert set(re.findall(r"`(\w+)`", event_fields.group(1))) <= set(offered)
