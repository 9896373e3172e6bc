"""Shared fixtures: a real Redis, the corpus, real local servers.

Redis: NEWSMONITOR_TEST_REDIS_URL points at a server to use (flushed around every test);
otherwise the session starts its own private redis-server on a unix socket, so the suite never
touches a Redis that something else uses, and runs on a machine that has none running.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from monitor.embedded_redis import EmbeddedRedis
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
def smtp_server() -> Iterator[SMTPSink]:
    server = SMTPSink().start()
    yield server
    server.stop()
