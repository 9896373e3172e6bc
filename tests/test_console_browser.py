"""The console in a real browser (headless Chromium) against the real daemon fed by the seed
articles of the corpus: alerts appear, the editor marks a broken rule on its line, a rule
tested and saved in the page fires on the next article; and a dead letter is retried with its
button. Screenshots of every view are kept in
artifacts/ (gitignored) as the run's record."""

from __future__ import annotations

import html
import re
import shutil
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from monitor import keys
from monitor.deliveries import read_dead_letters
from monitor.producers import make_queue
from tests import consolekit
from tests.clirun import start_cli
from tests.consolekit import BIG_COMBAT, console_site, news_article, write_console_config
from tests.rulekit import DUTCH_REPORT
from tests.seedsite import feed_xml, page_html, serve_seed_site
from tests.servers import LocalHTTPServer, Response, wait_for
from tests.test_deliver import run_alert_jobs
from workers.alerting import alert_on
from workers.context import CONFIG_ENV
from workers.pipeline import understand

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
TOKEN = "browser-test-token-42"
BROKEN = (
    "version: 1\nname: big-numbers\nmatch:\n  event: [combat, attack]\n  cuont: '>= 200'\n"
    "notify: [outbox]\n"
)
FIXED = BROKEN.replace("cuont", "count")
FRESH = {  # the seed feed says its language is Dutch, so the next article is Dutch too
    "id": "fresh-report",
    "lang": "nl",
    "title": "Leger meldt 340 gevechten op één dag",
    "text": (
        "Volgens de legerleiding werden zondag langs de frontlinie 340 gevechten geleverd, het "
        "hoogste aantal dat het leger tot nu toe heeft gemeld.\n"
        "De commandanten zeggen dat de verdedigingslinies standhouden en dat er weer munitie "
        "aankomt bij de eenheden die het zwaarst onder vuur liggen."
    ),
}


@dataclass
class Daemon:
    url: str
    log: Path
    rules: Path
    outbox: Path
    site: LocalHTTPServer
    seeds: list[dict[str, str]]


@pytest.fixture(scope="module")
def daemon(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    """The daemon with its own embedded Redis, the shipped rules and the seed site."""
    tmp = tmp_path_factory.mktemp("console-browser")
    site = LocalHTTPServer().start()
    seeds = serve_seed_site(site, corpus)
    rules = tmp / "rules"
    shutil.copytree(ROOT / "rules", rules)
    config = tmp / "newsmonitor.yaml"
    config.write_text(
        f"data_dir: {tmp / 'data'}\nrules: {rules}\n"
        f"feeds:\n  - {{url: '{site.url('/feed.xml')}', name: seeds, interval: 2s, backfill: true}}\n"
        "channels:\n  console: {type: console}\n  outbox: {type: outbox}\n"
        f"health: {{port: 0}}\nconsole: {{token: {TOKEN}}}\n"
    )
    log = tmp / "daemon.log"
    proc = start_cli(["--config", str(config), "run", "--workers", "2"], log)
    try:
        found = wait_for(lambda: re.search(r"console on (http://[\d.:]+)/", log.read_text()), 60)
        yield Daemon(found.group(1), log, rules, tmp / "data" / "outbox.jsonl", site, seeds)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
        site.stop()
    assert code == 0, log.read_text(errors="replace")[-3000:]


@pytest.fixture
def page(browser: Any, daemon: Daemon) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert errors == [], f"script errors in the page: {errors}"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)


def alerts_api(daemon: Daemon, rule: str | None = None) -> list[dict[str, Any]]:
    params = {"rule": rule} if rule else {}
    return httpx.get(f"{daemon.url}/api/alerts", params=params, timeout=10).json()["alerts"]


@pytest.mark.slow
def test_alerts_appear_with_their_evidence(page: Any, daemon: Daemon) -> None:
    page.goto(f"{daemon.url}/")  # possibly before the first alert: the page refreshes itself
    page.wait_for_selector("article.alert blockquote", timeout=60_000)
    wait_for(lambda: len(alerts_api(daemon)) >= 3, 60)
    page.wait_for_function("document.querySelectorAll('article.alert').length >= 3", timeout=30_000)
    first = alerts_api(daemon)[0]
    card = page.locator(f"#alert-{first['id']}")
    assert first["rule"] in card.inner_text()
    evidence = [e["evidence"] for e in first["events"] if e["evidence"]] + first["matched"]
    quoted = card.locator("blockquote").all_inner_texts()
    assert evidence and " ".join(evidence[0].split()) in [" ".join(q.split()) for q in quoted]
    link = card.locator("h2 a")
    assert link.get_attribute("href") == first["url"] and first["url"].startswith(daemon.site.base)
    shot(page, "alerts")
    for view in ("stories", "feeds", "rules", "deliveries"):
        page.goto(f"{daemon.url}/{view}")
        page.wait_for_selector("main h1")
        shot(page, view)
    page.goto(f"{daemon.url}/feeds")
    assert "seeds" in page.locator("table.grid").inner_text()


@pytest.mark.slow
def test_the_editor_marks_a_broken_rule_on_its_line(page: Any, daemon: Daemon) -> None:
    page.goto(f"{daemon.url}/rules/new")
    page.fill("#yaml", BROKEN)
    marked = page.wait_for_selector(".gutter span.bad")
    assert marked.inner_text() == "5"
    problem = page.locator("li.problem").first.inner_text()
    assert problem.startswith("line 5, column 3:") and "unknown key 'cuont'" in problem
    assert "did you mean 'count'" in problem
    assert page.input_value("#rule-name") == "big-numbers"  # taken from the rule's name
    shot(page, "editor-error")


@pytest.mark.slow
def test_a_rule_tested_and_saved_in_the_page_fires_on_the_next_article(
    page: Any, daemon: Daemon
) -> None:
    wait_for(lambda: len(alerts_api(daemon)) >= 3, 60)  # the seeds are stored
    page.goto(f"{daemon.url}/rules/new")
    page.fill("#yaml", BROKEN)
    page.wait_for_selector("li.problem")
    page.fill("#yaml", FIXED)
    page.wait_for_selector("#problems p.ok")
    assert page.locator(".gutter span.bad").count() == 0
    # Tested on the stored articles: the seed with 261 engagements fires, with the explanation.
    page.click("#test")
    page.wait_for_selector("#results h2")
    results = page.locator("#results").inner_text()
    assert re.search(r"Fires on [1-9]\d* of the \d+ stored articles", results), results
    assert "261" in results
    shot(page, "editor-test")
    # Saved with the token entered in the page.
    page.fill("#token", TOKEN)
    page.click("#save")
    page.wait_for_selector("#save-result.ok")
    assert (daemon.rules / "big-numbers.yaml").read_text() == FIXED
    wait_for(lambda: _in_force(daemon, "big-numbers"), 20)
    # The next article arrives in the feed: the new rule fires on it.
    daemon.site.routes[f"/news/{FRESH['id']}.html"] = Response(
        page_html(FRESH), headers={"Content-Type": "text/html; charset=utf-8"}
    )
    daemon.site.routes["/feed.xml"] = Response(
        feed_xml(daemon.site, [*daemon.seeds, FRESH]),
        headers={"Content-Type": "application/rss+xml; charset=utf-8"},
    )
    (alert,) = wait_for(lambda: alerts_api(daemon, "big-numbers"), 60)
    assert alert["url"].endswith(f"/news/{FRESH['id']}.html")
    assert any(e["count"] == 340 for e in alert["events"])
    page.goto(f"{daemon.url}/?rule=big-numbers")
    card = page.locator(f"#alert-{alert['id']}")
    assert html.unescape(FRESH["title"]) in card.inner_text()
    wait_for(lambda: "big-numbers" in daemon.outbox.read_text(), 30)  # delivered, too
    shot(page, "saved-rule-fired")


def _in_force(daemon: Daemon, name: str) -> bool:
    rows = httpx.get(f"{daemon.url}/api/rules", timeout=10).json()["rules"]
    return any(r["name"] == name and r["in_force"] for r in rows)


def test_a_dead_letter_is_retried_with_the_button(
    browser: Any,
    tmp_path: Path,
    redis_url: str,
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = write_console_config(tmp_path, redis_url, "http://127.0.0.1:9/hook")
    (tmp_path / "rules" / "big-combat.yaml").write_text(BIG_COMBAT.replace("[hook]", "[mail]"))
    monkeypatch.setenv(CONFIG_ENV, str(config))
    with console_site(redis_client, config) as site:
        article = understand(news_article("nl-1", DUTCH_REPORT, "nieuws.example"))
        alert_on(redis_client, site.cfg, article)
        run_alert_jobs(redis_client)  # nothing listens on the mail port: a dead letter
        (letter,) = read_dead_letters(redis_client)
        page = browser.new_page()
        try:
            page.goto(f"{site.server.url}/deliveries")
            page.fill("#token", consolekit.TOKEN)
            page.click(f"button[data-retry='{letter.id}']")
            page.wait_for_selector("#retry-result.ok")
            assert letter.id in page.inner_text("#retry-result")
        finally:
            page.close()
    assert read_dead_letters(redis_client) == []
    assert len(make_queue(keys.QUEUE_ALERTS, redis_client).get_jobs()) == 1
