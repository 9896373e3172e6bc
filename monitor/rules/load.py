"""Reading the rules folder: every problem reported as file:line:column, all at once.

One rule per ``*.yaml``/``*.yml`` file. Channel names are checked against the config here, so
a typo in ``notify`` stops the daemon at start instead of silencing an alert later.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from pydantic import ValidationError

from monitor.errors import RuleError, RuleSetError
from monitor.rules.compiled import RuleSet
from monitor.rules.schema import Rule
from monitor.yamlpos import YAMLSyntaxError, did_you_mean, load_yaml, pydantic_problems

RULE_SUFFIXES = (".yaml", ".yml")


def rule_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in RULE_SUFFIXES and p.is_file())


def parse_rule_text(text: str, file: str, channels: Collection[str] | None = None) -> Rule:
    """One rule from YAML text; raises RuleSetError listing every problem in the file."""
    try:
        data, positions = load_yaml(text, file)
    except YAMLSyntaxError as exc:
        raise RuleSetError(file, [RuleError(exc.where, exc.problem)]) from exc
    if not isinstance(data, dict):
        raise RuleSetError(file, [RuleError(f"{file}:1:1", "a rule file holds one mapping")])
    problems: list[RuleError] = []
    if "source" in data:  # the model's own field (file:line), not a key of the rule language
        hint = "unknown key 'source' (to match the article's host, put it under match)"
        problems.append(RuleError(positions.where(("source",), key=True), hint))
    try:
        rule = Rule.model_validate({**data, "source": positions.where(())})
    except ValidationError as exc:
        exc._newsmonitor_model = Rule  # type: ignore[attr-defined]
        problems += [RuleError(w, m) for w, m in pydantic_problems(exc, positions)]
        raise RuleSetError(file, problems) from exc
    if problems:
        raise RuleSetError(file, problems)
    if channels is not None:
        for i, name in enumerate(rule.notify):
            if name not in channels:
                where = positions.where(
                    ("notify", i) if isinstance(data.get("notify"), list) else ("notify",)
                )
                hint = (
                    did_you_mean(name, channels)
                    or f" (configured: {', '.join(sorted(channels)) or 'none'})"
                )
                problems.append(RuleError(where, f"unknown channel {name!r}{hint}"))
        if problems:
            raise RuleSetError(file, problems)
    return rule


def parse_rule_file(path: Path, channels: Collection[str] | None = None) -> Rule:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleSetError(
            str(path), [RuleError(str(path), f"cannot read rule file: {exc}")]
        ) from exc
    return parse_rule_text(text, str(path), channels)


def load_rules(folder: Path, channels: Collection[str] | None = None) -> RuleSet:
    """All rules of a folder, or RuleSetError with every problem of every file."""
    if not folder.is_dir():
        raise RuleSetError(str(folder), [RuleError(str(folder), "rules folder does not exist")])
    rules: list[Rule] = []
    problems: list[RuleError] = []
    names: dict[str, str] = {}
    for path in rule_files(folder):
        try:
            rule = parse_rule_file(path, channels)
        except RuleSetError as exc:
            problems.extend(exc.problems)
            continue
        if rule.name in names:
            problems.append(
                RuleError(
                    rule.source, f"rule name {rule.name!r} is also used in {names[rule.name]}"
                )
            )
            continue
        names[rule.name] = rule.source
        rules.append(rule)
    if problems:
        raise RuleSetError(str(folder), problems)
    return RuleSet(rules)
