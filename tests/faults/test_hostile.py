"""Hostile input served locally, one case after another, to one running daemon.

Every case has its own feed (tests/faults/cases.py). It serves its hostile input, and must end
with the daemon alive (its process, and /healthz answering 200), the memory of the daemon and
its workers bounded while the case ran, a log line naming the URL with the reason, every entry
alerted that still can be (a hostile page's entry from the feed's own text), and then the next
good entry alerted, on the webhook and by email.

Public-looking feed: served from a global-range address bound on a local veth pair
(tests/faults/netaddrs.py), so the private-address guard treats it as any feed on the internet.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.faults import cases
from tests.faults.cases import BOTH, Case, CaseFeed, Site
from tests.faults.ledger import Receivers, tally
from tests.faults.netaddrs import local_addresses, unavailable
from tests.faults.rig import Daemon, MemoryWatch, cleanup, write_config
from tests.faults.steps import Record, sent_twice, settle
from tests.faults.table import make_row
from tests.servers import LocalHTTPServer, SMTPSink

# What one hostile input may add to the daemon and its workers together. Reading a capped
# page or feed costs a few times the cap (5 MB) at most; a bomb or a flood read whole would
# cost gigabytes.
MEMORY_BOUND_MB = 200


@dataclass(frozen=True)
class Spec:
    scenario: str
    slug: str
    case: Case
    public: bool = False  # served from the public-looking address


SPECS = [
    Spec("gzip bomb page (1 GB inflated, 4.5 MB sent)", "bomb", cases.gzip_bomb),
    Spec("50 MB page (streamed)", "huge-page", cases.huge_page),
    Spec("page trickling 1 byte/s", "trickle", cases.trickle),
    Spec("redirect loop", "loop", cases.redirect_loop),
    Spec(
        "links to loopback, private, link-local (public feed)", "inside", cases.links_inside, True
    ),
    Spec(
        "redirects to loopback, private, link-local (public feed)",
        "via",
        cases.redirects_inside,
        True,
    ),
    Spec("CR/LF and Bcc: in a title (header injection)", "crlf", cases.header_injection),
    Spec("Jinja2 in title and text (template injection)", "jinja", cases.template_injection),
    Spec("20 MB feed (streamed)", "huge-feed", cases.huge_feed),
    Spec("malformed XML (unclosed tags, bare &)", "malformed", cases.malformed),
    Spec("XML entity bomb (billion laughs)", "laughs", cases.entity_bomb),
    Spec("not a feed (an HTML page)", "html", cases.not_a_feed),
    Spec("UTF-16 without BOM, served as UTF-8", "utf16", cases.utf16_feed),
    Spec("Windows-1252, declared UTF-8", "cp1252", cases.mislabelled),
    Spec("10,000-entry feed", "flood", cases.flood),
]
WARM_UP, WARM_UP_ARTICLES = "warm-up", 6
FAST = {"bomb", "loop", "crlf", "jinja"}  # also in `make test`; the rest with `make faults`


@dataclass
class HostileRun:
    site: Site
    feeds: dict[str, CaseFeed]
    daemon: Daemon
    health: str


def _health_url(daemon: Daemon) -> str:
    settle(lambda: daemon.said("health and metrics on"), 30)
    found = re.search(r"(http://\S+/healthz)", " ".join(daemon.said("health and metrics on")))
    assert found, "the daemon did not say where /healthz is"
    return found.group(1)


def _config(folder: Path, feeds: dict[str, CaseFeed], rx: Receivers) -> Path:
    """Every case's feed polled each second; short fetch limits and retries, so that a
    hostile page falls back to the feed's text within seconds."""
    return write_config(
        folder,
        list(BOTH),
        feeds=[{"url": f.url, "interval": "1s"} for f in feeds.values()],
        channels={"hook": {"type": "webhook", "url": rx.hook_url}, "mail": rx.email_channel()},
        fetch={"total_timeout": "5s", "page_retries": ["1s", "2s"], "page_reread_after": 0},
        # per_host: the poller starts at most this many polls per host a second, and every
        # feed here is on one host.
        polling={
            "min_interval": "1s",
            "default_interval": "2s",
            "max_interval": "4s",
            "per_host": 8,
        },
        delivery={"retries": 3, "backoff": [1, 2, 5]},
        health={"enabled": True, "port": 0},
        console={"enabled": False},
        shutdown_grace="5s",
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileRun]:
    folder = tmp_path_factory.mktemp("hostile")
    with contextlib.ExitStack() as stack:
        addresses = None if unavailable() else stack.enter_context(local_addresses())

        def server(host: str = "127.0.0.1") -> LocalHTTPServer:
            started = LocalHTTPServer(host).start()
            stack.callback(started.stop)
            return started

        smtp = SMTPSink().start()
        stack.callback(smtp.stop)
        local = server()
        public = server(addresses.public) if addresses else None
        secrets = {"loopback": server()}
        if addresses:
            secrets |= {
                "private": server(addresses.private),
                "link-local": server(addresses.link_local),
            }
        site = Site(local, public, secrets, Receivers(local, smtp))
        feeds = {
            s.slug: CaseFeed(public if s.public else local, s.slug)
            for s in SPECS
            if public is not None or not s.public
        }
        feeds[WARM_UP] = CaseFeed(local, WARM_UP)
        cfg = _config(folder, feeds, site.rx)
        daemon = Daemon(cfg, folder / "daemon.log", workers=2)
        stack.callback(cleanup, folder, daemon)
        daemon.start().wait_ready()
        for feed in feeds.values():  # each feed known (and empty) before its case starts
            settle(lambda url=feed.url: daemon.said("feed", url, "added"), 60)
        _warm_up(feeds[WARM_UP], site.rx)
        yield HostileRun(site, feeds, daemon, _health_url(daemon))
        assert daemon.stop() == 0


def _warm_up(feed: CaseFeed, rx: Receivers) -> None:
    """A few good articles first: a worker's first article loads the classifier's data, which
    is not what the memory bound is about."""
    links = {feed.good_entry() for _ in range(WARM_UP_ARTICLES)}
    settle(lambda: all(rx.articles(ch) >= links for ch in BOTH), 120)


def _param(spec: Spec) -> object:
    mark = pytest.mark.slow if spec.slug in FAST else pytest.mark.faults
    return pytest.param(spec, marks=mark, id=spec.slug)


@pytest.mark.parametrize("spec", [_param(s) for s in SPECS])
def test_hostile_input(run: HostileRun, spec: Spec, record_row: Record) -> None:
    if spec.slug not in run.feeds:
        pytest.skip(f"no public-looking address here: {unavailable()}")
    feed, daemon, rx = run.feeds[spec.slug], run.daemon, run.site.rx
    seen = len(daemon.lines())
    with MemoryWatch(daemon).watching() as memory:
        served_at = time.time()
        served = spec.case(run.site, feed)
        named = settle(lambda: all(daemon.names(url, why) for url, why in served.named.items()), 90)
        expected = {*served.alerting, feed.good_entry()}
        settle(lambda: all(rx.articles(ch) >= expected for ch in BOTH), 180)
    arrivals = [a for a in rx.arrivals() if a.article in expected]
    row = make_row(
        spec.scenario,
        served.entries + 1,
        tally(arrivals, dict.fromkeys(BOTH, expected)),
        served_at,
        memory.peak,
    )
    record_row(row)
    assert named, f"no log line names {served.named}"
    assert row.lost == 0 and row.duplicates == 0, row
    assert not sent_twice(daemon), sent_twice(daemon)
    assert daemon.alive() and httpx.get(run.health, timeout=10).status_code == 200
    grew = memory.peak - memory.first
    assert grew < MEMORY_BOUND_MB, f"daemon and workers grew by {grew:.0f} MB"
    served.check()
    late = [line for line in daemon.lines()[seen:] if line.get("exc") or line.get("level") == "raw"]
    assert not late, late[:3]
