"""Message templates: sandboxed Jinja2, checked when the rule loads.

Rules are edited by users and rendered with text from untrusted feeds, so templates run in
Jinja2's ``SandboxedEnvironment`` (no attribute access to internals, no imports) with
``StrictUndefined`` so a misspelt variable fails at load time against a sample alert, not in a
message at 3 a.m.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from monitor.yamlpos import did_you_mean

# The variables a template may use, declared here once: workers/render.py template_context
# gives exactly these, sample_context below checks templates against exactly these, and the
# README lists them (tests/test_template_variables.py holds the three to this tuple).
TEMPLATE_VARIABLES = (
    "rule",
    "severity",
    "title",
    "url",
    "source",
    "feed",
    "published",
    "lang",
    "events",
    "evidence",
    "matched",
    "sources",
    "story",
    "update",
    "count",
    "alerts",
)


@cache
def environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )


def sample_context() -> dict[str, Any]:
    """A context with every variable, so a template can be test-rendered at load time."""
    event = {
        "type": "combat",
        "count": 261,
        "approx": False,
        "weapon": None,
        "side": None,
        "location": "Pokrovsk",
        "status": None,
        "evidence": "261 gevechten",
        "lang": "nl",
        "words": "261 gevechten (combat)",
    }
    return {
        "rule": "sample",
        "severity": "info",
        "title": "Sample title",
        "url": "https://example.org/a",
        "source": "example.org",
        "feed": "example",
        "published": "2025-01-01T00:00:00Z",
        "lang": "nl",
        "events": [event],
        "evidence": "261 gevechten",
        "matched": ["261 gevechten"],
        "sources": ["example.org"],
        "story": "s1",
        "update": False,
        "count": 261,
        "alerts": [],
    }


def check_template(text: str) -> None:
    """Raise ValueError naming the problem when the template cannot compile or render."""
    try:
        environment().from_string(text).render(sample_context())
    except TemplateError as exc:
        lineno = getattr(exc, "lineno", None)
        line = f" (template line {lineno})" if lineno else ""
        hint = ""
        m = re.match(r"'(\w+)' is undefined", exc.message or "")
        if m:
            hint = did_you_mean(m.group(1), TEMPLATE_VARIABLES) or (
                f"; variables: {', '.join(TEMPLATE_VARIABLES)}"
            )
        raise ValueError(f"template error{line}: {exc.message or exc}{hint}") from exc


def render_template(text: str, context: dict[str, Any]) -> str:
    return environment().from_string(text).render(context)
