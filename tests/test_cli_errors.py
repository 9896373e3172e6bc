"""Errors keep their reason: the field, what is wrong and the value, never pydantic's URL line.

Run through the real CLI (a subprocess), because what matters is what the user reads on stderr
and the exit code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.errors import BlockedAddressError
from tests.clirun import run_cli
from tests.servers import LocalHTTPServer, Response

PYDANTIC_NOISE = ("errors.pydantic.dev", "For further information", "Traceback")


def clean(stderr: str) -> bool:
    return not any(noise in stderr for noise in PYDANTIC_NOISE)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["feeds", "add", "not-a-url"], "URL: feed url must be http(s): 'not-a-url'"),
        (["feeds", "add", "https:///rss.xml"], "URL: feed url has no host: 'https:///rss.xml'"),
        (
            ["feeds", "add", "https://a.example/rss", "--interval", "abc"],
            "argument --interval: not a duration: 'abc' (write e.g. 30s, 2m, 1h, 7d)",
        ),
        (
            ["feeds", "add", "https://a.example/rss", "--interval", "0s"],
            "argument --interval: duration must be positive: '0s'",
        ),
        (["backtest", "--since", "3x"], "argument --since: not a duration: '3x'"),
        (["deliveries", "--limit", "many"], "argument --limit: invalid int value: 'many'"),
    ],
)
def test_bad_command_arguments_say_what_and_which(
    tmp_path: Path, argv: list[str], expected: str
) -> None:
    done = run_cli(*argv, cwd=tmp_path)
    assert done.returncode == 2
    assert expected in done.stderr
    assert clean(done.stderr), done.stderr
    assert not (tmp_path / "data").exists()  # refused before anything was started


def test_a_bad_gold_line_is_named_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "gold.jsonl").write_text('{"id": "a", "events": []}\n{"id": "b", "events": [}\n')
    (tmp_path / "articles.jsonl").write_text('{"id": "a", "text": "Nothing happened."}\n')
    done = run_cli("eval", "gold.jsonl", "articles.jsonl", cwd=tmp_path)
    assert done.returncode == 2
    assert "newsmonitor: gold.jsonl:2: not JSON" in done.stderr
    assert "Traceback" not in done.stderr


CONFIG = """\
workers: abc
fetch: {max_bytes: -3, connect_timeout: soon}
health: {port: 99999}
channels:
  hook: {type: webhook}
  pager: {type: pager}
  box: {type: outbox, path: [1, 2]}
feeds:
  - {url: "ftp://feeds.example/rss"}
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["classify", "missing.jsonl"],
        ["eval", "missing.jsonl", "articles.jsonl"],
        ["backtest", "--corpus", "missing.jsonl", "--rules", "."],
        ["rules", "test", "r.yaml", "--file", "missing.jsonl"],
    ],
)
def test_a_missing_input_file_is_named_without_a_traceback(tmp_path: Path, argv: list[str]) -> None:
    (tmp_path / "r.yaml").write_text("name: r\nmatch: {event: attack}\nnotify: [console]\n")
    done = run_cli(*argv, cwd=tmp_path)
    assert done.returncode == 2
    assert "newsmonitor: missing.jsonl: No such file or directory" in done.stderr
    assert "Traceback" not in done.stderr


def test_config_errors_name_file_line_field_and_value(tmp_path: Path) -> None:
    (tmp_path / "nm.yaml").write_text(CONFIG)
    done = run_cli("status", "--config", "nm.yaml", cwd=tmp_path)
    assert done.returncode == 2
    err = done.stderr
    for expected in (
        "nm.yaml:1:10: workers: Input should be a valid integer",
        "got 'abc'",
        "nm.yaml:2:20: fetch.max_bytes: Input should be greater than 0, got -3",
        "fetch.connect_timeout: not a duration: 'soon'",
        "nm.yaml:3:16: health.port: Input should be less than or equal to 65535, got 99999",
        "nm.yaml:5:9: channels.hook.url: Field required",
        "channels.pager: unknown type 'pager' (expected one of 'email', 'webhook'",
        "channels.box.path: not a file or folder path",
        "feeds.0.url: feed url must be http(s): 'ftp://feeds.example/rss'",
    ):
        assert expected in err, f"{expected!r} not in {err!r}"
    assert clean(err), err


def test_rule_errors_name_the_value(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.yaml").write_text(
        "name: r\nmatch: {event: attack}\nnotify: console\nseverity: urgent\n"
        "window: {count: few, within: 1h}\n"
    )
    done = run_cli("rules", "check", "rules", cwd=tmp_path)
    assert done.returncode == 1
    assert "r.yaml:4:11: severity: Input should be 'info', 'warning' or 'critical', got 'urgent'" in done.stderr
    assert "r.yaml:5:17: window.count: Input should be a valid integer" in done.stderr
    assert "got 'few'" in done.stderr
    assert clean(done.stderr), done.stderr


def test_rules_test_on_a_local_address_names_the_setting(tmp_path: Path) -> None:
    server = LocalHTTPServer().start()
    try:
        server.routes["/a"] = Response(b"<html><body><p>Never read.</p></body></html>")
        (tmp_path / "r.yaml").write_text("name: r\nmatch: {event: attack}\nnotify: [console]\n")
        done = run_cli("rules", "test", "r.yaml", "--url", server.url("/a"), cwd=tmp_path)
    finally:
        server.stop()
    assert done.returncode == 2
    assert "resolves to non-public address 127.0.0.1" in done.stderr
    assert "fetch.allow_private: true" in done.stderr
    assert server.requests == []  # refused before any byte went out


def test_the_hint_is_part_of_every_blocked_address_error_once() -> None:
    direct = BlockedAddressError("http://10.0.0.1/", "resolves to non-public address 10.0.0.1")
    wrapped = BlockedAddressError("http://a.example/", f"redirect to http://10.0.0.1/ {direct.message}")
    for err in (direct, wrapped):
        assert str(err).count("fetch.allow_private") == 1
        assert err.retryable is False
