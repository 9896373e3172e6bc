"""Shared fixtures: a real Redis, the corpus, real local servers.

Redis: NEWSMONITOR_TEST_REDIS_URL points at a server to use (flushed around every test);
otherwise the session starts its own private redis-server on a unix socket, so the suite never
touches a Redis that something else uses, and runs on a machine that has none running.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from monitor.embedded_redis import EmbeddedRedis
from monitor.http.fetch import make_client
from tests.servers import LocalHTTPServer, SMTPSink

ROOT = Path(__file__).resolve().parent.parent


def corpus_dir() -> Path:
    return Path(os.environ.get("NEWSMONITOR_CORPUS", ROOT.parent / "shared" / "corpus"))


@pytest.fixture(scope="session")
def corpus() -> Path:
    path = corpus_dir()
    if not (path / "SOURCES.md").exists():
        pytest.skip(f"corpus not found at {path} (set NEWSMONITOR_CORPUS to its folder)")
    return path


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("NEWSMONITOR_TEST_REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    server = LocalHTTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    """The production HTTP client (redirects off, our timeouts), closed after the test."""
    with make_client() as c:
        yield c


@pytest.fixture
def smtp_server() -> Iterator[SMTPSink]:
    server = SMTPSink().start()
    yield server
    server.stop()


# --- a real browser: Playwright's driver with Debian's chromium (make test installs it) ------
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> Path | None:
    for candidate in (os.environ.get("NEWSMONITOR_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless Chromium; skipped, saying why, only when it cannot be had."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
    )
    path = chromium_path()
    if path is None:
        pytest.skip(
            "chromium is not installed and `make test` could not install it "
            "(apt-get install chromium needs root); set NEWSMONITOR_CHROMIUM to a Chromium binary"
        )
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(path), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
