"""The apprise channel against a real receiver on 127.0.0.1 (Apprise's json:// and form://).

The URLs carry a password, a hook id in the path and a header value in the query, so every test
that sends can also check that none of them is shown: not in str() of the channel, the error,
the logs, the dead letter, the CLI screens, or anywhere in Redis.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import json
import logging
import os
import signal
import subprocess
import sys
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import redis

from monitor import keys
from monitor.apprise_urls import mask_apprise_url, scrub
from monitor.config import AppriseChannel, load_config, parse_config
from monitor.deliveries import read_dead_letters, read_deliveries
from monitor.errors import ConfigError, DeliveryError, PermanentDeliveryError
from monitor.logs import NOISY_LOGGERS, setup_logging
from monitor.producers import enqueue_delivery, make_queue
from tests.conftest import ROOT
from tests.servers import LocalHTTPServer, Request, Response, wait_for
from tests.test_deliver import make_alert, run_alert_jobs, use_config, write_config
from workers.channels import SendContext, send_alert
from workers.channels.apprise import notify_one
from workers.render import Message

PASSWORD = "pw-apprise-7788"
HOOK_ID = "hookid-5f3a9c"
HEADER_SECRET = "hdr-key-1234abcd"
SECRETS = (PASSWORD, HOOK_ID, HEADER_SECRET)


def target(server: LocalHTTPServer, kind: str = "json", hook: str = HOOK_ID) -> str:
    """An Apprise URL at the local server, with a secret in the user info, path and query."""
    port = server.httpd.server_address[1]
    return f"{kind}://bot:{PASSWORD}@127.0.0.1:{port}/hooks/{hook}?+X-Api-Key={HEADER_SECRET}"


def channel(*urls: str, **extra: Any) -> AppriseChannel:
    return AppriseChannel.model_validate({"type": "apprise", "urls": list(urls), **extra})


def ctx(tmp_path: Path) -> SendContext:
    return SendContext(data_dir=tmp_path, sent_at=datetime.now(UTC).replace(microsecond=0))


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


# --- masking (pure) --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "masked", "secrets"),
    [
        (
            "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general",
            "slack://***/***#***",
            ["T1JJ3T3L2", "A1BRTD4JD", "TIiajkdnlazkcOXrIdevi7FQ"],
        ),
        (
            "https://hooks.slack.com/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ",
            "https://hooks.slack.com/***",
            ["T1JJ3T3L2", "TIiajkdnlazkcOXrIdevi7FQ"],
        ),
        ("tgram://123456789:AAHbotTokenSecret/-1001234", "tgram://***/***", ["AAHbotTokenSecret"]),
        ("ntfys://ntfy.sh/my-private-topic", "ntfys://ntfy.sh/***", ["my-private-topic"]),
        (
            "ntfy://u:pass4321@ntfy.example.org/alerts",
            "ntfy://***@ntfy.example.org/***",
            ["pass4321"],
        ),
        ("ntfys://ntfy.sh/alerts?token=tk_abc123", "ntfys://ntfy.sh/***?***", ["tk_abc123"]),
        ("discord://4174216298/JHMHI8qBe7bk2ZwO5U7", "discord://***/***", ["JHMHI8qBe7bk2ZwO5U7"]),
        ("pover://userkey123@apptoken456", "pover://***@***", ["userkey123", "apptoken456"]),
        (
            "matrix://bob:hunter22@matrix.example.org/#room",
            "matrix://***@matrix.example.org#***",
            ["hunter22"],
        ),
        ("json://127.0.0.1:8080/h/abc?+X-Key=v9v9", "json://127.0.0.1:8080/***?***", ["v9v9"]),
        ("not a url with s3cr3t", "***", ["s3cr3t"]),
    ],
)
def test_masking_keeps_only_scheme_real_host_and_port(
    url: str, masked: str, secrets: list[str]
) -> None:
    assert mask_apprise_url(url) == masked
    for secret in secrets:
        assert secret not in mask_apprise_url(url)


def test_scrub_hides_every_part_the_mask_hides_and_keeps_the_words() -> None:
    url = "json://bot:pw-x1@127.0.0.1:9/hooks/id%2D77?+X-Key=kv-55"
    said = "Failed to POST 127.0.0.1:9/hooks/id-77 as bot:pw-x1 with kv-55 (error=500)"
    out = scrub(said, [url])
    assert "pw-x1" not in out and "id-77" not in out and "kv-55" not in out
    assert out.startswith("Failed to POST 127.0.0.1:9") and out.endswith("(error=500)")


# --- config ----------------------------------------------------------------------------------
CONFIG = """\
channels:
  chat:
    type: apprise
    urls:
      - "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general"
      - "tgram://123456789:AAHbotTokenSecret/-1001234"
      - "ntfys://ntfy.sh/my-private-topic"
"""


def test_config_takes_apprise_urls_and_never_shows_them() -> None:
    cfg = parse_config(CONFIG, "n.yaml")
    chat = cfg.channels["chat"]
    assert isinstance(chat, AppriseChannel) and len(chat.urls) == 3
    shown = [str(chat), repr(chat), repr(cfg.channels), json.dumps(cfg.model_dump(mode="json"))]
    for text in shown:
        for secret in ("TIiajkdnlazkcOXrIdevi7FQ", "AAHbotTokenSecret", "my-private-topic"):
            assert secret not in text
    assert str(chat) == (
        "AppriseChannel(urls=[slack://***/***#***, tgram://***/***, ntfys://ntfy.sh/***])"
    )


def test_one_url_may_be_written_without_a_list() -> None:
    cfg = parse_config('channels: {n: {type: apprise, urls: "ntfys://ntfy.sh/x1"}}', "n.yaml")
    assert [u.get_secret_value() for u in cfg.channels["n"].urls] == ["ntfys://ntfy.sh/x1"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("bogus://tok-secret-1", "Apprise cannot use bogus://***: unknown service bogus://"),
        ("slack://T1JJ3T3L2/only-two-tok", "Apprise cannot use slack://***/***: "),
        ("tgram://tok-secret-1/", "Apprise cannot use tgram://***: a tgram:// URL that Apprise"),
        ("https://example.org/hook/tok-secret-1", "for any other web hook write json://"),
        ("tok-secret-1", "not an Apprise URL: *** (write e.g. slack://"),
    ],
)
def test_a_url_apprise_cannot_use_stops_the_config_with_its_line(url: str, expected: str) -> None:
    text = f"channels:\n  chat:\n    type: apprise\n    urls:\n      - ntfys://ntfy.sh/ok\n      - '{url}'\n"
    with pytest.raises(ConfigError) as info:
        parse_config(text, "n.yaml")
    message = str(info.value)
    assert message.startswith("n.yaml:6:9: channels.chat.urls.1: ") and expected in message
    # Neither the message nor the chained pydantic error (printed at --log-level DEBUG) has it.
    for secret in ("tok-secret-1", "only-two-tok"):
        assert secret not in message and secret not in str(info.value.__cause__)


def test_channel_without_urls_is_refused() -> None:
    with pytest.raises(ConfigError, match="urls"):
        parse_config("channels: {n: {type: apprise, urls: []}}", "n.yaml")


def _modules_after(config: str, tmp_path: Path) -> set[str]:
    path = tmp_path / "n.yaml"
    path.write_text(config, encoding="utf-8")
    code = (
        "import sys, json; import workers.jobs, workers.deliver, workers.channels;"
        "from monitor.config import load_config; load_config(sys.argv[1]);"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'apprise')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, check=True
    )
    return set(json.loads(out.stdout))


def test_apprise_is_imported_only_by_configs_that_use_it(tmp_path: Path) -> None:
    assert _modules_after("channels: {c: {type: console}}", tmp_path) == set()
    assert "apprise" in _modules_after(CONFIG, tmp_path)


# --- sending to a real receiver --------------------------------------------------------------
def test_json_receiver_gets_the_alert_title_and_body(
    http_server: LocalHTTPServer, tmp_path: Path
) -> None:
    http_server.routes[f"/hooks/{HOOK_ID}"] = Response(b"ok", 200)
    send_alert(make_alert(), "chat", channel(target(http_server)), ctx(tmp_path))
    (req,) = http_server.requests_to(f"/hooks/{HOOK_ID}")
    body = req.json()
    assert body["title"].startswith("[large-attack-count] Oekraïne meldt 261 gevechten")
    assert "Er waren gisteren 261 gevechten aan het front." in body["message"]
    assert "https://news.example.org/a/1" in body["message"] and body["type"] == "info"
    assert req.headers["X-Api-Key"] == HEADER_SECRET  # the URL's header reached the receiver


def test_form_receiver_gets_the_same_and_severity_sets_the_type(
    http_server: LocalHTTPServer, tmp_path: Path
) -> None:
    http_server.routes[f"/hooks/{HOOK_ID}"] = Response(b"ok", 200)
    alert = dataclasses.replace(make_alert(), severity="critical")
    send_alert(alert, "chat", channel(target(http_server, "form")), ctx(tmp_path))
    (req,) = http_server.requests_to(f"/hooks/{HOOK_ID}")
    form = {k: v[0] for k, v in parse_qs(req.body.decode()).items()}
    assert form["title"].startswith("[large-attack-count] Oekraïne meldt 261 gevechten")
    assert "261 gevechten (combat)" in form["message"] and form["type"] == "failure"


@pytest.mark.parametrize(("query", "posts"), [("", 2), ("&overflow=truncate", 1)])
def test_a_message_past_the_service_limit_is_split_unless_the_url_says_otherwise(
    query: str, posts: int, http_server: LocalHTTPServer, tmp_path: Path
) -> None:
    http_server.routes[f"/hooks/{HOOK_ID}"] = Response(b"ok", 200)
    long_text = "Er waren gisteren 261 gevechten aan het front. " * 1000  # ~47,000 characters
    message = Message(subject="[digest] 40 alerts", text=long_text, html="", payload={})
    assert notify_one(target(http_server) + query, message, 10.0, ctx(tmp_path)) is None
    bodies = [r.json()["message"] for r in http_server.requests_to(f"/hooks/{HOOK_ID}")]
    assert len(bodies) == posts
    if posts == 2:  # split: every sentence arrives
        assert "".join(bodies).count("261 gevechten") == 1000
    else:  # truncated, as the URL asked
        assert len(bodies[0]) < len(long_text)


@pytest.mark.parametrize("status", [500, 503, 404])
def test_a_refusing_receiver_is_a_retryable_error_that_says_why(
    status: int, http_server: LocalHTTPServer, tmp_path: Path
) -> None:
    http_server.routes[f"/hooks/{HOOK_ID}"] = Response(b"no", status)
    with pytest.raises(DeliveryError) as info:
        send_alert(make_alert(), "chat", channel(target(http_server)), ctx(tmp_path))
    error = info.value
    assert error.retryable and not isinstance(error, PermanentDeliveryError)
    assert str(error).startswith("channel chat (apprise): 1 of 1 target(s) failed: json://***@")
    assert f"error={status}" in str(error)
    assert_no_secret(str(error))


def test_a_slow_receiver_times_out_and_may_be_retried(
    http_server: LocalHTTPServer, tmp_path: Path
) -> None:
    http_server.routes[f"/hooks/{HOOK_ID}"] = Response(b"ok", 200, delay=1.5)
    with pytest.raises(DeliveryError) as info:
        send_alert(
            make_alert(), "chat", channel(target(http_server), timeout="0.3s"), ctx(tmp_path)
        )
    assert info.value.retryable and "did not finish" in str(info.value)


# --- through the queue: retries, dead letter, replay, exactly once per target ----------------
@pytest.fixture
def configure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_client: redis.Redis, redis_url: str
) -> Any:
    def make(urls: list[str], retries: int = 2) -> Path:
        path = write_config(
            tmp_path, {"chat": {"type": "apprise", "urls": urls}}, redis_url, retries
        )
        use_config(monkeypatch, path)
        return path

    return make


def _values(conn: redis.Redis, key: bytes) -> list[bytes]:
    kind = conn.type(key).decode()
    if kind == "string":
        return [conn.get(key) or b""]
    if kind == "hash":
        return [x for pair in conn.hgetall(key).items() for x in pair]
    if kind == "list":
        return list(conn.lrange(key, 0, -1))
    if kind == "set":
        return list(conn.smembers(key))
    if kind == "stream":  # RQ keeps each run's result (and traceback) in a stream
        return [x for _, fields in conn.xrange(key) for pair in fields.items() for x in pair]
    return list(conn.zrange(key, 0, -1)) if kind == "zset" else []


def _as_text(value: bytes) -> str:
    """RQ keeps job data zlib-compressed, and a run's traceback base64-encoded on top."""
    with contextlib.suppress(zlib.error):
        return zlib.decompress(value).decode("utf-8", "replace")
    with contextlib.suppress(zlib.error, binascii.Error):
        return zlib.decompress(base64.b64decode(value, validate=True)).decode("utf-8", "replace")
    return value.decode("utf-8", "replace")


def everything_in_redis(conn: redis.Redis) -> str:
    """Every key and value Redis holds, as text."""
    return "\n".join(
        key.decode() + "\n" + "\n".join(_as_text(v) for v in _values(conn, key))
        for key in conn.scan_iter()
    )


@pytest.fixture
def debug_log() -> Iterator[None]:
    """The daemon's own logging (monitor.logs) at DEBUG, to stderr, restored afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    noisy = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    setup_logging("DEBUG")
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in noisy.items():
        logging.getLogger(name).setLevel(level)


def test_500_retries_then_dead_letter_then_deliveries_retry_delivers(
    configure: Any,
    redis_client: redis.Redis,
    http_server: LocalHTTPServer,
    debug_log: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.test_deliveries_cli import run
    from tests.test_status import run as run_status

    http_server.routes[f"/hooks/{HOOK_ID}"] = Response(b"down", 500)
    config = configure([target(http_server)], retries=2)
    queue = make_queue(keys.QUEUE_ALERTS, redis_client)
    enqueue_delivery(queue, make_alert(), "chat", load_config(config))
    run_alert_jobs(redis_client)
    assert len(http_server.requests_to(f"/hooks/{HOOK_ID}")) == 3  # first try + 2 retries
    (letter,) = read_dead_letters(redis_client)
    assert letter.channel == "chat" and letter.attempts == 3
    assert letter.error_type == "DeliveryError" and "error=500" in letter.error
    assert run(["--config", str(config), "deliveries", "--failed"]) == 0
    assert run_status(["--config", str(config), "status"]) == 0
    screens = capsys.readouterr()
    assert "json://***@127.0.0.1:" in screens.out and "error=500" in screens.out
    assert "will retry" in screens.err and "failed for good" in screens.err
    assert "JSON POST URL: http://127.0.0.1:" in screens.err  # Apprise's own words, scrubbed
    stored = everything_in_redis(redis_client)
    assert "Traceback" in stored and "error=500" in stored  # RQ kept the failures, unpacked
    for text in (screens.out, screens.err, stored):
        assert_no_secret(text)

    http_server.routes[f"/hooks/{HOOK_ID}"] = Response(b"ok", 200)  # the receiver is back
    assert run(["--config", str(config), "deliveries", "retry", "--all"]) == 0
    run_alert_jobs(redis_client)
    last = http_server.requests_to(f"/hooks/{HOOK_ID}")[-1]
    assert len(http_server.requests_to(f"/hooks/{HOOK_ID}")) == 4
    assert "261 gevechten" in last.json()["message"]
    assert read_dead_letters(redis_client) == []
    assert read_deliveries(redis_client)[0].ok


def test_a_retry_sends_only_to_the_targets_that_failed(
    configure: Any, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    answers = iter([Response(b"down", 503)])

    def flaky(req: Request) -> Response:
        return next(answers, Response(b"ok", 200))

    http_server.routes["/hooks/steady"] = Response(b"ok", 200)
    http_server.routes["/hooks/flaky"] = flaky
    urls = [target(http_server, hook="steady"), target(http_server, "form", hook="flaky")]
    config = configure(urls, retries=2)
    enqueue_delivery(
        make_queue(keys.QUEUE_ALERTS, redis_client), make_alert(), "chat", load_config(config)
    )
    run_alert_jobs(redis_client)
    assert len(http_server.requests_to("/hooks/steady")) == 1  # not again on the retry
    assert len(http_server.requests_to("/hooks/flaky")) == 2
    (record,) = read_deliveries(redis_client)
    assert record.ok and record.attempts == 2
    assert read_dead_letters(redis_client) == []


# --- the daemon, end to end ------------------------------------------------------------------
@pytest.mark.slow
def test_the_daemon_delivers_through_apprise_and_never_logs_the_url(
    tmp_path: Path,
    corpus: Path,
    redis_url: str,
    redis_client: redis.Redis,
    http_server: LocalHTTPServer,
) -> None:
    from tests.seedsite import serve_seed_site

    serve_seed_site(http_server, corpus)
    http_server.routes[f"/hooks/{HOOK_ID}"] = Response(b"ok", 200)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "big.yaml").write_text(
        "name: big-counts\nmatch: {event: [attack, combat], count: '>= 100'}\nnotify: [chat]\n"
    )
    cfg = tmp_path / "newsmonitor.yaml"
    cfg.write_text(
        f"redis_url: '{redis_url}'\ndata_dir: {tmp_path / 'data'}\nrules: {rules}\n"
        f"feeds: [{{url: '{http_server.url('/feed.xml')}', name: seeds, interval: 2s, backfill: true}}]\n"
        "channels: {chat: {type: apprise, urls: ['${CHAT_URL}']}}\nhealth: {port: 0}\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {
        "CHAT_URL": target(http_server)
    }
    argv = [
        sys.executable,
        "-m",
        "monitor.cli",
        "--log-level",
        "DEBUG",
        "--config",
        str(cfg),
        "run",
        "--workers",
        "1",
    ]
    with (tmp_path / "daemon.log").open("wb") as log:
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            (post, *_) = wait_for(lambda: http_server.requests_to(f"/hooks/{HOOK_ID}"), 60)
            (delivery, *_) = wait_for(lambda: read_deliveries(redis_client), 20)
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(60)
    output = (tmp_path / "daemon.log").read_text(errors="replace")
    assert code == 0, output[-3000:]
    assert post.json()["title"].startswith("[big-counts] ") and "“" in post.json()["message"]
    assert delivery.ok and delivery.channel == "chat" and delivery.rule == "big-counts"
    assert_no_secret(output)
