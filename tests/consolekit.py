"""A console on a real listener over a real Redis, with a rules folder, channels and a token;
shared by the console's API tests. Articles and rules are written here, in our own words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis

from monitor.config import Config, load_config
from monitor.console.app import console_routes
from monitor.health import HealthServer, start_health_server
from monitor.models import Article
from monitor.rules import load_rules
from monitor.rules.publish import publish_ruleset
from tests.rulekit import DUTCH_REPORT, ENGLISH_REPORT

TOKEN = "console-token-0123456789"
HOOK_SECRET = "hook-secret-0123456789"
HEADER_SECRET = "header-secret-987654321"
SMTP_PASSWORD = "smtp-password-55555555"

BIG_COMBAT = (
    "version: 1\nname: big-combat\ndescription: A hundred or more combat engagements\n"
    "match:\n  event: combat\n  count: '>= 100'\nseverity: warning\nnotify: [hook]\n"
)
TALKS = "name: talks\nmatch:\n  text: '(?i)onderhandel|negotiat'\nnotify: [hook]\n"
CALM_REPORT = (
    "De gemeenteraad van de havenstad besprak dinsdag de nieuwe plannen voor de haven en het "
    "openbaar vervoer. Een besluit volgt volgende maand, zei de wethouder na afloop."
)


@dataclass
class ConsoleSite:
    server: HealthServer
    cfg: Config
    folder: Path
    http: httpx.Client

    def write(
        self, method: str, path: str, body: str = "", token: str | None = TOKEN
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.request(method, path, content=body.encode(), headers=headers)


def write_console_config(
    tmp: Path, redis_url: str, hook_url: str, token: str | None = TOKEN, extra: str = ""
) -> Path:
    folder = tmp / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "big-combat.yaml").write_text(BIG_COMBAT)
    (folder / "talks.yaml").write_text(TALKS)
    console = f"console: {{token: '{token}'}}\n" if token else ""
    path = tmp / "newsmonitor.yaml"
    path.write_text(
        f"redis_url: '{redis_url}'\ndata_dir: {tmp / 'data'}\nrules: {folder}\n"
        "channels:\n"
        f"  hook: {{type: webhook, url: '{hook_url}', secret: '{HOOK_SECRET}',"
        f" headers: {{X-Api-Key: '{HEADER_SECRET}'}}}}\n"
        "  mail: {type: email, to: [desk@example.org], from: nm@example.org, smtp_host: 127.0.0.1,"
        f" smtp_port: 9, starttls: false, username: desk, password: '{SMTP_PASSWORD}'}}\n"
        "delivery: {retries: 0, backoff: [0]}\n" + console + extra
    )
    return path


@contextmanager
def console_site(r: redis.Redis, config: Path) -> Iterator[ConsoleSite]:
    cfg = load_config(config)
    publish_ruleset(r, load_rules(cfg.rules, cfg.channels.keys()))
    server = start_health_server(r, "127.0.0.1", 0, console_routes(r, cfg, "127.0.0.1"))
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            yield ConsoleSite(server, cfg, cfg.rules, http)
    finally:
        server.shutdown()


def news_article(aid: str, text: str, source: str, lang: str = "nl", title: str = "") -> Article:
    return Article(
        id=aid,
        url=f"https://{source}/news/{aid}",
        feed_name=f"{source}-feed",
        feed_url=f"https://{source}/rss",
        source=source,
        title=title or text.split(".")[0][:60],
        text=text,
        lang=lang,
        published="2025-03-01T10:00:00Z",
    )


REPORTS = {
    "nl-1": (DUTCH_REPORT, "nieuws.example", "nl"),
    "en-1": (ENGLISH_REPORT, "news.example", "en"),
    "calm": (CALM_REPORT, "stad.example", "nl"),
    "talks": (
        "De onderhandelingen over een bestand worden volgende week hervat, zei de minister. "
        "Beide delegaties reizen daarvoor naar een neutraal land.",
        "nieuws.example",
        "nl",
    ),
}


def as_jsonl(articles: list[Article]) -> str:
    rows = [
        {"id": a.id, "text": a.text, "title": a.title, "lang": a.lang, "url": a.url}
        for a in articles
    ]
    return "".join(json.dumps(row) + "\n" for row in rows)
