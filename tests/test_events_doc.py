"""docs/events.md is the event contract; its hard-case table is living documentation: every
row is classified and must give exactly the events the table lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workers.classify import classify_text

DOC = Path(__file__).resolve().parent.parent / "docs" / "events.md"
WAR = "The war goes on. "  # an article about armed conflict, as the table assumes
_ROW = re.compile(r'^\| "(?P<text>[^"]+)" \| (?P<events>[^|]+) \|$')
_EVENT = re.compile(r"\b([a-z_]+)(?: (\d+))?(?: \([a-z]+\))?")
TYPES = {"attack", "combat", "interception", "casualties", "territorial_change", "negotiation",
         "ceasefire", "prisoner_exchange", "troop_deployment", "sanctions", "infrastructure"}


def hard_cases() -> list[tuple[str, set[tuple[str, int | None]]]]:
    section = DOC.read_text(encoding="utf-8").split("## Hard cases", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        m = _ROW.match(line.strip())
        if not m:
            continue
        listed = m.group("events").split(";")[0]
        events = {(t, int(c) if c else None) for t, c in _EVENT.findall(listed) if t in TYPES}
        rows.append((m.group("text").replace(" ... ", ". "), events))
    return rows


def test_the_table_is_there() -> None:
    assert len(hard_cases()) >= 10


@pytest.mark.parametrize(("text", "events"), hard_cases())
def test_each_hard_case_gives_the_listed_events(
    text: str, events: set[tuple[str, int | None]]
) -> None:
    got = {(e.type, e.count) for e in classify_text(WAR + text, "en", published="2025-03-10")}
    counted = {t for t, c in events if c is not None}
    # a listed type without a count may come with none; a listed count must be exact
    assert {(t, c) for t, c in got if t in counted} == {e for e in events if e[0] in counted}
    assert {t for t, _ in got} == {t for t, _ in events}
