"""``newsmonitor classify`` and ``newsmonitor eval``; eval must agree with the reference scorer."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.jsonl import load_events
from workers.classify.scoring import score

SCORER = Path("tools/score-events")


def test_classify_reads_and_writes_json_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [{"id": "x1", "lang": "en", "text": "The army said 12 soldiers were killed."},
            {"text": "Het leger meldt 30 doden na de beschietingen."}]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(json.dumps(r) for r in rows)))
    assert main(["classify", "-"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(o["id"], o["lang"]) for o in out] == [("x1", "en"), (2, "nl")]
    first = out[1]["events"][0]
    assert (first["type"], first["count"], first["lang"]) == ("casualties", 30, "nl")


def test_classify_rejects_lines_without_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    assert main(["classify", str(bad)]) == 2
    assert f"{bad}:1" in capsys.readouterr().err


def test_eval_matches_the_reference_scorer(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold, articles = corpus / "news/dev2.gold.jsonl", corpus / "news/dev2.jsonl"
    assert main(["classify", str(articles)]) == 0
    pred = tmp_path / "pred.jsonl"
    pred.write_text(capsys.readouterr().out, encoding="utf-8")
    reference = subprocess.run(
        [sys.executable, str(corpus.parent / SCORER), str(gold), str(pred), "--json"],
        capture_output=True, text=True, check=True,
    )
    ours = score(load_events(gold), load_events(pred)).to_dict()
    assert ours == json.loads(reference.stdout)
    assert main(["eval", str(gold), str(articles)]) == 0
    printed = capsys.readouterr().out
    assert f"type_f1={ours['type_f1']}" in printed
    assert "miss dev2-" in printed


def test_the_one_sentence_talks_announcement_of_the_issue(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    line = ('{"text":"Ukraine and Russia have announced that peace talks will begin in '
            'Istanbul next week."}')
    monkeypatch.setattr(sys, "stdin", io.StringIO(line))
    assert main(["classify", "-"]) == 0
    (out,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(e["type"], e["status"]) for e in out["events"]] == [("negotiation", "announced")]


def test_classify_explain_lists_what_is_no_event_and_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [{"id": "b1", "lang": "en", "date": "2025-03-10",
             "text": "Russian missiles struck Kharkiv overnight, killing 14 civilians. In 2022 "
                     "the army shelled the city, killing 40. Moscow aims to capture the region."}]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["classify", "--explain", str(src)]) == 0
    (out,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert ("casualties", 14) in {(e["type"], e["count"]) for e in out["events"]}
    why = {(d["type"], d["count"]): (d["kind"], d["reason"]) for d in out["dropped"]}
    assert why[("casualties", 40)] == ("background", "background: '2022'")
    assert why[("territorial_change", None)] == ("irrealis", "intended: 'aims'")
    assert main(["classify", str(src)]) == 0
    assert "dropped" not in json.loads(capsys.readouterr().out)


def test_eval_explain_groups_errors_by_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"id": "c1", "lang": "en", "date": "2025-03-10",
         "text": "The war goes on. Russian forces captured the town in 2022."},
        {"id": "c2", "lang": "en", "date": "2025-03-10",
         "text": "The war goes on. Russian troops captured civilians near the front."},
        {"id": "c3", "lang": "en", "date": "2025-03-10",
         "text": "The army said drones hit the port. Air defence downed 12 drones."},
    ]
    gold = [{"id": "c1", "events": [{"type": "territorial_change"}]},
            {"id": "c2", "events": []},
            {"id": "c3", "events": [{"type": "attack"}, {"type": "interception", "count": 14},
                                    {"type": "sanctions"}]}]
    articles, labels = tmp_path / "a.jsonl", tmp_path / "g.jsonl"
    articles.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    labels.write_text("".join(json.dumps(g) + "\n" for g in gold), encoding="utf-8")
    assert main(["eval", str(labels), str(articles), "--explain"]) == 0
    text = capsys.readouterr().out
    assert "false positives and misses by kind:" in text
    assert "miss c1 territorial_change: background: '2022'" in text
    assert "miss c3 sanctions: no mention read as it" in text
    assert main(["eval", str(labels), str(articles), "--explain", "--json"]) == 0
    groups = json.loads(capsys.readouterr().out)["by_kind"]
    assert {d["item"] for d in groups["background"]} == {"territorial_change"}
    assert {d["item"] for d in groups["missing cue"]} == {"sanctions"}
    assert {(d["error"], d["item"]) for d in groups["wrong count"]} == {
        ("false positive", "interception 12"), ("miss", "interception 14")}
    assert set(groups) >= {"background", "irrealis", "negation", "generic",
                           "attribute number", "other sense", "one event", "missing cue",
                           "wrong count"}
