"""The JSON Schemas of rule and config files: generated, committed, and in step with the models.

Each YAML text here is read the way newsmonitor reads it (monitor.yamlpos), then checked by
both the model and the schema: what the model accepts the schema must accept; what the schema
rejects the model must reject. Where the model checks more than a schema can say, the schema is
looser, and ``rules check`` stays the authority (the last tests pin that split).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from jsonschema import Draft7Validator

from monitor import cli
from monitor.config import parse_config
from monitor.errors import ConfigError, RuleSetError
from monitor.rules.load import parse_rule_text
from monitor.schemas import SCHEMA_FILES, schema_text
from monitor.yamlpos import load_yaml
from tests.conftest import ROOT

SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)\n")
VALIDATORS = {
    kind: Draft7Validator(
        json.loads((ROOT / path).read_text(encoding="utf-8")),
        format_checker=Draft7Validator.FORMAT_CHECKER,
    )
    for kind, path in SCHEMA_FILES.items()
}


def data_of(text: str) -> Any:
    return load_yaml(text, "t.yaml")[0]


def schema_ok(kind: str, text: str) -> bool:
    return VALIDATORS[kind].is_valid(data_of(text))


def accepted(parse: Callable[[str, str], object], error: type[Exception], text: str) -> bool:
    try:
        parse(text, "t.yaml")
    except error:
        return False
    return True


def rule_ok(text: str) -> bool:
    return accepted(parse_rule_text, RuleSetError, text)


def config_ok(text: str) -> bool:
    return accepted(parse_config, ConfigError, text)


# --- the files and the commands --------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "argv"), [("rule", ["rules", "schema"]), ("config", ["config", "schema"])]
)
def test_committed_schema_is_what_the_command_prints(
    kind: str, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 0
    printed = capsys.readouterr().out
    assert printed == schema_text(kind)
    committed = (ROOT / SCHEMA_FILES[kind]).read_text(encoding="utf-8")
    assert committed == printed, f"{SCHEMA_FILES[kind]} is stale: run make schemas"


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_schema_is_a_valid_draft_07_schema_without_later_keywords(kind: str) -> None:
    schema = VALIDATORS[kind].schema
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(schema)
    text = json.dumps(schema)
    for later in ("$defs", "prefixItems", "dependentRequired", "unevaluated", "$dynamicRef"):
        assert f'"{later}"' not in text  # editors on draft-07 would ignore them silently
    refs = re.findall(r'"\$ref": "#/definitions/(\w+)"', text)
    assert refs and set(refs) <= set(schema["definitions"])


SHIPPED = [
    *((p, "rule") for p in sorted((ROOT / "rules").glob("*.yaml"))),
    (ROOT / "deploy" / "newsmonitor.yaml", "config"),
    (ROOT / "monitor" / "defaults" / "newsmonitor.yaml", "config"),
]


@pytest.mark.parametrize(("path", "kind"), SHIPPED, ids=lambda x: getattr(x, "name", x))
def test_shipped_files_point_their_editor_at_the_schema_and_pass_it(path: Path, kind: str) -> None:
    text = path.read_text(encoding="utf-8")
    m = SCHEMA_LINE.match(text)
    assert m, f"{path} lacks a first line '# yaml-language-server: $schema=...'"
    assert (path.parent / m.group(1)).resolve() == (ROOT / SCHEMA_FILES[kind]).resolve()
    errors = [e.message for e in VALIDATORS[kind].iter_errors(data_of(text))]
    assert errors == []


# --- every valid rule and config we have passes ----------------------------------------------
def yaml_strings_in_tests() -> list[str]:
    """Every string literal of the test suite that is a YAML mapping with ``name`` and ``match``."""
    found = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                try:
                    data = data_of(node.value)
                except Exception:  # not YAML at all
                    continue
                if isinstance(data, dict) and {"name", "match"} <= data.keys():
                    found.append(node.value)
    return found


def readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)


def test_every_rule_the_model_accepts_in_the_tests_and_readme_passes_the_schema() -> None:
    texts = yaml_strings_in_tests() + [b for b in readme_blocks() if re.search(r"^match:", b, re.M)]
    valid = [t for t in texts if rule_ok(t)]
    assert len(valid) >= 30, "the scan of the test suite found too few rules"
    rejected = [t for t in valid if not schema_ok("rule", t)]
    assert rejected == []
    # And the other way round: whatever the schema refuses, the loader refuses too.
    assert [t for t in texts if not schema_ok("rule", t) and rule_ok(t)] == []


# Fake but well-formed values for the ${VAR}s of the README's configs (Apprise checks shapes).
README_ENV = {
    "SMTP_USER": "monitor",
    "SMTP_PASSWORD": "pw",
    "HOOK_SECRET": "s3cret",
    "SLACK_TOKENS": "T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx",
    "TELEGRAM_BOT_TOKEN": "123456789:AAHfakeTokenForTests0123456789abcdef",
    "TELEGRAM_CHAT_ID": "-1001234567",
    "NTFY_TOPIC": "newsroom-alerts-x7",
    "NTFY_PASSWORD": "pw",
}


def test_readme_configs_pass_the_loader_and_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = [b for b in readme_blocks() if re.search(r"^(channels|redis_url):", b, re.M)]
    assert len(blocks) == 2  # the full example and the Apprise one
    for var, value in README_ENV.items():
        monkeypatch.setenv(var, value)
    for block in blocks:
        assert config_ok(block) and schema_ok("config", block)


# --- what the schema rejects, as the model does ----------------------------------------------
RULE = "name: r1\nmatch: {{{match}}}\nnotify: [console]\n{extra}"

BAD_RULES = {
    "unknown top-level key": RULE.format(match="event: attack", extra="cooldwn: 6h\n"),
    "unknown match key": RULE.format(match="evnt: attack", extra=""),
    "unknown nested key": RULE.format(match="any: [{event: attack}, {txt: a}]", extra=""),
    "unknown event type": RULE.format(match="event: atack", extra=""),
    "unknown event type in a list": RULE.format(match="event: [attack, drones]", extra=""),
    "unknown weapon": RULE.format(match="event: attack, weapon: drones", extra=""),
    "unknown side in a list": RULE.format(match="side: [civilian, soldiers]", extra=""),
    "unknown status": RULE.format(match="event: ceasefire, status: agreed", extra=""),
    "duration without a number": RULE.format(match="event: attack", extra="cooldown: soon\n"),
    "duration in words": RULE.format(match="event: attack", extra="new_for: 6 hours\n"),
    "zero duration": RULE.format(match="event: attack", extra="cooldown: 0s\n"),
    "negative duration": RULE.format(match="event: attack", extra="digest: -60\n"),
    "count in words": RULE.format(match="event: attack, count: lots", extra=""),
    "count with two operators": RULE.format(match="event: attack, count: '>= < 5'", extra=""),
    "count range with an operator": RULE.format(match="event: attack, count: '>= 1..5'", extra=""),
    "negative count": RULE.format(match="event: attack, count: -3", extra=""),
    "fractional count": RULE.format(match="event: attack, count: 2.5", extra=""),
    "boolean count": RULE.format(match="event: attack, count: true", extra=""),
    "unknown severity": RULE.format(match="event: attack", extra="severity: urgent\n"),
    "unknown once_per": RULE.format(match="event: attack", extra="once_per: day\n"),
    "approx not a boolean": RULE.format(match="event: attack, approx: maybe", extra=""),
    "window group_by": RULE.format(
        match="event: attack", extra="window: {count: 3, within: 1h, group_by: city}\n"
    ),
    "window count zero": RULE.format(
        match="event: attack", extra="window: {count: 0, within: 1h}\n"
    ),
    "quiet hours not a time": RULE.format(
        match="event: attack", extra="quiet_hours: {from: '25:00', to: '07:00'}\n"
    ),
    "min_sources zero": RULE.format(match="event: attack", extra="min_sources: 0\nwithin: 1h\n"),
    "empty match": RULE.format(match="", extra=""),
    "no channel": "name: r1\nmatch: {event: attack}\nnotify: []\n",
    "no match": "name: r1\nnotify: [console]\n",
    "name with a space": "name: my rule\nmatch: {event: attack}\nnotify: [console]\n",
    "version 2": RULE.format(match="event: attack", extra="version: 2\n"),
    "source at the top (it belongs under match)": RULE.format(
        match="event: attack", extra="source: '*.nos.nl'\n"
    ),
}


@pytest.mark.parametrize("text", BAD_RULES.values(), ids=BAD_RULES.keys())
def test_schema_and_loader_both_reject(text: str) -> None:
    assert not rule_ok(text)
    assert not schema_ok("rule", text)


GOOD_RULES = {
    "every count form": [
        RULE.format(match=f"event: attack, count: {c}", extra="")
        for c in (
            "'>= 100'",
            "'< 10'",
            "'> 5'",
            "'<=7'",
            "'== 3'",
            "'= 3'",
            "'100..500'",
            "42",
            "0",
        )
    ],
    "every duration form": [
        RULE.format(match="event: attack", extra=f"cooldown: {d}\n")
        for d in ("30s", "2m", "1h", "7d", "2w", "0.5h", "90", "1.5")
    ],
    "lists or one value": [
        RULE.format(match="event: [attack, combat], lang: nl, feed: nos-*", extra=""),
        "name: r1\nmatch: {event: ceasefire, status: concluded}\nnotify: console\n",
    ],
    "vocabulary values in any case": [
        RULE.format(match="event: attack, weapon: Drone, side: [CIVILIAN, military]", extra=""),
        RULE.format(match="event: ceasefire, status: [Announced, ongoing]", extra=""),
    ],
    "everything at once": [
        """\
version: 1
name: all-keys
description: uses every key
match:
  lang: [nl, en]
  any:
    - {event: casualties, count: ">= 10", side: civilian, approx: false}
    - {event: attack, weapon: drone, count: "100..500", location: "Khar*"}
  all: [{feed: "nos-*"}, {source: "*.nos.nl"}]
  not: {text: "(?i)oefening|exercise", title: "^Live"}
notify: [console, hook]
severity: critical
once_per: story
update_when: count_increases
min_sources: 3
within: 6h
window: {count: 3, within: 1h, group_by: location, of: stories}
new_for: 48h
cooldown: 6h
quiet_hours: {from: "23:00", to: "07:00", tz: Europe/Amsterdam, then: digest}
digest: 1h
template: {subject: "{{ title }}", body: "{{ url }}"}
""",
        "name: quiet-feed\nmatch: {feed: nos-*, feed_silent: 3}\nnotify: [console]\n",
    ],
}


@pytest.mark.parametrize(
    "text", [t for ts in GOOD_RULES.values() for t in ts], ids=lambda t: t.split("\n")[1][:40]
)
def test_schema_and_loader_both_accept(text: str) -> None:
    assert rule_ok(text)
    assert schema_ok("rule", text), [
        e.message for e in VALIDATORS["rule"].iter_errors(data_of(text))
    ]


LOOSER = {
    "a regex that does not compile": RULE.format(match="text: '(unclosed'", extra=""),
    "an empty count range": RULE.format(match="event: attack, count: '500..100'", extra=""),
    "an unknown time zone": RULE.format(
        match="event: attack", extra="quiet_hours: {from: '23:00', to: '07:00', tz: Mars/Base}\n"
    ),
    "within without min_sources": RULE.format(match="event: attack", extra="within: 6h\n"),
    "a template that does not parse": RULE.format(
        match="event: attack", extra="template: {subject: '{{ title '}\n"
    ),
}


@pytest.mark.parametrize("text", LOOSER.values(), ids=LOOSER.keys())
def test_where_the_schema_cannot_say_it_rules_check_does(text: str) -> None:
    assert schema_ok("rule", text) and not rule_ok(text)


# --- the config schema ------------------------------------------------------------------------
GOOD_CONFIGS = {
    "apprise, one url or several": """\
channels:
  chat: {type: apprise, urls: "ntfys://ntfy.sh/newsroom-alerts"}
  team:
    type: apprise
    urls: ["slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#news", "tgram://123456789:AAHbot/-1001"]
    timeout: 20s
""",
    "environment references in numbers, booleans and durations": """\
workers: ${WORKERS:-4}
job_timeout: ${JOB_TIMEOUT:-5m}
health: {enabled: "${HEALTH:-true}", port: "${PORT:-9464}"}
channels:
  mail: {type: email, to: desk@example.org, from: m@example.org, smtp_host: smtp.example.org,
         smtp_port: "${SMTP_PORT:-587}", password: "${SMTP_PASSWORD:-x}"}
""",
}


@pytest.mark.parametrize("text", GOOD_CONFIGS.values(), ids=GOOD_CONFIGS.keys())
def test_config_schema_and_loader_both_accept(text: str) -> None:
    assert config_ok(text)
    assert schema_ok("config", text), [
        e.message for e in VALIDATORS["config"].iter_errors(data_of(text))
    ]


BAD_CONFIGS = {
    "unknown key": "workerz: 4\n",
    "unknown channel type": "channels: {x: {type: pager}}\n",
    "apprise without urls": "channels: {x: {type: apprise}}\n",
    "apprise with an empty list": "channels: {x: {type: apprise, urls: []}}\n",
    "apprise with an unknown key": "channels: {x: {type: apprise, urls: [ntfys://ntfy.sh/a], url: b}}\n",
    "a port that is no number": "health: {port: nine}\n",
    "a duration in words": "polling: {min_interval: a minute}\n",
    "source is not a config key": "source: mine\n",
}


@pytest.mark.parametrize("text", BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_config_schema_and_loader_both_reject(text: str) -> None:
    assert not config_ok(text)
    assert not schema_ok("config", text)


def test_secrets_are_plain_strings_in_the_schema() -> None:
    defs = VALIDATORS["config"].schema["definitions"]
    password = defs["EmailChannel"]["properties"]["password"]["anyOf"][0]
    assert password["type"] == "string" and password.get("writeOnly") is True
    url_item = defs["AppriseChannel"]["properties"]["urls"]["anyOf"][1]["items"]
    assert url_item["type"] == "string"
    with pytest.raises(jsonschema.ValidationError):
        VALIDATORS["config"].validate({"channels": {"x": {"type": "apprise", "urls": [42]}}})


def test_a_top_level_source_is_refused_where_it_stands() -> None:
    text = "name: r1\nmatch: {event: attack}\nsource: '*.nos.nl'\nnotify: [console]\n"
    with pytest.raises(RuleSetError, match=r"t\.yaml:3:1: unknown key 'source' \(to match"):
        parse_rule_text(text, "t.yaml")
