"""`newsmonitor run` as a subprocess against real Redis, HTTP, SMTP and webhook servers."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import redis

from tests.seedsite import serve_seed_site
from tests.servers import LocalHTTPServer, Request, Response, SMTPSink, wait_for

ROOT = Path(__file__).resolve().parent.parent
SECRET = "e2e-hook-secret"

RULES = {
    "big-counts.yaml": (
        "name: big-counts\nmatch:\n  event: [attack, combat, interception]\n  count: '>= 100'\n"
        "notify: [mail, hook]\n"
    ),
    "talks.yaml": (
        'name: talks\nmatch:\n  text: "(?i)onderhandel|negotiat"\n  lang: [nl, en]\n'
        "notify: [hook]\n"
    ),
}


def write_config(tmp: Path, redis_url: str, http: LocalHTTPServer, smtp: SMTPSink) -> Path:
    rules = tmp / "rules"
    rules.mkdir()
    for name, text in RULES.items():
        (rules / name).write_text(text)
    cfg = tmp / "newsmonitor.yaml"
    cfg.write_text(
        f"redis_url: '{redis_url}'\ndata_dir: {tmp / 'data'}\nrules: {rules}\n"
        f"feeds:\n  - {{url: '{http.url('/feed.xml')}', name: seeds, interval: 2s,"
        " backfill: true}\n"
        "channels:\n"
        "  mail: {type: email, to: [desk@example.org], from: monitor@example.org,"
        f" smtp_host: 127.0.0.1, smtp_port: {smtp.port}, starttls: false}}\n"
        f"  hook: {{type: webhook, url: '{http.url('/hook')}', secret: '${{HOOK_SECRET}}'}}\n"
        "delivery: {retries: 2, backoff: [1]}\n"
        "health: {port: 0}\n"
    )
    return cfg


def verify_signature(req: Request) -> bool:
    header = req.headers.get("X-Newsmonitor-Signature", "")
    parts = dict(p.split("=", 1) for p in header.split(","))
    mac = hmac.new(SECRET.encode(), f"{parts['t']}.".encode() + req.body, hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), parts["v1"])


@pytest.mark.slow
def test_daemon_alerts_once_per_rule_article_and_channel(
    tmp_path: Path,
    corpus: Path,
    redis_url: str,
    redis_client: redis.Redis,
    http_server: LocalHTTPServer,
    smtp_server: SMTPSink,
) -> None:
    serve_seed_site(http_server, corpus)
    http_server.routes["/hook"] = Response(b"ok")
    cfg = write_config(tmp_path, redis_url, http_server, smtp_server)
    env = {**os.environ, "HOOK_SECRET": SECRET}
    env.pop("REDIS_URL", None)
    log = (tmp_path / "daemon.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor.cli", "--config", str(cfg), "run", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        hooks = wait_for(
            lambda: len(http_server.requests_to("/hook")) >= 3 and http_server.requests_to("/hook"),
            60,
        )
        mails = wait_for(lambda: smtp_server.messages, 30)
        feed_polls = len(http_server.requests_to("/feed.xml"))
        wait_for(lambda: len(http_server.requests_to("/feed.xml")) >= feed_polls + 2, 20)
        posts = http_server.requests_to("/hook")
        payloads = [p.json() for p in posts]
        keys = [(p["rule"], p["article"]["url"]) for p in payloads]
        assert len(keys) == len(set(keys)), f"duplicate webhook alerts: {keys}"
        assert all(verify_signature(p) for p in posts)
        by_rule = {k[0] for k in keys}
        assert {"big-counts", "talks"} <= by_rule
        big = [p for p in payloads if p["rule"] == "big-counts"]
        counts = {e["count"] for p in big for e in p["events"]}
        assert 261 in counts  # "261 gevechten op een dag" in seed-000
        assert all(p["article"]["url"].startswith(http_server.base) for p in payloads)
        health_url = re.search(r"health and metrics on (http://[\d.:]+)", (tmp_path / "daemon.log").read_text())
        assert health_url, "the daemon did not say where /healthz is"
        assert httpx.get(health_url.group(1) + "/healthz").json()["status"] == "ok"
        exposed = httpx.get(health_url.group(1) + "/metrics").text
        assert 'newsmonitor_alerts_total{rule="big-counts"}' in exposed
        subjects = [m["Subject"] for m in smtp_server.messages]
        assert len(subjects) == len(big) and all("big-counts" in s for s in subjects)
        assert len(hooks) >= 3 and mails
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
        log.close()
    assert code == 0, (tmp_path / "daemon.log").read_text(errors="replace")[-3000:]
    assert len(http_server.requests_to("/hook")) == len(posts)
