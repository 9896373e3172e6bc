from __future__ import annotations

import json
from pathlib import Path

import pytest
import redis

from monitor.cli import main
from monitor.feeds import state as feedstate
from tests.test_opml import OPML


@pytest.fixture
def cfg(tmp_path: Path, redis_url: str, redis_client: redis.Redis) -> Path:
    path = tmp_path / "nm.yaml"
    path.write_text(f"redis_url: '{redis_url}'\nfeeds:\n  - {{url: 'https://cfg.example/rss', name: from-config}}\n")
    return path


def run(cfg: Path, *argv: str) -> int:
    return main(["--config", str(cfg), *argv])


def test_add_list_remove(cfg: Path, redis_client: redis.Redis, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(cfg, "feeds", "add", "https://new.example/feed.xml", "--name", "new", "--interval", "2m", "--backfill") == 0
    feedstate.record_error(redis_client, "https://new.example/feed.xml", "https://new.example/feed.xml: HTTP 500")
    capsys.readouterr()
    assert run(cfg, "feeds", "--json") == 0
    rows = {r["name"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(rows) == {"from-config", "new"}
    assert rows["new"]["state"] == "failing" and "HTTP 500" in rows["new"]["last_error"]
    assert rows["new"]["interval"] == 120
    assert run(cfg, "feeds") == 0
    table = capsys.readouterr().out
    assert "from-config" in table and "failing" in table
    assert run(cfg, "feeds", "remove", "https://cfg.example/rss") == 1  # lives in the config file
    assert run(cfg, "feeds", "remove", "https://new.example/feed.xml") == 0


def test_import_and_export_opml(cfg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in.opml").write_bytes(OPML)
    assert run(cfg, "feeds", "import", str(tmp_path / "in.opml")) == 0
    assert "2 new" in capsys.readouterr().out
    assert run(cfg, "feeds", "export", str(tmp_path / "out.opml")) == 0
    out = (tmp_path / "out.opml").read_text()
    assert all(u in out for u in ("https://cfg.example/rss", "https://a.example/rss", "https://b.example/atom.xml"))


def test_bad_input_names_its_subject(cfg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(cfg, "feeds", "add", "ftp://x.example/rss") == 2
    assert "ftp://x.example/rss" in capsys.readouterr().err
    (tmp_path / "bad.opml").write_text("<opml><body><outline")
    assert run(cfg, "feeds", "import", str(tmp_path / "bad.opml")) == 2
    assert "bad.opml:1:" in capsys.readouterr().err
