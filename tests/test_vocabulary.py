"""One event vocabulary (monitor/vocabulary.py): the classifier's taxonomy, its language files,
docs/events.md and the rule schema all use the same types, weapons, sides and statuses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from monitor.errors import RuleSetError
from monitor.rules.compiled import RuleSet
from monitor.vocabulary import EVENT_TYPES, SIDES, STATUSES, WEAPONS
from tests.rulekit import rule
from workers.classify import taxonomy
from workers.classify.lexicon.loader import PACKAGE_DIR, LexiconError, parse_lexicon

ROOT = Path(__file__).resolve().parent.parent
LANG_FILES = sorted(PACKAGE_DIR.glob("*.yaml"))


def test_every_event_type_has_a_type_rule_and_every_type_rule_a_type() -> None:
    assert tuple(taxonomy.TYPES) == EVENT_TYPES


def test_a_type_rule_missing_or_of_no_type_fails_the_import() -> None:
    rules = dict(taxonomy.TYPES)
    del rules["combat"]
    with pytest.raises(ValueError, match=r"without a TypeRule: \['combat'\]"):
        taxonomy._by_type(rules)
    with pytest.raises(ValueError, match=r"rules of no type: \['battle'\]"):
        taxonomy._by_type({**taxonomy.TYPES, "battle": taxonomy.TypeRule()})


def test_the_taxonomy_names_only_vocabulary_weapons_and_statuses() -> None:
    assert sorted(taxonomy.STATUS_ORDER) == sorted(STATUSES)  # every status can be read
    assert set(WEAPONS) >= taxonomy.AIRBORNE
    assert set(WEAPONS) >= taxonomy.MUNITIONS


def _named(data: dict) -> tuple[set[str], set[str], set[str]]:  # type: ignore[type-arg]
    statuses = {s for body in (data.get("types") or {}).values() for s in (body or {}).get(
        "status") or {}}
    return set(data.get("weapons") or {}), set(data.get("sides") or {}), statuses


@pytest.mark.parametrize("path", LANG_FILES, ids=lambda p: p.name)
def test_language_files_name_only_vocabulary_values(path: Path) -> None:
    weapons, sides, statuses = _named(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert weapons <= set(WEAPONS) and sides <= set(SIDES) and statuses <= set(STATUSES)


def test_every_vocabulary_value_is_emitted_by_some_language_file() -> None:
    """A value no language file names is one no event carries: a rule on it never matches."""
    named = [_named(yaml.safe_load(p.read_text(encoding="utf-8"))) for p in LANG_FILES]
    assert set().union(*(w for w, _, _ in named)) == set(WEAPONS)
    assert set().union(*(s for _, s, _ in named)) == set(SIDES)
    assert set().union(*(st for _, _, st in named)) == set(STATUSES)


def test_the_event_contract_lists_the_same_values() -> None:
    table = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")

    def row(field: str) -> list[str]:
        line = next(x for x in table.splitlines() if x.startswith(f"| `{field}` |"))
        return re.findall(r"`([a-z_]+)`", line.split("|")[3])

    assert row("weapon") == list(WEAPONS)
    assert row("side") == list(SIDES)
    assert row("status") == list(STATUSES)


def test_a_language_file_naming_a_value_outside_the_vocabulary_is_refused_with_the_known_ones(
    tmp_path: Path,
) -> None:
    """Rules are checked against the vocabulary, so a weapon only a language file knows could
    be emitted but never asked for: the file is refused, naming the value and the known ones."""
    data = yaml.safe_load((PACKAGE_DIR / "en.yaml").read_text(encoding="utf-8"))
    data["weapons"]["tank"] = ["tank", "tanks"]
    path = tmp_path / "en.yaml"
    with pytest.raises(LexiconError, match=r"unknown key\(s\) in weapons: tank \(known: .*drone"):
        parse_lexicon(path, data)
    del data["weapons"]["tank"]
    status = next(b for b in data["types"].values() if (b or {}).get("status"))["status"]
    status["postponed"] = ["postponed"]
    with pytest.raises(LexiconError, match=r"status: postponed \(known: "):
        parse_lexicon(path, data)


def test_rules_read_back_from_redis_are_not_judged_by_this_versions_vocabulary() -> None:
    """A ruleset published by a daemon of another version may name a value this one does not
    know; refusing it would fail every entry job, so a worker takes it as published. A rule
    file with the same value is still refused where it is loaded."""
    text = "name: tanks\nmatch: {event: attack, weapon: tank}\nnotify: [console]\n"
    with pytest.raises(RuleSetError, match="unknown weapon 'tank'"):
        rule(text)
    published = json.dumps([{"name": "tanks", "match": {"event": "attack", "weapon": "tank"},
                             "notify": ["console"]}])
    assert RuleSet.from_json(published).rules[0].match.weapon == ("tank",)
