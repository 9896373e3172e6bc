"""The console's pure parts: safety checks, charts, problem positions, atomic writes, and the
line the daemon prints at start."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from monitor.config import parse_config
from monitor.console import charts, editor
from monitor.console.alerts import alert_row
from monitor.console.safety import (
    NEED_TOKEN,
    READ_ONLY,
    allowed_hosts,
    config_secrets,
    host_allowed,
    rule_name_problem,
    scrub,
    write_refusal,
)
from monitor.errors import RuleError
from monitor.models import Feed
from monitor.welcome import waiting_line


def test_the_token_is_checked_exactly() -> None:
    cfg = parse_config("console: {token: s3cret-token}", "c.yaml").console
    assert write_refusal("Bearer s3cret-token", cfg) is None
    assert write_refusal("bearer s3cret-token", cfg) is None
    assert write_refusal("Bearer s3cret-toke", cfg) == NEED_TOKEN
    assert write_refusal("Basic s3cret-token", cfg) == NEED_TOKEN
    assert write_refusal(None, cfg) == NEED_TOKEN
    assert write_refusal("Bearer s3cret-token", parse_config("{}", "c.yaml").console) == READ_ONLY
    assert parse_config("console: {token: ''}", "c.yaml").console.token is None


@pytest.mark.parametrize("name", ["casualty-toll", "my_rule", "v2.rule", "a"])
def test_good_rule_names(name: str) -> None:
    assert rule_name_problem(name) is None


@pytest.mark.parametrize(
    "name", ["", ".", "..", ".hidden", "a/b", "../x", "x..y", "a\\b", "-x", "x.", "a b"]
)
def test_bad_rule_names(name: str) -> None:
    assert rule_name_problem(name)


def test_loopback_listener_answers_loopback_names_only() -> None:
    console = parse_config("{}", "c.yaml").console
    hosts = allowed_hosts(console, "127.0.0.1")
    assert host_allowed("127.0.0.1:9464", hosts) and host_allowed("localhost", hosts)
    assert host_allowed("[::1]:9464", hosts)
    assert not host_allowed("attacker.example:9464", hosts)
    assert allowed_hosts(console, "0.0.0.0") == ["*"]
    named = parse_config("console: {allowed_hosts: [monitor.example]}", "c.yaml").console
    assert host_allowed("monitor.example", allowed_hosts(named, "127.0.0.1"))


def test_secrets_are_found_in_the_config_and_scrubbed() -> None:
    cfg = parse_config(
        "channels:\n  hook: {type: webhook, url: 'https://h.example/x', secret: hook-secret-1,"
        " headers: {X-Key: header-secret-2}}\nconsole: {token: console-token-3}\n",
        "c.yaml",
    )
    found = config_secrets(cfg)
    assert set(found) == {"hook-secret-1", "header-secret-2", "console-token-3"}
    text = "failed: hook-secret-1 at https://u:pw@h.example/p?k=v and slack://T0/B0/XYZ."
    assert scrub(text, found) == "failed: *** at https://***@h.example/p?*** and slack://***."
    assert scrub(None) is None
    assert config_secrets(SecretStr("abc")) == []  # too short to be told from ordinary text


def test_sparkline_and_growth_coordinates() -> None:
    line = charts.sparkline([0, 2, 1]).lines[0]
    xs = [float(p.split(",")[0]) for p in line.points.split()]
    ys = [float(p.split(",")[1]) for p in line.points.split()]
    assert xs[0] < xs[1] < xs[2] and ys[1] < ys[2] < ys[0]  # higher count, higher on screen
    assert [d[2] for d in line.dots] == ["2", "1"]
    assert charts.sparkline([0, 0]).top == 0
    series = charts.running_max(
        [(10.0, {"casualties": 12}), (5.0, {"casualties": 3}), (20.0, {"casualties": 9})]
    )
    assert series == {"casualties": [(5.0, 3), (10.0, 12)]}
    chart = charts.growth(series)
    assert chart.top == 12 and [d[2] for d in chart.lines[0].dots] == [
        "casualties: 3",
        "casualties: 12",
    ]
    assert charts.growth({}).lines == ()


def test_problem_positions_are_read_from_the_subject() -> None:
    p = editor.problem_of(RuleError("r.yaml:3:7", "bad"), "r.yaml")
    assert (p.line, p.column, p.message, p.text) == (3, 7, "bad", "r.yaml:3:7: bad")
    p = editor.problem_of(RuleError("r.yaml:4", "merge keys are not supported"), "r.yaml")
    assert (p.line, p.column) == (4, None)
    assert editor.problem_of(RuleError("elsewhere", "x"), "r.yaml").line is None


def test_an_atomic_write_keeps_the_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "r.yaml"
    target.write_text("old")
    os.chmod(target, 0o640)
    editor.write_atomically(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.yaml"
    editor.write_atomically(fresh, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.yaml", "r.yaml"]


def test_a_yml_file_is_edited_in_place(tmp_path: Path) -> None:
    (tmp_path / "old.yml").write_text("x")
    assert editor.rule_path(tmp_path, "old").name == "old.yml"
    assert editor.rule_path(tmp_path, "new").name == "new.yaml"


def test_an_alert_row_in_words() -> None:
    record = {
        "id": "a1",
        "rule": "r",
        "article": {"title": "T", "url": "https://x.example/1", "source": "x.example"},
        "events": [{"type": "combat", "count": 5, "evidence": "Five  clashes\nwere reported."}],
        "words": ["5 clashes (combat)"],
        "sources": ["x.example", "y.example"],
        "deliveries": {"hook": {"state": "dead", "error": "https://u:p@h.example/ down"}},
    }
    row = alert_row(record, ["z.example"])
    assert row["events"][0]["words"] == "5 clashes (combat)"
    assert row["events"][0]["evidence"] == "Five clashes were reported."
    assert row["story"]["other_sources"] == ["y.example", "z.example"]
    assert row["deliveries"]["hook"]["error"] == "https://***@h.example/ down"
    assert row["severity"] == "info" and row["update"] is False


def test_the_start_line_says_what_the_daemon_waits_for() -> None:
    feeds = [Feed("https://a.example/rss", "a"), Feed("https://b.example/rss", "b", backfill=True)]
    line = waiting_line(feeds, 5, known=set())
    assert "2 feed(s)" in line and "1 feed(s) are polled for the first time" in line
    assert "newsmonitor demo" in line
    assert "first time" not in waiting_line(feeds, 5, known={"https://a.example/rss"})
    assert waiting_line([], 5, set()).startswith("no feeds")
    assert waiting_line(feeds, 0, set()).startswith("no rules")
