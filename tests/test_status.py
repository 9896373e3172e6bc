"""``newsmonitor status``: the pure screen formatting, and the command on a real Redis and RQ.

The state it shows is written by the real code that writes it in production (feed state, RQ
jobs and worker registration, the deliveries log and dead letters, the published ruleset).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
import redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from monitor import cli, keys
from monitor.commands import status
from monitor.commands.status import FeedStatus, Status, ago, format_status
from monitor.deliveries import record_delivery, record_failure
from monitor.embedded_redis import EmbeddedRedis
from monitor.errors import PermanentDeliveryError
from monitor.feeds import state as feedstate
from monitor.models import DeadLetter, Delivery
from monitor.producers import ENTRY_JOB, make_queue
from monitor.queuestats import QueueStats, WorkerInfo
from monitor.rules.compiled import RuleSet
from monitor.rules.publish import publish_ruleset
from tests.rulekit import rule
from tests.test_deliver import make_alert

NOW = 1_740_830_400.0  # 2025-03-01 12:00:00Z


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="newsmonitor")
    parser.add_argument("--config", "-c")
    status.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


# --- formatting (pure) -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ts", "text"),
    [
        (None, "never"),
        (NOW - 5, "5s ago"),
        (NOW - 180, "3m ago"),
        (NOW - 7300, "2h ago"),
        (NOW - 4 * 86400, "4d ago"),
        (NOW + 30, "0s ago"),
    ],
)
def test_ago(ts: float | None, text: str) -> None:
    assert ago(ts, NOW) == text


def screen() -> Status:
    return Status(
        at=NOW,
        rules=2,
        ruleset_hash="0123456789abcdef0123",
        feeds=[
            FeedStatus("nos", "https://nos.example/rss", "ok", NOW - 120, None, None),
            FeedStatus(
                "bbc-world",
                "https://bbc.example/rss",
                "failing",
                NOW - 7200,
                "https://bbc.example/rss: HTTP 503",
                NOW - 30,
            ),
            FeedStatus(
                "quiet", "https://q.example/rss", "silent", NOW - 60, None, None, NOW - 5 * 86400
            ),
        ],
        queues=[QueueStats("entries", 3, 1, 0), QueueStats("alerts", 0, 0, 2)],
        workers=[WorkerInfo("host.1", "busy", ("entries", "alerts"), "entry-abc", None)],
        alerts=[
            Delivery(
                "a1",
                "hook",
                True,
                1,
                "2025-03-01T11:59:00+00:00",
                rule="big-combat",
                url="https://nos.example/a/1",
            ),
            Delivery(
                "a2",
                "mail",
                False,
                6,
                "2025-03-01T11:58:00+00:00",
                error="smtp down",
                rule="big-combat",
                url="https://nos.example/a/2",
            ),
        ],
        dead_letters=[
            DeadLetter.from_dict(
                {
                    "id": "deliver-a2-x",
                    "at": "2025-03-01T11:58:00+00:00",
                    "channel": "mail",
                    "error": "smtp x: refused",
                    "attempts": 6,
                    "alert": {"rule": "big-combat"},
                }
            )
        ],
    )


def test_one_screen_with_every_section() -> None:
    text = format_status(screen())
    assert text.splitlines()[:2] == [
        "newsmonitor status at 2025-03-01 12:00:00Z",
        "Rules: 2 loaded, hash 0123456789ab",
    ]
    assert "Feeds: 3 (1 failing, 1 silent)" in text
    assert "  nos        ok       last success 2m ago, last new entry never" in text
    assert "  bbc-world  failing  last success 2h ago, last new entry never\n" in text
    assert "  quiet      silent   last success 1m ago, last new entry 5d ago" in text
    assert "error 30s ago: https://bbc.example/rss: HTTP 503" in text
    assert "  entries   3 queued, 1 running, 0 failed" in text
    assert "  alerts    0 queued, 0 running, 2 failed" in text
    assert "Workers: 1\n  host.1  busy  [entries, alerts]  job entry-abc" in text
    assert "sent    hook  big-combat  https://nos.example/a/1" in text
    assert "FAILED  mail  big-combat  https://nos.example/a/2" in text
    assert "Dead letters: 1 (newsmonitor deliveries --failed" in text
    assert "mail  smtp x: refused" in text


def test_an_empty_system_says_so() -> None:
    empty = Status(NOW, 0, None, [], [QueueStats("entries", 0, 0, 0)], [], [], [])
    text = format_status(empty)
    for line in (
        "Rules: none published",
        "Feeds: 0 (0 failing, 0 silent)",
        "Workers: 0",
        "Last deliveries: none yet",
        "Dead letters: 0",
    ):
        assert line in text


def test_json_shape() -> None:
    data = status.status_dict(screen())
    assert data["rules"] == {"count": 2, "hash": "0123456789abcdef0123"}
    assert data["feeds"][1]["health"] == "failing"
    assert data["queues"]["alerts"] == {"queued": 0, "started": 0, "failed": 2}
    assert data["workers"][0]["current_job"] == "entry-abc"
    assert data["dead_letters"]["count"] == 1
    assert data["dead_letters"]["latest"][0]["rule"] == "big-combat"
    assert "alert" not in data["dead_letters"]["latest"][0]  # no article text in the summary
    json.dumps(data)


# --- the command on real state ---------------------------------------------------------------
@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_url: str) -> str:
    monkeypatch.delenv("REDIS_URL", raising=False)
    path = tmp_path / "nm.yaml"
    path.write_text(
        f"redis_url: {redis_url}\ndata_dir: {tmp_path / 'data'}\n"
        "feeds:\n"
        "  - {url: 'https://good.example/rss', name: good}\n"
        "  - {url: 'https://bad.example/rss', name: bad}\n"
        "  - {url: 'https://new.example/rss', name: fresh}\n"
        "channels: {hook: {type: webhook, url: 'https://hooks.example/x'}}\n",
        encoding="utf-8",
    )
    return str(path)


def fill(r: redis.Redis) -> SimpleWorker:
    feedstate.record_success(r, "https://good.example/rss", '"e1"', None, 4)
    feedstate.record_error(r, "https://bad.example/rss", "https://bad.example/rss: HTTP 500")
    publish_ruleset(
        r, RuleSet([rule("name: big-combat\nmatch: {event: combat}\nnotify: [hook]\n")])
    )
    make_queue(keys.QUEUE_ENTRIES, r).enqueue(ENTRY_JOB, {"link": "https://good.example/a"})
    alert = make_alert(alert_id="ok1")
    record_delivery(
        r,
        Delivery(
            "ok1",
            "hook",
            True,
            1,
            "2025-03-01T11:00:00+00:00",
            rule=alert.rule,
            url=alert.article.url,
        ),
    )
    error = PermanentDeliveryError("channel hook", "HTTP 410 Gone")
    record_failure(r, make_alert(alert_id="dead1").to_dict(), "hook", error, 1)
    worker = SimpleWorker(
        [make_queue(keys.QUEUE_ENTRIES, r)], connection=r, serializer=JSONSerializer
    )
    worker.register_birth()
    return worker


def test_status_shows_the_running_system(
    config: str, redis_client: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    worker = fill(redis_client)
    try:
        assert run(["--config", config, "status"]) == 0
    finally:
        worker.register_death()
    out = capsys.readouterr().out
    assert "Rules: 1 loaded, hash " in out
    assert "Feeds: 3 (1 failing, 0 silent)" in out
    assert "  good   ok       last success 0s ago, last new entry 0s ago" in out
    assert "  bad    failing  last success never" in out
    assert "https://bad.example/rss: HTTP 500" in out
    assert "  fresh  new      last success never" in out
    assert "  entries   1 queued, 0 running, 0 failed" in out
    assert f"Workers: 1\n  {worker.name}  " in out
    assert "sent    hook  large-attack-count  https://news.example.org/a/1" in out
    assert "FAILED  hook  large-attack-count" in out
    assert "Dead letters: 1" in out and "channel hook: HTTP 410 Gone" in out


def test_status_json(
    config: str, redis_client: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    worker = fill(redis_client)
    try:
        assert run(["--config", config, "status", "--json", "--alerts", "1"]) == 0
    finally:
        worker.register_death()
    data = json.loads(capsys.readouterr().out)
    assert data["rules"]["count"] == 1 and len(data["rules"]["hash"]) > 8
    assert {f["name"]: f["health"] for f in data["feeds"]} == {
        "good": "ok",
        "bad": "failing",
        "fresh": "new",
    }
    assert data["queues"]["entries"]["queued"] == 1
    assert [w["name"] for w in data["workers"]] == [worker.name]
    assert data["workers"][0]["last_heartbeat"] is not None
    assert len(data["alerts"]) == 1 and data["alerts"][0]["ok"] is False  # newest first
    assert data["dead_letters"]["count"] == 1
    assert data["dead_letters"]["latest"][0]["error_type"] == "PermanentDeliveryError"


def test_status_without_a_daemon_reads_the_data_dir_and_leaves_no_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The one Redis behaviour of commands (item 10): no daemon, no REDIS_URL -> a temporary
    embedded Redis over the data directory, stopped again when the command ends."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    path = tmp_path / "nm.yaml"
    path.write_text(
        f"data_dir: {tmp_path / 'data'}\nfeeds: [{{url: 'https://a.example/rss', name: a}}]\n",
        encoding="utf-8",
    )
    with EmbeddedRedis(tmp_path / "data") as earlier:  # a daemon that ran once, left state
        feedstate.record_error(earlier.client(), "https://a.example/rss", "HTTP 503")
    assert run(["--config", str(path), "status", "--json"]) == 0
    out = capsys.readouterr()
    shown = json.loads(out.out)
    assert [(f["name"], f["health"]) for f in shown["feeds"]] == [("a", "failing")]
    assert "HTTP 503" in shown["feeds"][0]["last_error"]
    assert not EmbeddedRedis(tmp_path / "data")._answers()  # stopped after the command
    assert not (tmp_path / "data" / "redis.owner").exists()


def test_the_command_is_registered() -> None:
    assert "monitor.commands.status" in cli.COMMAND_MODULES
    assert "status" in cli.build_parser().format_help()
