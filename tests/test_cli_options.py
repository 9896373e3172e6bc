"""Global options on either side of the subcommand, for every command; --version; --log-level."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest

from monitor.cli import build_parser, main, subparsers_of
from tests.clirun import run_cli

# Every command down to its leaves, with the arguments it needs to parse.
COMMANDS = {
    "newsmonitor run": ["run"],
    "newsmonitor worker": ["worker"],
    "newsmonitor status": ["status"],
    "newsmonitor feeds": ["feeds"],
    "newsmonitor feeds add": ["feeds", "add", "https://a.example/rss"],
    "newsmonitor feeds remove": ["feeds", "remove", "https://a.example/rss"],
    "newsmonitor feeds import": ["feeds", "import", "in.opml"],
    "newsmonitor feeds export": ["feeds", "export"],
    "newsmonitor rules": ["rules", "check"],
    "newsmonitor rules check": ["rules", "check"],
    "newsmonitor rules test": ["rules", "test", "r.yaml", "--file", "p.html"],
    "newsmonitor rules schema": ["rules", "schema"],
    "newsmonitor config": ["config", "schema"],
    "newsmonitor config schema": ["config", "schema"],
    "newsmonitor console": ["console"],
    "newsmonitor demo": ["demo"],
    "newsmonitor backtest": ["backtest", "--since", "7d"],
    "newsmonitor deliveries": ["deliveries"],
    "newsmonitor deliveries retry": ["deliveries", "retry", "--all"],
    "newsmonitor classify": ["classify"],
    "newsmonitor eval": ["eval", "gold.jsonl", "articles.jsonl"],
}
BEFORE = ["--config", "before.yaml", "--log-level", "warning", "--log-format", "json"]
AFTER = ["--config", "after.yaml", "--log-level", "debug", "--log-format", "text"]


def test_every_command_is_covered() -> None:
    assert {p.prog for p in subparsers_of(build_parser())} == set(COMMANDS)


@pytest.mark.parametrize("prog", sorted(COMMANDS))
def test_options_before_the_command(prog: str) -> None:
    args = build_parser().parse_args([*BEFORE, *COMMANDS[prog]])
    assert (args.config, args.log_level, args.log_format) == ("before.yaml", "WARNING", "json")


@pytest.mark.parametrize("prog", sorted(COMMANDS))
def test_options_after_the_command(prog: str) -> None:
    args = build_parser().parse_args([*COMMANDS[prog], *BEFORE])
    assert (args.config, args.log_level, args.log_format) == ("before.yaml", "WARNING", "json")


@pytest.mark.parametrize("prog", sorted(COMMANDS))
def test_given_twice_the_one_after_the_command_wins(prog: str) -> None:
    args = build_parser().parse_args([*BEFORE, *COMMANDS[prog], *AFTER])
    assert (args.config, args.log_level, args.log_format) == ("after.yaml", "DEBUG", "text")


@pytest.mark.parametrize("prog", sorted(COMMANDS))
def test_short_config_option_and_defaults(prog: str) -> None:
    args = build_parser().parse_args([*COMMANDS[prog], "-c", "short.yaml"])
    assert (args.config, args.log_level, args.log_format) == ("short.yaml", "INFO", "text")
    args = build_parser().parse_args(COMMANDS[prog])
    assert (args.config, args.log_level, args.log_format) == (None, "INFO", "text")


def test_an_option_between_a_command_and_its_action() -> None:
    args = build_parser().parse_args(["feeds", "--config", "mid.yaml", "add", "https://a.example/"])
    assert (args.config, args.url) == ("mid.yaml", "https://a.example/")
    args = build_parser().parse_args(
        ["deliveries", "-c", "mid.yaml", "retry", "x1", "--log-level", "error"]
    )
    assert (args.config, args.ids, args.log_level) == ("mid.yaml", ["x1"], "ERROR")


def test_help_says_where_options_go_and_which_wins() -> None:
    top = build_parser().format_help()
    assert "before or after the command" in top and "after it wins" in top
    (run,) = [p for p in subparsers_of(build_parser()) if p.prog == "newsmonitor run"]
    assert "--config FILE" in run.format_help() and "--log-format" in run.format_help()


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_comes_from_the_installed_package(flag: str) -> None:
    done = run_cli(flag)
    assert done.returncode == 0
    assert done.stdout.strip() == f"newsmonitor {version('newsmonitor')}"


def test_a_bad_log_level_is_a_usage_error_naming_the_choices() -> None:
    done = run_cli("rules", "check", "--log-level", "loud")
    assert done.returncode == 2
    assert "--log-level: invalid level 'loud' (choose from DEBUG, INFO, WARNING, ERROR)" in done.stderr
    assert "Traceback" not in done.stderr


def test_config_after_the_command_is_the_one_loaded(tmp_path: Path) -> None:
    """Real CLI, real files: the config after the command decides which rules are checked."""
    for name, rule in (("a", "one"), ("b", "two")):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{rule}.yaml").write_text(
            f"name: {rule}\nmatch: {{event: attack}}\nnotify: [console]\n"
        )
        (tmp_path / f"{name}.yaml").write_text(
            f"rules: {name}\nchannels: {{console: {{type: console}}}}\n"
        )
    done = run_cli("--config", "a.yaml", "rules", "check", "--config", "b.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert str(tmp_path / "b") in done.stdout and "1 rule(s) OK" in done.stdout
    assert main(["rules", "check", "-c", str(tmp_path / "a.yaml")]) == 0
