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
