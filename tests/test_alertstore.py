"""The alert store the console reads: alerts made by the real job, and their delivery state as
real RQ workers move it (sent, retried, dead, replayed, held for a digest)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import redis

from monitor import alertstore, keys
from monitor.config import load_config
from monitor.deliveries import replay_dead_letters
from monitor.digests import flush_due_digests
from monitor.lifetimes import ARTICLE_TTL
from monitor.models import Alert
from monitor.producers import enqueue_delivery, make_queue
from monitor.rules.compiled import RuleSet
from monitor.rules.publish import publish_ruleset
from tests.rulekit import DUTCH_REPORT, article, event, rule
from tests.servers import LocalHTTPServer, Response
from tests.test_deliver import make_alert, run_alert_jobs, use_config, webhook_channel, write_config
from workers.alerting import alert_on

DAY = 86400.0


def states(r: redis.Redis, alert_id: str) -> dict[str, str]:
    raw = r.hgetall(keys.alert_deliveries(alert_id))
    return {k.decode(): json.loads(v)["state"] for k, v in raw.items()}


def test_an_alert_is_stored_once_and_counted_once(redis_client: redis.Redis) -> None:
    alert = make_alert()
    now = 1_750_000_000.0
    assert alertstore.record_alert(redis_client, alert, ["261 gevechten (combat)"], now=now)
    assert not alertstore.record_alert(redis_client, alert, ["261 gevechten (combat)"], now=now)
    (stored,) = alertstore.read_alerts(redis_client)
    assert stored["id"] == alert.id and stored["rule"] == "large-attack-count"
    assert stored["words"] == ["261 gevechten (combat)"]
    assert stored["events"][0]["evidence"].startswith("Er waren gisteren 261")
    assert stored["article"]["text"] == ""  # the evidence is kept, the article text is not
    assert alertstore.read_rule_hits(redis_client, "large-attack-count", 3, now) == [0, 0, 1]
    assert alertstore.read_last_fired(redis_client) == {"large-attack-count": now}
    assert 0 < redis_client.ttl(keys.alert(alert.id)) <= ARTICLE_TTL


def test_newest_first_filtered_by_rule_and_hits_per_day(redis_client: redis.Redis) -> None:
    now = 1_750_000_000.0
    for i, (rule_name, age_days) in enumerate([("a", 2), ("b", 1), ("a", 0), ("a", 0)]):
        alert = make_alert(alert_id=f"id{i}").replace(rule=rule_name)
        alertstore.record_alert(redis_client, alert, [], now=now - age_days * DAY + i)
    assert [a["id"] for a in alertstore.read_alerts(redis_client)] == ["id3", "id2", "id1", "id0"]
    assert [a["id"] for a in alertstore.read_alerts(redis_client, rule="a", limit=2)] == [
        "id3",
        "id2",
    ]
    assert [a["id"] for a in alertstore.read_alerts(redis_client, "a", 2, offset=2)] == ["id0"]
    assert alertstore.count_alerts(redis_client, "a") == 3
    assert alertstore.read_rule_hits(redis_client, "a", 4, now + 10) == [0, 1, 0, 2]
    assert alertstore.read_rule_hits(redis_client, "b", 4, now + 10) == [0, 0, 1, 0]


def test_retention_bounds_the_index(redis_client: redis.Redis) -> None:
    from monitor.retention import trim

    now = 1_750_000_000.0
    alertstore.record_alert(redis_client, make_alert(alert_id="old"), [], now=now - 40 * DAY)
    alertstore.record_alert(redis_client, make_alert(alert_id="new"), [], now=now)
    trim(redis_client, 30 * DAY, now)
    assert [a["id"] for a in alertstore.read_alerts(redis_client)] == ["new"]


@pytest.fixture
def configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_url: str) -> Any:
    def make(channels: dict[str, Any], retries: int = 1) -> Any:
        path = write_config(tmp_path, channels, redis_url, retries)
        use_config(monkeypatch, path)
        return load_config(path)

    return make


def test_the_job_records_the_alert_and_the_workers_move_its_state(
    configure: Any, redis_client: redis.Redis, http_server: LocalHTTPServer, tmp_path: Path
) -> None:
    http_server.routes["/ok"] = Response(b"ok")
    http_server.routes["/down"] = Response(b"down", 503)
    cfg = configure(
        {"hook": webhook_channel(http_server, "/ok"), "mail": webhook_channel(http_server, "/down")}
    )
    publish_ruleset(
        redis_client,
        RuleSet(
            [rule("name: big\nmatch: {event: combat, count: '>= 100'}\nnotify: [hook, mail]\n")]
        ),
    )
    news = article("x1", DUTCH_REPORT, event("combat", 261, evidence="261 gevechten geleverd."))
    assert alert_on(redis_client, cfg, news)[0][1].action == "send"
    (stored,) = alertstore.read_alerts(redis_client)
    assert stored["deliveries"]["hook"]["state"] == "queued"
    assert stored["words"] == ["261 gevechten (combat)"]
    run_alert_jobs(redis_client)
    (stored,) = alertstore.read_alerts(redis_client)
    good, bad = stored["deliveries"]["hook"], stored["deliveries"]["mail"]
    assert good["state"] == "sent" and good["attempt"] == 1
    assert bad["state"] == "dead" and bad["attempt"] == 2 and "503" in bad["error"]
    # Replayed: queued again in the same transaction as the enqueue, then sent.
    http_server.routes["/down"] = Response(b"ok")
    assert replay_dead_letters(redis_client, make_queue(keys.QUEUE_ALERTS, redis_client), cfg)
    assert states(redis_client, stored["id"]) == {"hook": "sent", "mail": "queued"}
    run_alert_jobs(redis_client)
    assert states(redis_client, stored["id"]) == {"hook": "sent", "mail": "sent"}


def test_a_failed_try_is_shown_as_retrying_with_its_error(
    configure: Any, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/down"] = Response(b"down", 500)
    cfg = configure({"bad": webhook_channel(http_server, "/down")}, retries=3)
    cfg = cfg.model_copy(update={"delivery": cfg.delivery.model_copy(update={"backoff": [3600]})})
    enqueue_delivery(make_queue(keys.QUEUE_ALERTS, redis_client), make_alert(), "bad", cfg)
    run_alert_jobs(redis_client)  # one try; the retry waits an hour in RQ's scheduled registry
    raw = json.loads(redis_client.hget(keys.alert_deliveries("a1b2c3"), "bad"))  # type: ignore[arg-type]
    assert raw["state"] == "retrying" and raw["attempt"] == 1 and "500" in raw["error"]


def test_a_late_enqueue_does_not_overwrite_a_sent_state(
    configure: Any, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/ok"] = Response(b"ok")
    cfg = configure({"good": webhook_channel(http_server, "/ok")})
    queue = make_queue(keys.QUEUE_ALERTS, redis_client)
    enqueue_delivery(queue, make_alert(), "good", cfg)
    run_alert_jobs(redis_client)
    enqueue_delivery(queue, make_alert(), "good", cfg)  # e.g. a retried entry job
    assert states(redis_client, "a1b2c3") == {"good": "sent"}


def test_a_digest_moves_its_items_from_held_to_sent(
    configure: Any, redis_client: redis.Redis, http_server: LocalHTTPServer
) -> None:
    http_server.routes["/ok"] = Response(b"ok")
    cfg = configure({"hook": webhook_channel(http_server, "/ok")})
    rl = rule("name: dg\nmatch: {event: attack}\nonce_per: article\ndigest: 1h\nnotify: [hook]\n")
    publish_ruleset(redis_client, RuleSet([rl]))
    for i in range(2):
        text = f"Aanval nummer {i} met drones op een dorp met kenmerk {i * 7919} in het oosten."
        assert (
            alert_on(redis_client, cfg, article(f"d{i}", text, event("attack")))[0][1].action
            == "digest"
        )
    ids = [a["id"] for a in alertstore.read_alerts(redis_client)]
    assert len(ids) == 2 and all(states(redis_client, i) == {"hook": "held"} for i in ids)
    assert flush_due_digests(redis_client, RuleSet([rl]), cfg, 10**10) == 1
    assert all(states(redis_client, i) == {"hook": "queued"} for i in ids)
    run_alert_jobs(redis_client)
    assert all(states(redis_client, i) == {"hook": "sent"} for i in ids)
    assert len(http_server.requests_to("/ok")) == 1  # one digest message for both


def test_a_stored_alert_round_trips_through_the_model(redis_client: redis.Redis) -> None:
    alertstore.record_alert(redis_client, make_alert(), [])
    (stored,) = alertstore.read_alerts(redis_client)
    stored.pop("deliveries"), stored.pop("words")
    assert Alert.from_dict(stored).article.url == make_alert().article.url
