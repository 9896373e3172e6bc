from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.logs import setup_logging

ARTICLES = [
    {"id": "a1", "lang": "nl", "title": "Zware nacht", "text": "Volgens de luchtmacht waren er vannacht 145 aanvallen met drones op het land."},
    {"id": "a2", "lang": "nl", "title": "Voetbal", "text": "De ploeg won met 3-1 en staat nu bovenaan met 46 punten."},
]
RULE = "name: drones\nmatch: {event: attack, count: '>= 100'}\nnotify: [console]\n"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "drones.yaml").write_text(RULE)
    (tmp_path / "articles.jsonl").write_text("".join(json.dumps(a) + "\n" for a in ARTICLES))
    gold = [{"id": "a1", "events": [{"type": "attack", "count": 145}]}, {"id": "a2", "events": []}]
    (tmp_path / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gold))
    (tmp_path / "nm.yaml").write_text(f"rules: {tmp_path / 'rules'}\nchannels:\n  console: {{type: console}}\n")
    return tmp_path


def test_rules_check_lists_every_problem_and_exits_1(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(files / "nm.yaml")
    assert main(["--config", cfg, "rules", "check"]) == 0
    (files / "rules" / "bad.yaml").write_text("name: bad\nmatch: {evnt: attack}\nnotify: [consol]\ncooldwn: 1h\n")
    assert main(["--config", cfg, "rules", "check"]) == 1
    err = capsys.readouterr().err
    assert "bad.yaml:2:9: unknown key 'evnt', did you mean 'event'?" in err
    assert "bad.yaml:4:1: unknown key 'cooldwn', did you mean 'cooldown'?" in err


def test_rules_test_explains_each_article_and_sends_nothing(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(files / "nm.yaml")
    rule = str(files / "rules" / "drones.yaml")
    assert main(["--config", cfg, "rules", "test", rule, "--corpus", str(files / "articles.jsonl"), "--json"]) == 0
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(o["id"], o["fired"]) for o in out] == [("a1", True), ("a2", False)]
    assert any("count >= 100" in line for line in out[0]["explain"])
    assert out[0]["events"][0]["count"] == 145 and "145 aanvallen" in out[0]["events"][0]["evidence"]
    assert main(["--config", cfg, "rules", "test", rule, "--corpus", str(files / "articles.jsonl")]) == 0
    text = capsys.readouterr().out
    assert "FIRES  a1" in text and "nothing sent" in text


def test_rules_test_on_a_saved_page(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = files / "page.html"
    page.write_text("<html lang='nl'><body><article><h1>Nacht</h1><p>" + ARTICLES[0]["text"] + " De schade is groot.</p></article></body></html>")
    assert main(["--config", str(files / "nm.yaml"), "rules", "test", str(files / "rules" / "drones.yaml"), "--file", str(page), "--json"]) == 0
    (row,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert row["fired"] is True and row["url"].startswith("file://")


def test_backtest_with_gold(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--config", str(files / "nm.yaml"), "backtest", "--corpus", str(files / "articles.jsonl"), "--gold", str(files / "gold.jsonl"), "--json"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["articles"] == 2
    (row,) = result["rules"]
    assert row == {"rule": "drones", "fired": 1, "expected": 1, "precision": 1.0, "recall": 1.0}


def test_json_logs_are_one_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        setup_logging("INFO", "json")
        logging.getLogger("newsmonitor.test").info("feed %s failed", "nos")
    finally:
        root.handlers[:], _ = saved[0], root.setLevel(saved[1])
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["msg"] == "feed nos failed" and line["level"] == "info" and line["logger"] == "newsmonitor.test"


def test_rules_test_shows_why_a_mention_is_no_event(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rule = files / "rules" / "toll.yaml"
    rule.write_text("name: toll\nmatch: {event: casualties, count: '>= 10'}\nnotify: [console]\n")
    corpus = files / "history.jsonl"
    corpus.write_text(json.dumps({"id": "h1", "lang": "en", "date": "2025-03-10", "text": "The war goes on. In 2022 Russian troops shelled the town, killing 40 civilians."}) + "\n")
    cfg = str(files / "nm.yaml")
    assert main(["--config", cfg, "rules", "test", str(rule), "--corpus", str(corpus)]) == 0
    text = capsys.readouterr().out
    assert "no  h1" in text
    assert "not an event: casualties 40 (background: '2022'): In 2022 Russian troops" in text
    assert main(["--config", cfg, "rules", "test", str(rule), "--corpus", str(corpus), "--json"]) == 0
    (row,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(d["type"], d["count"], d["kind"]) for d in row["not_events"]] == [("casualties", 40, "background")]
