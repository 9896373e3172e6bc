"""The console's JSON API and pages over real HTTP, on a real Redis filled by the real jobs:
every view's twin, the editor's check/test/save, retries, the token, and no secret anywhere."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from monitor import keys
from monitor.cli import main
from monitor.config import load_config
from monitor.console.safety import NEED_TOKEN, READ_ONLY
from monitor.deliveries import read_dead_letters, record_failure
from monitor.feeds.state import record_error
from monitor.producers import make_queue
from monitor.rules import load_rules
from monitor.rules.publish import publish_ruleset
from monitor.rules.watch import RulesWatcher
from tests.consolekit import (
    BIG_COMBAT,
    HEADER_SECRET,
    HOOK_SECRET,
    REPORTS,
    SMTP_PASSWORD,
    TOKEN,
    ConsoleSite,
    as_jsonl,
    console_site,
    news_article,
    write_console_config,
)
from tests.servers import LocalHTTPServer, Response
from tests.test_deliver import run_alert_jobs
from workers.alerting import alert_on
from workers.articles import store_article
from workers.context import CONFIG_ENV
from workers.pipeline import understand

FEED_SECRET = "feed-password-4242"
FEED_TOKEN = "feed-token-31337"
PRIVATE_FEED = f"https://reader:{FEED_SECRET}@feeds.example/private.xml?token={FEED_TOKEN}"


@pytest.fixture
def site(
    tmp_path: Path,
    redis_url: str,
    redis_client: redis.Redis,
    http_server: LocalHTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[ConsoleSite]:
    http_server.routes["/hook"] = Response(b"ok")
    extra = f"feeds:\n  - {{url: '{PRIVATE_FEED}', name: private-feed}}\n"
    config = write_console_config(tmp_path, redis_url, http_server.url("/hook"), extra=extra)
    monkeypatch.setenv(CONFIG_ENV, str(config))
    monkeypatch.delenv("REDIS_URL", raising=False)
    with console_site(redis_client, config) as s:
        yield s


def populate(r: redis.Redis, site: ConsoleSite) -> None:
    """Articles through the worker's own steps (classify, alert, store), then the deliveries."""
    for aid, (text, source, lang) in REPORTS.items():
        article = understand(news_article(aid, text, source, lang))
        alert_on(r, site.cfg, article)
        store_article(r, article)
    run_alert_jobs(r)


def test_alerts_show_evidence_sources_and_delivery_state(
    site: ConsoleSite, redis_client: redis.Redis
) -> None:
    populate(redis_client, site)
    data = site.http.get("/api/alerts").json()
    assert data["total"] == 2
    by_rule = {a["rule"]: a for a in data["alerts"]}
    big = by_rule["big-combat"]
    assert big["title"] and big["url"] == "https://nieuws.example/news/nl-1"
    (event,) = [e for e in big["events"] if e["type"] == "combat"]
    assert event["count"] == 261 and event["words"] == "261 gevechten (combat)"
    assert "261 gevechten" in event["evidence"]
    # The English copy joined the story after the alert: the console shows it as it is now.
    assert big["story"]["other_sources"] == ["news.example"]
    assert big["deliveries"]["hook"]["state"] == "sent"
    talks = by_rule["talks"]
    assert any("onderhandel" in m.lower() for m in talks["matched"])
    only = site.http.get("/api/alerts", params={"rule": "talks"}).json()
    assert [a["rule"] for a in only["alerts"]] == ["talks"] and only["total"] == 1
    page = site.http.get("/").text
    assert "261 gevechten (combat)" in page and "hook: sent" in page and "news.example" in page
    assert big["title"] not in site.http.get("/?rule=talks").text
    assert site.http.get("/api/alerts", params={"limit": "x"}).status_code == 400


def test_stories_list_their_articles_sources_and_counts(
    site: ConsoleSite, redis_client: redis.Redis
) -> None:
    populate(redis_client, site)
    stories = site.http.get("/api/stories").json()["stories"]
    (story,) = [s for s in stories if s["article_count"] == 2]
    assert set(story["sources"]) == {"nieuws.example", "news.example"}
    assert story["counts"]["combat"] == 261
    assert [a["id"] for a in story["articles"]] == ["nl-1", "en-1"]
    assert story["growth"]["combat"][0][1] == 261
    assert site.http.get(f"/api/stories/{story['id']}").json()["id"] == story["id"]
    assert site.http.get("/api/stories/nope").status_code == 404
    page = site.http.get(f"/stories/{story['id']}").text
    assert "nieuws.example" in page and "news.example" in page


def test_feeds_show_state_and_errors_without_credentials(
    site: ConsoleSite, redis_client: redis.Redis
) -> None:
    record_error(redis_client, PRIVATE_FEED, f"GET {PRIVATE_FEED}: HTTP 401")
    (row,) = site.http.get("/api/feeds").json()["feeds"]
    assert row["name"] == "private-feed" and row["state"] == "failing"
    assert row["url"] == "https://***@feeds.example/private.xml?***"
    assert "HTTP 401" in row["last_error"] and FEED_SECRET not in row["last_error"]
    assert FEED_TOKEN not in json.dumps(row)
    page = site.http.get("/feeds").text
    assert "failing" in page and FEED_SECRET not in page and FEED_TOKEN not in page


def test_rules_show_hits_last_fired_and_problems(
    site: ConsoleSite, redis_client: redis.Redis
) -> None:
    populate(redis_client, site)
    view = site.http.get("/api/rules").json()
    rows = {r["name"]: r for r in view["rules"]}
    assert rows["big-combat"]["file"] == "big-combat.yaml"
    assert rows["big-combat"]["hits"][-1] == 1 and len(rows["big-combat"]["hits"]) == view["days"]
    assert rows["big-combat"]["last_fired"] and rows["big-combat"]["in_force"]
    assert rows["big-combat"]["severity"] == "warning" and rows["talks"]["notify"] == ["hook"]
    assert view["up_to_date"] and view["problems"] == []
    (site.folder / "broken.yaml").write_text(
        "name: broken\nmatch: {event: atack}\nnotify: [hook]\n"
    )
    view = site.http.get("/api/rules").json()
    assert not view["up_to_date"]
    (broken,) = [r for r in view["rules"] if r["file"] == "broken.yaml"]
    assert broken["problems"] and "unknown event type 'atack'" in broken["problems"][0]
    assert "unknown event type" in site.http.get("/rules").text


def test_check_gives_the_messages_of_rules_check(
    site: ConsoleSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "name: shaky\nmatch:\n  event: atack\n  cuont: 5\nnotify: [hook, pager]\n"
    folder = tmp_path / "check"
    folder.mkdir()
    (folder / "shaky.yaml").write_text(text)
    assert main(["--config", site.cfg.source, "rules", "check", str(folder)]) == 1
    cli = [line for line in capsys.readouterr().err.splitlines() if line.startswith(str(folder))]
    expected = []
    for line in cli:
        m = re.match(rf"{re.escape(str(folder / 'shaky.yaml'))}:(\d+):(\d+): (.*)$", line)
        assert m, line
        expected.append((int(m.group(1)), int(m.group(2)), m.group(3)))
    got = site.http.post("/api/rules/check", content=text, params={"name": "shaky"}).json()
    assert got["ok"] is False
    assert [(e["line"], e["column"], e["message"]) for e in got["errors"]] == expected
    assert (
        got["errors"][0]["text"]
        == f"shaky.yaml:{expected[0][0]}:{expected[0][1]}: {expected[0][2]}"
    )
    syntax = site.http.post("/api/rules/check", content="name: x\nmatch: [unclosed\n").json()
    assert syntax["ok"] is False and syntax["errors"][0]["line"] == 3
    good = site.http.post("/api/rules/check", content=BIG_COMBAT, params={"name": "big-combat"})
    assert good.json() == {"ok": True, "errors": []}


def test_check_reports_a_rule_name_another_file_uses(site: ConsoleSite) -> None:
    got = site.http.post("/api/rules/check", content=BIG_COMBAT, params={"name": "copy"}).json()
    (error,) = got["errors"]
    assert error["line"] == 2 and "also used in big-combat.yaml" in error["message"]


def test_test_fires_on_stored_articles_with_the_explanation_of_rules_test(
    site: ConsoleSite, redis_client: redis.Redis, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    populate(redis_client, site)
    got = site.http.post("/api/rules/test", content=BIG_COMBAT).json()
    assert got["ok"] and got["articles"] == len(REPORTS)
    fired = {hit["id"]: hit for hit in got["fired"]}
    assert set(fired) == {"nl-1", "en-1"}
    assert fired["nl-1"]["url"] == "https://nieuws.example/news/nl-1" and fired["nl-1"]["title"]
    rule_file, corpus = tmp_path / "big.yaml", tmp_path / "corpus.jsonl"
    rule_file.write_text(BIG_COMBAT)
    corpus.write_text(
        as_jsonl([news_article(aid, text, src, lang) for aid, (text, src, lang) in REPORTS.items()])
    )
    assert (
        main(
            [
                "--config",
                site.cfg.source,
                "rules",
                "test",
                str(rule_file),
                "--corpus",
                str(corpus),
                "--json",
            ]
        )
        == 0
    )
    cli = {row["id"]: row for row in map(json.loads, capsys.readouterr().out.splitlines())}
    for aid, hit in fired.items():
        assert hit["explain"] == cli[aid]["explain"] and cli[aid]["fired"]
    bad = site.http.post(
        "/api/rules/test", content="name: x\nmatch: {event: nope}\nnotify: [hook]\n"
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["line"] == 2
    assert (
        site.http.post("/api/rules/test", content=BIG_COMBAT, params={"since": "soon"}).status_code
        == 400
    )


def test_saving_needs_the_token(site: ConsoleSite) -> None:
    new_rule = BIG_COMBAT.replace("big-combat", "bigger")
    missing = site.write("PUT", "/api/rules/bigger", new_rule, token=None)
    wrong = site.write("PUT", "/api/rules/bigger", new_rule, token="not-the-token")
    assert missing.status_code == wrong.status_code == 403
    assert missing.json()["error"] == NEED_TOKEN
    assert not (site.folder / "bigger.yaml").exists()


def test_read_only_without_a_token(
    tmp_path: Path, redis_url: str, redis_client: redis.Redis
) -> None:
    config = write_console_config(tmp_path, redis_url, "http://127.0.0.1:9/hook", token=None)
    with console_site(redis_client, config) as s:
        resp = s.write(
            "PUT", "/api/rules/x", BIG_COMBAT.replace("big-combat", "x"), token="anything"
        )
        retry = s.write("POST", "/api/deliveries/retry", '{"all": true}', token="anything")
        page = s.http.get("/rules/new").text
    assert resp.status_code == retry.status_code == 403
    assert resp.json()["error"] == READ_ONLY
    assert not (tmp_path / "rules" / "x.yaml").exists()
    assert "read-only" in page


def test_save_writes_atomically_and_the_hot_reload_runs_it(
    site: ConsoleSite, redis_client: redis.Redis
) -> None:
    watcher = RulesWatcher(site.folder, site.cfg.channels.keys(), redis_client)
    watcher.load_initial()
    new_rule = BIG_COMBAT.replace("big-combat", "bigger").replace("'>= 100'", "'>= 200'")
    resp = site.write("PUT", "/api/rules/bigger", new_rule)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["ok"] and body["created"] and body["file"] == "bigger.yaml"
    assert (site.folder / "bigger.yaml").read_text() == new_rule
    assert sorted(p.name for p in site.folder.iterdir()) == [
        "big-combat.yaml",
        "bigger.yaml",
        "talks.yaml",
    ]
    assert watcher.check()  # the daemon's hot reload publishes it
    assert redis_client.hget(keys.ruleset(), "hash").decode() == watcher.ruleset.hash  # type: ignore[union-attr]
    assert watcher.ruleset is not None and watcher.ruleset.get("bigger") is not None
    opened = site.http.get("/api/rules/bigger").json()
    assert opened["yaml"] == new_rule and opened["etag"] == body["etag"]
    # Another save since it was opened: refused; with the current version: written.
    changed = new_rule.replace("'>= 200'", "'>= 300'")
    stale = site.http.put(
        "/api/rules/bigger",
        content=changed,
        headers={"Authorization": f"Bearer {TOKEN}", "If-Match": "0000"},
    )
    assert stale.status_code == 412
    ok = site.http.put(
        "/api/rules/bigger",
        content=changed,
        headers={"Authorization": f"Bearer {TOKEN}", "If-Match": opened["etag"]},
    )
    assert ok.status_code == 200 and not ok.json()["created"]
    exists = site.http.put(
        "/api/rules/bigger",
        content=changed,
        headers={"Authorization": f"Bearer {TOKEN}", "If-None-Match": "*"},
    )
    assert exists.status_code == 412


def test_an_invalid_rule_is_refused_with_its_errors_and_nothing_is_written(
    site: ConsoleSite,
) -> None:
    before = (site.folder / "big-combat.yaml").read_text()
    broken = BIG_COMBAT.replace("count: '>= 100'", "cuont: '>= 100'")
    resp = site.write("PUT", "/api/rules/big-combat", broken)
    assert resp.status_code == 422
    (error,) = resp.json()["errors"]
    assert error["line"] == 6 and "unknown key 'cuont'" in error["message"]
    assert (site.folder / "big-combat.yaml").read_text() == before
    clash = site.write("PUT", "/api/rules/second", BIG_COMBAT)
    assert (
        clash.status_code == 422
        and "also used in big-combat.yaml" in clash.json()["errors"][0]["message"]
    )
    assert sorted(p.name for p in site.folder.iterdir()) == ["big-combat.yaml", "talks.yaml"]


@pytest.mark.parametrize("name", ["..", ".hidden", "..%2Fescape", "a%2Fb", "-x", "x%00y", "%2E%2E"])
def test_rule_names_cannot_leave_the_rules_folder(
    site: ConsoleSite, name: str, tmp_path: Path
) -> None:
    rule = BIG_COMBAT.replace("big-combat", "escape")
    resp = site.write("PUT", f"/api/rules/{name}", rule)
    assert resp.status_code in (400, 404, 405)
    assert sorted(p.name for p in site.folder.iterdir()) == ["big-combat.yaml", "talks.yaml"]
    assert not list(tmp_path.glob("*.yaml.*")) and not (tmp_path / "escape.yaml").exists()


def test_a_dead_letter_is_retried_from_the_console(
    site: ConsoleSite, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    (site.folder / "big-combat.yaml").write_text(BIG_COMBAT.replace("[hook]", "[mail]"))
    publish_ruleset(redis_client, load_rules(site.folder, site.cfg.channels.keys()))
    populate(redis_client, site)  # the mail server is not there: one try, then a dead letter
    (letter,) = read_dead_letters(redis_client)
    view = site.http.get("/api/deliveries").json()
    assert view["dead_total"] == 1 and view["dead_letters"][0]["id"] == letter.id
    assert view["dead_letters"][0]["channel"] == "mail" and view["dead_letters"][0]["error"]
    alert = site.http.get("/api/alerts", params={"rule": "big-combat"}).json()["alerts"][0]
    assert alert["deliveries"]["mail"]["state"] == "dead"
    assert (
        site.write("POST", f"/api/deliveries/{letter.id}/retry", token=None).status_code == 403
    )
    resp = site.write("POST", f"/api/deliveries/{letter.id}/retry")
    assert resp.status_code == 200 and resp.json()["retried"] == [letter.id]
    assert read_dead_letters(redis_client) == []
    assert len(make_queue(keys.QUEUE_ALERTS, redis_client).get_jobs()) == 1
    alert = site.http.get("/api/alerts", params={"rule": "big-combat"}).json()["alerts"][0]
    assert alert["deliveries"]["mail"]["state"] == "queued"
    assert site.write("POST", "/api/deliveries/nope/retry").status_code == 404
    assert site.write("POST", "/api/deliveries/retry", "{}").status_code == 400


def test_no_secret_on_any_page_or_api(site: ConsoleSite, redis_client: redis.Redis) -> None:
    populate(redis_client, site)
    record_error(redis_client, PRIVATE_FEED, f"GET {PRIVATE_FEED}: HTTP 401")
    error = RuntimeError(
        f"POST https://desk:{SMTP_PASSWORD}@mail.example/send failed; key {HOOK_SECRET}, "
        f"header {HEADER_SECRET}, tgram://bot{FEED_TOKEN}/chat"
    )
    alert = site.http.get("/api/alerts").json()["alerts"][0]
    record_failure(
        redis_client, {"id": alert["id"], "rule": alert["rule"], "article": {}}, "hook", error, 3
    )
    paths = [
        "/",
        "/api/alerts",
        "/stories",
        "/api/stories",
        "/feeds",
        "/api/feeds",
        "/rules",
        "/api/rules",
        "/deliveries",
        "/api/deliveries",
        "/rules/new",
        "/rules/talks/edit",
        "/api/rules/talks",
        "/api/console",
    ]
    secrets = [HOOK_SECRET, HEADER_SECRET, SMTP_PASSWORD, TOKEN, FEED_SECRET, FEED_TOKEN]
    for path in paths:
        resp = site.http.get(path)
        assert resp.status_code == 200, path
        leaked = [s for s in secrets if s in resp.text]
        assert not leaked, f"{path} shows {leaked}"
    shown = site.http.get("/api/deliveries").json()["dead_letters"][0]["error"]
    assert "mail.example" in shown and "tgram://***" in shown


def test_host_names_and_headers(site: ConsoleSite) -> None:
    evil = {"Host": "attacker.example"}
    assert site.http.get("/api/alerts", headers=evil).status_code == 421
    assert (
        site.http.get("/healthz", headers=evil).status_code == 200
    )  # probes are not the console's
    port = site.server.server_address[1]
    assert site.http.get("/api/alerts", headers={"Host": f"localhost:{port}"}).status_code == 200
    page = site.http.get("/")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert site.http.get("/nope").status_code == 404
    assert site.http.get("/api/nope").json()["error"].startswith("no such endpoint")


def test_a_redis_that_does_not_answer_is_a_503(tmp_path: Path) -> None:
    from monitor.console.app import console_routes
    from monitor.health import start_health_server
    from tests.servers import free_port

    config = write_console_config(
        tmp_path, f"redis://127.0.0.1:{free_port()}/0", "http://127.0.0.1:9/h"
    )
    cfg = load_config(config)
    down = redis.Redis.from_url(cfg.redis_url or "", socket_connect_timeout=1)
    server = start_health_server(down, "127.0.0.1", 0, console_routes(down, cfg, "127.0.0.1"))
    try:
        api = httpx.get(f"{server.url}/api/alerts", timeout=30)
        page = httpx.get(f"{server.url}/", timeout=30)
    finally:
        server.shutdown()
    assert api.status_code == 503 and api.json()["error"].startswith("redis is not answering")
    assert page.status_code == 503
