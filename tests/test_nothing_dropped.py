"""Nothing dropped: a page that stays unreadable ends in an alert read from the feed's text, and
only a bug puts an entry job in the failed registry (counted in /metrics and shown by status).

Real Redis, real RQ (SimpleWorker bursts), real pages and webhook on 127.0.0.1. The page retry
waits are 0 s here, so RQ requeues a retry at once and one burst runs every try.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from rq import Callback, SimpleWorker
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from monitor import keys, metrics
from monitor.commands.status import format_status, gather_status, status_dict
from monitor.config import load_config
from monitor.dedup import enqueue_entry_once
from monitor.exposition import render_metrics
from monitor.models import Entry
from monitor.producers import ENTRY_FAILURE_CALLBACK, ENTRY_JOB, entry_retry, make_queue
from monitor.rules.compiled import RuleSet
from monitor.rules.publish import publish_ruleset
from tests.rulekit import rule
from tests.servers import LocalHTTPServer, Request, Response
from workers.articles import article_id, load_article
from workers.context import CONFIG_ENV

TITLE = "Air force reports 145 drone attacks on the country overnight"
PAGE = (
    b"<html lang='en'><body><article><h1>Drone night</h1><p>The air force said on Sunday that "
    b"145 drone attacks were launched against the country overnight, the most this month.</p>"
    b"<p>Air defence units were active in six regions until the early morning.</p>"
    b"</article></body></html>"
)
HTML = {"Content-Type": "text/html"}


@pytest.fixture
def site(
    http_server: LocalHTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_client: redis.Redis
) -> Callable[..., Path]:
    """Write the worker's config (page retries at once by default) and publish one rule."""
    http_server.routes["/hook"] = Response(b"ok")
    path = tmp_path / "nm.yaml"

    def write(retries: str = "[0s, 0s]", extra: str = "") -> Path:
        path.write_text(
            f"data_dir: {tmp_path}\nfetch: {{page_retries: {retries}, total_timeout: 1s}}\n"
            f"channels:\n  hook: {{type: webhook, url: '{http_server.url('/hook')}'}}\n{extra}"
        )
        return path

    write()
    monkeypatch.setenv(CONFIG_ENV, str(path))
    publish_ruleset(
        redis_client,
        RuleSet([rule("name: drones\nmatch: {event: attack, count: '>= 100'}\nnotify: [hook]\n")]),
    )
    return write


def title_only(link: str, feed_url: str) -> Entry:
    return Entry(feed_name="news", feed_url=feed_url, link=link, title=TITLE, lang="en")


def enqueue(r: redis.Redis, entry: Entry, retries: tuple[float, ...] = (0, 0)) -> str:
    assert enqueue_entry_once(r, make_queue(keys.QUEUE_ENTRIES, r), entry, 60, page_retries=retries)
    return keys.entry_job_id(entry.link)


def run_burst(r: redis.Redis) -> None:
    queues = [make_queue(keys.QUEUE_ENTRIES, r), make_queue(keys.QUEUE_ALERTS, r)]
    SimpleWorker(queues, connection=r, serializer=JSONSerializer).work(burst=True)


def job_status(r: redis.Redis, job_id: str) -> JobStatus | None:
    return Job.fetch(job_id, connection=r, serializer=JSONSerializer).get_status()


def failed_count(r: redis.Redis) -> int:
    return make_queue(keys.QUEUE_ENTRIES, r).failed_job_registry.get_job_count(cleanup=False)


def dns_failure(server: LocalHTTPServer) -> tuple[str, Response | None]:
    return "http://no-such-host.invalid/news/1", None


def http_503(server: LocalHTTPServer) -> tuple[str, Response | None]:
    return server.url("/news/1"), Response(b"busy", 503)


def too_slow(server: LocalHTTPServer) -> tuple[str, Response | None]:
    return server.url("/news/1"), Response(PAGE, headers=HTML, delay=1.5)  # total_timeout 1s


@pytest.mark.parametrize(
    ("down", "reason"),
    [(http_503, "HTTP 503"), (too_slow, "fetch.total_timeout"), (dns_failure, "ConnectError")],
)
def test_a_page_that_stays_down_is_retried_then_the_feed_text_alerts(
    site: Callable[..., Path],
    http_server: LocalHTTPServer,
    redis_client: redis.Redis,
    down: Callable[[LocalHTTPServer], tuple[str, Response | None]],
    reason: str,
) -> None:
    link, response = down(http_server)
    if response is not None:
        http_server.routes["/news/1"] = response
    entry = title_only(link, http_server.url("/rss"))
    job_id = enqueue(redis_client, entry)
    run_burst(redis_client)

    if response is not None:
        assert len(http_server.requests_to("/news/1")) == 3  # the first try and two retries
    assert job_status(redis_client, job_id) == JobStatus.FINISHED
    assert failed_count(redis_client) == 0
    stored = load_article(redis_client, article_id(entry))
    assert stored is not None and stored.extracted_from == "feed"
    assert reason in (stored.page_error or "")
    assert stored.text == TITLE
    (post,) = http_server.requests_to("/hook")
    assert post.json()["rule"] == "drones" and post.json()["events"][0]["count"] == 145


def test_a_page_back_within_its_retries_is_read_from_the_page(
    site: Callable[..., Path], http_server: LocalHTTPServer, redis_client: redis.Redis
) -> None:
    tries: list[Request] = []

    def flaky(req: Request) -> Response:
        tries.append(req)
        return Response(b"busy", 503) if len(tries) < 3 else Response(PAGE, headers=HTML)

    http_server.routes["/news/2"] = flaky
    entry = title_only(http_server.url("/news/2"), http_server.url("/rss"))
    enqueue(redis_client, entry)
    run_burst(redis_client)
    stored = load_article(redis_client, article_id(entry))
    assert len(tries) == 3
    assert stored is not None and stored.extracted_from == "page" and stored.page_error is None
    assert "Air defence units" in stored.text
    assert len(http_server.requests_to("/hook")) == 1


def test_an_entry_with_a_summary_also_waits_for_its_page_then_uses_the_summary(
    site: Callable[..., Path], http_server: LocalHTTPServer, redis_client: redis.Redis
) -> None:
    http_server.routes["/news/3"] = Response(b"busy", 502)
    entry = title_only(http_server.url("/news/3"), http_server.url("/rss")).replace(
        title="Night of attacks", summary="<p>The air force counted <b>145 drone attacks</b>.</p>"
    )
    enqueue(redis_client, entry)
    run_burst(redis_client)
    stored = load_article(redis_client, article_id(entry))
    assert len(http_server.requests_to("/news/3")) == 3
    assert stored is not None and stored.extracted_from == "feed"
    assert stored.text == "The air force counted 145 drone attacks."
    assert len(http_server.requests_to("/hook")) == 1


def test_a_link_into_the_private_network_from_a_public_feed_is_never_fetched(
    site: Callable[..., Path], http_server: LocalHTTPServer, redis_client: redis.Redis
) -> None:
    """The feed looks public (its host does not resolve here, so it is not trusted as
    private); its link points at loopback: refused at once, no retries, the title alerts."""
    http_server.routes["/admin"] = Response(PAGE, headers=HTML)
    entry = title_only(http_server.url("/admin"), "https://news.example.org/rss.xml")
    enqueue(redis_client, entry)
    run_burst(redis_client)
    assert http_server.requests_to("/admin") == []
    stored = load_article(redis_client, article_id(entry))
    assert stored is not None and "non-public address 127.0.0.1" in (stored.page_error or "")
    assert len(http_server.requests_to("/hook")) == 1


def test_without_page_retries_the_feed_text_is_used_at_once(
    site: Callable[..., Path], http_server: LocalHTTPServer, redis_client: redis.Redis
) -> None:
    site(retries="[]")
    http_server.routes["/news/4"] = Response(b"busy", 503)
    entry = title_only(http_server.url("/news/4"), http_server.url("/rss"))
    enqueue(redis_client, entry, retries=())
    run_burst(redis_client)
    assert len(http_server.requests_to("/news/4")) == 1
    assert len(http_server.requests_to("/hook")) == 1


def test_a_bug_fails_the_job_for_good_and_is_counted_and_shown(
    site: Callable[..., Path], http_server: LocalHTTPServer, redis_client: redis.Redis
) -> None:
    """An entry payload our code cannot handle: a bug. RQ tries it again on the retry
    schedule, then it stays in the failed registry, counted and shown with its error."""
    link = http_server.url("/news/5")
    job = make_queue(keys.QUEUE_ENTRIES, redis_client).enqueue_call(
        ENTRY_JOB,
        args=({"link": link},),  # no feed_name/feed_url: Entry(...) raises TypeError
        description=f"entry {link}",
        retry=entry_retry((0, 0)),
        on_failure=Callback(ENTRY_FAILURE_CALLBACK),  # as enqueue_entry_once sets them
    )
    run_burst(redis_client)

    assert job.get_status(refresh=True) == JobStatus.FAILED
    assert failed_count(redis_client) == 1
    assert metrics.read_counters(redis_client).get(metrics.JOBS_FAILED, "entries") == 1
    text = render_metrics(redis_client).decode()
    assert 'newsmonitor_jobs_failed_total{queue="entries"} 1.0' in text
    assert 'newsmonitor_jobs_failed_total{queue="alerts"} 0.0' in text

    status = gather_status(redis_client, load_config(str(site())))
    screen = format_status(status)
    assert "entries   0 queued, 0 running, 1 failed (1 failed for a bug in all)" in screen
    assert f"entries  entry {link}\n    TypeError: " in screen
    data = json.loads(json.dumps(status_dict(status)))
    assert data["jobs_failed"] == {"entries": 1, "alerts": 0}
    assert data["failed_jobs"][0]["queue"] == "entries"
    assert data["failed_jobs"][0]["error"].startswith("TypeError")


def test_a_transient_failure_on_the_last_try_is_retried_not_failed(
    site: Callable[..., Path], http_server: LocalHTTPServer, redis_client: redis.Redis
) -> None:
    """The worker's config file breaks (an edit in progress): not the entry's fault. The job is
    scheduled again instead of failing, and once the config is fixed it alerts."""
    http_server.routes["/news/6"] = Response(PAGE, headers=HTML)
    entry = title_only(http_server.url("/news/6"), http_server.url("/rss"))
    site(extra="feeds: [oops\n")
    job_id = enqueue(redis_client, entry)
    run_burst(redis_client)  # three tries (0 s apart), each a ConfigError, then rescheduled

    job = Job.fetch(job_id, connection=redis_client, serializer=JSONSerializer)
    queue = make_queue(keys.QUEUE_ENTRIES, redis_client)
    assert job.get_status() == JobStatus.SCHEDULED and job_id in queue.scheduled_job_registry
    assert job.meta["nm_transient_retries"] == 1
    assert failed_count(redis_client) == 0
    assert metrics.read_counters(redis_client).get(metrics.JOBS_FAILED, "entries") == 0

    site()  # fixed; run the scheduled retry now instead of in 60 s
    queue.scheduled_job_registry.remove(job)
    queue.enqueue_job(job)
    run_burst(redis_client)
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert len(http_server.requests_to("/hook")) == 1


def test_entry_jobs_without_our_retry_schedule_still_fall_back(
    site: Callable[..., Path], http_server: LocalHTTPServer, redis_client: redis.Redis
) -> None:
    """A job enqueued by hand (no Retry): its first try is its last, so it reads the feed."""
    http_server.routes["/news/7"] = Response(b"busy", 503)
    entry = title_only(http_server.url("/news/7"), http_server.url("/rss"))
    make_queue(keys.QUEUE_ENTRIES, redis_client).enqueue_call(ENTRY_JOB, args=(entry.to_dict(),))
    run_burst(redis_client)
    assert len(http_server.requests_to("/news/7")) == 1
    assert len(http_server.requests_to("/hook")) == 1


TOLL = "In the capital 12 people were killed when a missile hit a residential block."


def test_a_page_back_later_is_re_read_once_and_alerts_only_on_what_is_new(
    site: Callable[..., Path], http_server: LocalHTTPServer, redis_client: redis.Redis
) -> None:
    publish_ruleset(
        redis_client,
        RuleSet(
            [
                rule("name: drones\nmatch: {event: attack, count: '>= 100'}\nnotify: [hook]\n"),
                rule("name: toll\nmatch: {event: casualties, count: '>= 10'}\nnotify: [hook]\n"),
            ]
        ),
    )
    http_server.routes["/news/8"] = Response(b"busy", 503)
    entry = title_only(http_server.url("/news/8"), http_server.url("/rss"))
    enqueue(redis_client, entry)
    run_burst(redis_client)
    assert [p.json()["rule"] for p in http_server.requests_to("/hook")] == ["drones"]

    queue = make_queue(keys.QUEUE_ENTRIES, redis_client)
    (reread_id,) = queue.scheduled_job_registry.get_job_ids()
    reread = Job.fetch(reread_id, connection=redis_client, serializer=JSONSerializer)
    assert reread.description == f"re-read {entry.link}" and reread.kwargs == {"reread": True}
    wait = reread_at(redis_client, reread_id) - time.time()
    assert 890 < wait <= 900  # fetch.page_reread_after: 15m

    full = PAGE.replace(b"</article>", f"<p>{TOLL}</p></article>".encode())
    http_server.routes["/news/8"] = Response(full, headers=HTML)
    run_now(redis_client, reread)
    stored = load_article(redis_client, article_id(entry))
    assert stored is not None and stored.extracted_from == "page" and TOLL in stored.text
    assert [p.json()["rule"] for p in http_server.requests_to("/hook")] == ["drones", "toll"]


def test_a_re_read_of_a_page_still_down_keeps_the_feed_reading(
    site: Callable[..., Path], http_server: LocalHTTPServer, redis_client: redis.Redis
) -> None:
    http_server.routes["/news/9"] = Response(b"busy", 503)
    entry = title_only(http_server.url("/news/9"), http_server.url("/rss"))
    enqueue(redis_client, entry)
    run_burst(redis_client)
    queue = make_queue(keys.QUEUE_ENTRIES, redis_client)
    (reread_id,) = queue.scheduled_job_registry.get_job_ids()
    reread = Job.fetch(reread_id, connection=redis_client, serializer=JSONSerializer)
    run_now(redis_client, reread)
    assert reread.get_status(refresh=True) == JobStatus.FINISHED
    assert reread.return_value() == {"article": article_id(entry), "skipped": "page still unreadable"}
    assert len(http_server.requests_to("/news/9")) == 4  # three tries, one re-read, no more
    stored = load_article(redis_client, article_id(entry))
    assert stored is not None and stored.extracted_from == "feed"
    assert queue.scheduled_job_registry.get_job_ids() == []


@pytest.mark.parametrize(
    ("response", "reread_after"),
    [(Response(b"gone", 404), "15m"), (Response(b"busy", 503), "0")],
)
def test_no_re_read_for_a_page_that_will_not_come_back_or_when_turned_off(
    site: Callable[..., Path],
    http_server: LocalHTTPServer,
    redis_client: redis.Redis,
    response: Response,
    reread_after: str,
) -> None:
    site(retries=f"[0s, 0s], page_reread_after: {reread_after}")
    http_server.routes["/news/10"] = response
    enqueue(redis_client, title_only(http_server.url("/news/10"), http_server.url("/rss")))
    run_burst(redis_client)
    assert len(http_server.requests_to("/hook")) == 1
    assert make_queue(keys.QUEUE_ENTRIES, redis_client).scheduled_job_registry.get_job_ids() == []


def reread_at(r: redis.Redis, job_id: str) -> float:
    score = r.zscore(make_queue(keys.QUEUE_ENTRIES, r).scheduled_job_registry.key, job_id)
    assert score is not None
    return float(score)


def run_now(r: redis.Redis, job: Job) -> None:
    """What RQ's scheduler does when the time comes, without waiting for it."""
    queue = make_queue(keys.QUEUE_ENTRIES, r)
    queue.scheduled_job_registry.remove(job)
    queue.enqueue_job(job)
    run_burst(r)
