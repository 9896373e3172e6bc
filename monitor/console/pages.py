"""The console's pages: the same readers as the JSON API, rendered with Jinja2 on the server.

Each page names its JSON twin on ``<main data-twin=...>``; the page script polls the twin and
re-renders when the data changed, so a page stays current without a build step or a client
framework.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from http import HTTPStatus
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from monitor.console import charts
from monitor.console.alerts import alerts_view
from monitor.console.api import blocking, int_arg, valid_name
from monitor.console.context import Console
from monitor.console.deliveries import deliveries_view
from monitor.console.editor import read_rule
from monitor.console.feeds import feeds_view
from monitor.console.rules import published, rules_view
from monitor.console.stories import stories_view, story_view

NEW_RULE = """\
version: 1
name: my-rule
description: What this rule watches for, in one line
match:
  event: attack
  count: ">= 50"
notify: [{channel}]
"""
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".png": "image/png"}


def ago(ts: float | str | None) -> str:
    """'45s ago', '3m ago', '2h ago', '4d ago', 'in 2m'; '-' for none. Takes Unix seconds or
    an ISO 8601 time."""
    if ts is None or ts == "":
        return "-"
    if isinstance(ts, str):
        try:
            when = datetime.fromisoformat(ts.replace("Z", "+00:00"))
        except ValueError:
            return ts
        ts = (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
    delta = time.time() - ts
    secs = int(abs(delta))
    text = f"{secs}s"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs >= size:
            text = f"{secs // size}{unit}"
            break
    return f"{text} ago" if delta >= 0 else f"in {text}"


def utc(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%SZ") if ts else ""


def make_env() -> Environment:
    env = Environment(
        loader=PackageLoader("monitor.console", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(ago=ago, utc=utc)
    env.globals.update(sparkline=charts.sparkline, growth=charts.growth, urlencode=urlencode)
    return env


def static_files() -> dict[str, tuple[bytes, str]]:
    folder = resources.files("monitor.console") / "static"
    out = {}
    for item in folder.iterdir():
        suffix = "." + item.name.rsplit(".", 1)[-1]
        if suffix in STATIC_TYPES:
            out[item.name] = (item.read_bytes(), STATIC_TYPES[suffix])
    return out


def page_routes(c: Console) -> list[Route]:
    env = make_env()
    files = static_files()

    def render(
        template: str, twin: str | None, status: int = HTTPStatus.OK, **data: Any
    ) -> Response:
        nav = {"story.html": "stories", "editor.html": "rules"}.get(template)
        nav = nav or template.split(".")[0]
        page = env.get_template(template).render(writable=c.writable, twin=twin, nav=nav, **data)
        return HTMLResponse(page, status)

    async def alerts(request: Request) -> Response:
        rule = request.query_params.get("rule") or None
        limit, offset = int_arg(request, "limit", 50), int_arg(request, "offset", 0)
        view = await blocking(alerts_view, c.r, rule, limit, offset, c.secrets)
        names = sorted(x["name"] for x in (await blocking(published, c.r))[1])
        query = urlencode({k: v for k, v in (("rule", rule), ("offset", offset)) if v})
        return render("alerts.html", f"/api/alerts?{query}", view=view, rule_names=names)

    async def stories(request: Request) -> Response:
        view = await blocking(stories_view, c.r, int_arg(request, "limit", 20))
        return render("stories.html", "/api/stories", view=view)

    async def story(request: Request) -> Response:
        sid = request.path_params["story_id"]
        found = await blocking(story_view, c.r, sid)
        status = HTTPStatus.OK if found else HTTPStatus.NOT_FOUND
        return render("story.html", f"/api/stories/{sid}", status, story=found, story_id=sid)

    async def feeds(request: Request) -> Response:
        view = await blocking(feeds_view, c.r, c.cfg, c.secrets)
        return render("feeds.html", "/api/feeds", view=view)

    async def rules(request: Request) -> Response:
        view = await blocking(rules_view, c.r, c.cfg.rules, c.channels)
        return render("rules.html", "/api/rules", view=view)

    async def deliveries(request: Request) -> Response:
        view = await blocking(deliveries_view, c.r, 100, 50, c.secrets)
        return render("deliveries.html", "/api/deliveries", view=view)

    async def edit(request: Request) -> Response:
        raw = request.path_params.get("name")
        name = valid_name(raw) if raw else None
        found = await blocking(read_rule, c.cfg.rules, name) if name else None
        if name and found is None:
            return render("editor.html", None, HTTPStatus.NOT_FOUND, name=name, missing=True)
        text = found[1] if found else NEW_RULE.format(channel=(c.channels or ["console"])[0])
        return render("editor.html", None, name=name, text=text, channels=c.channels)

    async def static(request: Request) -> Response:
        found = files.get(request.path_params["name"])
        if found is None:
            return Response(b"not found", HTTPStatus.NOT_FOUND, media_type="text/plain")
        body, media_type = found
        return Response(body, media_type=media_type, headers={"Cache-Control": "max-age=300"})

    return [
        Route("/", alerts),
        Route("/alerts", alerts),
        Route("/stories", stories),
        Route("/stories/{story_id}", story),
        Route("/feeds", feeds),
        Route("/rules", rules),
        Route("/rules/new", edit),
        Route("/rules/{name}/edit", edit),
        Route("/deliveries", deliveries),
        Route("/static/{name}", static),
    ]
