"""Console and outbox: the channels of the default config, which need no server."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.config import ConsoleChannel, OutboxChannel
from monitor.errors import PermanentDeliveryError
from tests.test_deliver import make_alert
from workers.channels import SendContext, send_alert

ROOT = Path(__file__).resolve().parent.parent


def ctx(tmp_path: Path, out: io.StringIO | None = None) -> SendContext:
    when = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    return SendContext(data_dir=tmp_path, sent_at=when, stdout=out or io.StringIO())


def test_console_prints_one_block(tmp_path: Path) -> None:
    out = io.StringIO()
    send_alert(make_alert(), "console", ConsoleChannel(type="console"), ctx(tmp_path, out))
    text = out.getvalue()
    assert "[large-attack-count] Oekraïne meldt 261 gevechten" in text
    assert "261 gevechten (combat)" in text and "https://news.example.org/a/1" in text


def test_outbox_defaults_to_the_data_dir(tmp_path: Path) -> None:
    cfg = OutboxChannel(type="outbox")
    send_alert(make_alert(), "outbox", cfg, ctx(tmp_path))
    send_alert(make_alert(alert_id="second"), "outbox", cfg, ctx(tmp_path))
    lines = (tmp_path / "outbox.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["alert_id"] for r in records] == ["a1b2c3", "second"]
    assert records[0]["channel"] == "outbox"
    assert records[0]["article"]["source"] == "news.example.org"


def test_outbox_into_a_directory_is_permanent(tmp_path: Path) -> None:
    with pytest.raises(PermanentDeliveryError, match="outbox"):
        send_alert(
            make_alert(), "outbox", OutboxChannel(type="outbox", path=str(tmp_path)), ctx(tmp_path)
        )


WRITER = """
import sys
from pathlib import Path
from workers.channels.outbox import append_line
path, tag = Path(sys.argv[1]), sys.argv[2]
for i in range(300):
    append_line(path, ('{"w": "%s", "i": %d, "pad": "%s"}\\n' % (tag, i, tag * 6000)).encode())
"""


def test_outbox_lines_from_several_processes_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag], cwd=ROOT) for tag in "abcd"
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0, 0]
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(records) == 1200
    assert all(r["pad"] == r["w"] * 6000 for r in records)
