"""`newsmonitor demo`: the sample news fires the shipped rules with the current classifier, and
the real demo shows alerts in the console within a minute, in its own Redis, and cleans up."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from monitor.commands.articles import article_from_row, understood
from monitor.demo.site import SampleSite, load_samples
from monitor.rules import load_rules, match_ruleset
from tests.clirun import start_cli
from tests.servers import wait_for

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = load_rules(ROOT / "rules", {"console", "outbox"})
ARTIFACTS = ROOT / "artifacts"


def test_every_sample_fires_the_shipped_rule_it_is_written_for() -> None:
    samples = load_samples()
    fired: dict[str, set[str]] = {}
    for n, s in enumerate(samples):
        row = {"id": s.id, "title": s.title, "text": f"{s.title}\n{s.text}", "lang": s.lang}
        (article,) = understood([article_from_row(row, n, "demo")])
        fired[s.id] = {m.rule for m in match_ruleset(SHIPPED, article)}
    assert fired == {s.id: {s.fires} for s in samples}
    assert {s.fires for s in samples} == {r.name for r in SHIPPED.rules}  # every rule shows


def test_the_samples_say_they_are_samples() -> None:
    for s in load_samples():
        assert s.title.startswith(("SAMPLE:", "VOORBEELD:")), s.title
        assert "newsmonitor demo" in s.text or "newsmonitor" in s.text, s.id


def test_held_back_news_arrives_later() -> None:
    site = SampleSite(load_samples())
    early = {a.id for a, _ in site.listed(site.started + 1)}
    late = {a.id for a, _ in site.listed(site.started + 120)}
    assert early < late and "oostveld-markt-update" in late - early


@dataclass
class Demo:
    url: str
    folder: Path
    proc: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(scope="module")
def demo(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo as a newcomer starts it, with a REDIS_URL it must leave alone (db 5)."""
    tmp = tmp_path_factory.mktemp("demo")
    log = tmp / "demo.log"
    env = {**os.environ, "REDIS_URL": redis_url.replace("db=0", "db=5")}
    proc = start_cli(["demo", "--no-open", "--port", "0"], log, cwd=tmp, env=env)
    try:
        text = wait_for(lambda: re.search(r"console: (http://[\d.:]+)/", log.read_text()), 60)
        folder = re.search(r"rules in (\S+), removed", log.read_text())
        assert folder, log.read_text()
        yield Demo(text.group(1), Path(folder.group(1)), proc, log)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)


def alerts(demo: Demo) -> list[dict[str, Any]]:
    try:
        return httpx.get(f"{demo.url}/api/alerts", timeout=10).json()["alerts"]
    except httpx.HTTPError:
        return []


@pytest.mark.slow
def test_the_demo_shows_alerts_with_evidence_within_a_minute(
    demo: Demo, redis_url: str, browser: Any
) -> None:
    rules = {r.name for r in SHIPPED.rules}
    wait_for(lambda: rules <= {a["rule"] for a in alerts(demo)}, 60)
    shown = alerts(demo)
    assert all(a["events"] and a["events"][0]["evidence"] for a in shown)
    assert all(a["deliveries"] for a in shown)
    # The toll that rose while the demo ran is an update of its story.
    update = wait_for(lambda: [a for a in alerts(demo) if a["update"]], 60)
    assert update[0]["rule"] == "casualty-toll"
    stories = httpx.get(f"{demo.url}/api/stories", timeout=10).json()["stories"]
    grown = [
        s["growth"]["casualties"] for s in stories if len(s["growth"].get("casualties", [])) == 2
    ]
    assert [c for _, c in grown[0]] == [12, 19]
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        for view in ("", "stories", "rules", "feeds", "deliveries"):
            page.goto(f"{demo.url}/{view}")
            page.wait_for_selector("main h1")
            page.screenshot(path=str(ARTIFACTS / f"demo-{view or 'alerts'}.png"), full_page=True)
    finally:
        page.close()
    assert redis.Redis.from_url(redis_url.replace("db=0", "db=5")).dbsize() == 0  # not the user's


@pytest.mark.slow
def test_the_demo_stops_cleanly_and_removes_its_folder(demo: Demo) -> None:
    assert demo.folder.is_dir()
    demo.proc.send_signal(signal.SIGTERM)
    assert demo.proc.wait(60) == 0, demo.log.read_text()[-3000:]
    assert not demo.folder.exists()
