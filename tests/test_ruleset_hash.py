"""The ruleset hash depends on the rules only: not on how or where their folder is named."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import redis

from monitor.rules import load_rules
from monitor.rules.compiled import RuleSet
from monitor.rules.publish import publish_ruleset
from tests.clirun import run_cli

RULES = {
    "drones.yaml": "name: drones\nmatch: {event: attack, weapon: drone, count: '>= 50'}\nnotify: [console]\n",
    "talks.yaml": "# talks, announced or started\nname: talks\nmatch: {event: negotiation}\nnotify: [console]\ncooldown: 6h\n",
}


@pytest.fixture
def cfg_dir(tmp_path: Path) -> Path:
    rules = tmp_path / "cfg" / "rules"
    rules.mkdir(parents=True)
    for name, text in RULES.items():
        (rules / name).write_text(text)
    (tmp_path / "cfg" / "newsmonitor.yaml").write_text("channels: {console: {type: console}}\n")
    return tmp_path / "cfg"


def checked_hash(cwd: Path, *argv: str) -> str:
    done = run_cli("rules", "check", *argv, cwd=cwd)
    assert done.returncode == 0, done.stderr
    found = re.search(r"\(hash ([0-9a-f]{16})\)", done.stdout)
    assert found, done.stdout
    return found.group(1)


def test_rules_check_gives_one_hash_however_the_folder_is_written(cfg_dir: Path) -> None:
    top = cfg_dir.parent
    hashes = {
        checked_hash(top, "cfg/rules"),
        checked_hash(top, str(cfg_dir / "rules")),
        checked_hash(cfg_dir, "rules"),
        checked_hash(cfg_dir, "./rules/"),
        checked_hash(top, "--config", "cfg/newsmonitor.yaml"),  # the config's rules folder
    }
    assert len(hashes) == 1, hashes


def test_the_same_rules_in_another_folder_give_the_same_hash(cfg_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere" / "my-rules"
    other.mkdir(parents=True)
    for i, (_, text) in enumerate(sorted(RULES.items())):
        (other / f"rule-{i}.yml").write_text(text)
    assert load_rules(other).hash == load_rules(cfg_dir / "rules").hash


def test_a_changed_rule_changes_the_hash(cfg_dir: Path) -> None:
    before = load_rules(cfg_dir / "rules").hash
    (cfg_dir / "rules" / "talks.yaml").write_text(RULES["talks.yaml"].replace("6h", "12h"))
    assert load_rules(cfg_dir / "rules").hash != before


def test_the_published_copy_keeps_its_sources_and_its_hash(cfg_dir: Path) -> None:
    ruleset = load_rules(cfg_dir / "rules")
    again = RuleSet.from_json(ruleset.to_json())
    assert again.hash == ruleset.hash
    assert again.get("talks").source.endswith("talks.yaml:2:1")  # type: ignore[union-attr]


def test_another_spelling_of_the_folder_republishes_nothing(
    cfg_dir: Path, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert publish_ruleset(redis_client, load_rules(cfg_dir / "rules")) is True
    monkeypatch.chdir(cfg_dir)
    assert publish_ruleset(redis_client, load_rules(Path("rules"))) is False
    moved = cfg_dir.parent / "moved"
    shutil.copytree(cfg_dir / "rules", moved)
    assert publish_ruleset(redis_client, load_rules(moved)) is False
