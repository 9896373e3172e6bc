from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_config, parse_config
from monitor.errors import ConfigError


def test_default_config_has_dutch_and_english_feeds_and_local_channels() -> None:
    cfg = parse_config(Path("monitor/defaults/newsmonitor.yaml").read_text(), "default")
    assert len(cfg.feeds) >= 2
    assert {"console", "outbox"} <= set(cfg.channels)
    assert cfg.redis_url is None


def test_env_is_expanded_in_values_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK", "s3cret")
    monkeypatch.setenv("EVIL", "x\nredis_url: redis://attacker")
    cfg = parse_config(
        'channels:\n  h: {type: webhook, url: "https://h.example/${EVIL}", secret: "${HOOK}"}\n',
        "c.yaml",
    )
    hook = cfg.channels["h"]
    assert hook.secret is not None and hook.secret.get_secret_value() == "s3cret"  # type: ignore[union-attr]
    assert cfg.redis_url is None  # the newline stayed inside the value
    assert "s3cret" not in str(hook) and "s3cret" not in repr(cfg)


def test_env_default_and_missing_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NM_UNSET", raising=False)
    cfg = parse_config('data_dir: "${NM_UNSET:-/tmp/nm}"\n', "c.yaml")
    assert cfg.data_dir == Path("/tmp/nm")
    with pytest.raises(ConfigError, match=r"c\.yaml:2:\d+: environment variable NM_UNSET"):
        parse_config('version: 1\ndata_dir: "${NM_UNSET}"\n', "c.yaml")


def test_redis_url_from_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6390/3")
    assert parse_config("redis_url: redis://other/0\n", "c.yaml").redis_url.endswith("6390/3")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "feeds:\n  - {url: 'http://x', intervl: 2m}\n",
            r"c\.yaml:2:\d+: unknown key 'intervl', did you mean 'interval'\?",
        ),
        ("feeds:\n  - {url: 'http://x', interval: soon}\n", r"c\.yaml:2:\d+: .*not a duration"),
        ("feeds:\n  - {url: 'file:///etc/passwd'}\n", r"must be http"),
        ("channels:\n  m: {type: email, to: a@b}\n", r"c\.yaml:2:\d+: .*from: Field required"),
        ("channels: [1, 2\n", r"c\.yaml:\d+:\d+: invalid YAML"),
        ("- just\n- a list\n", r"must be a mapping"),
        (
            "feeds:\n  - {url: 'http://a', name: x}\n  - {url: 'http://b', name: x}\n",
            r"two feeds are named 'x'",
        ),
    ],
)
def test_config_errors_name_file_line_and_problem(text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        parse_config(text, "c.yaml")


def test_relative_paths_resolve_against_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "nm.yaml").write_text("data_dir: state\nrules: my-rules\n")
    cfg = load_config(tmp_path / "nm.yaml")
    assert cfg.data_dir == tmp_path / "state"
    assert cfg.rules == tmp_path / "my-rules"


def test_unreadable_config_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml"):
        load_config(tmp_path / "nope.yaml")


def test_intervals_accept_seconds_minutes_hours() -> None:
    cfg = parse_config(
        "feeds:\n  - {url: 'http://a', interval: 2s}\n  - {url: 'http://b', interval: 2m}\n"
        "  - {url: 'http://c', interval: 1h}\n  - {url: 'http://d', interval: 45}\n",
        "c.yaml",
    )
    assert [f.interval for f in cfg.feed_list()] == [2, 120, 3600, 45]
