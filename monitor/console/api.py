"""The console's JSON API: a twin of every view, and the editor's check, test and save.

Handlers are thin: they read the request, call a reader or the editor (data in, data out) in
Starlette's thread pool (Redis and file I/O block), and shape the answer. Writes go through
``authorised`` first and answer 403 with the reason when it fails.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from monitor import keys
from monitor.console import editor
from monitor.console.alerts import alerts_view
from monitor.console.context import Console
from monitor.console.deliveries import deliveries_view
from monitor.console.feeds import feeds_view
from monitor.console.rules import folder_state, rules_view
from monitor.console.safety import rule_name_problem, write_refusal
from monitor.console.stories import stories_view, story_view
from monitor.deliveries import replay_dead_letters
from monitor.durations import parse_duration
from monitor.producers import make_queue

MAX_BODY = 256 * 1024  # a rule file is a few hundred bytes; this is generous
P = ParamSpec("P")
T = TypeVar("T")


class ApiError(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.body = status, {"error": message, **extra}


def reply(data: Any, status: int = HTTPStatus.OK) -> Response:
    return JSONResponse(data, status, headers={"Cache-Control": "no-store"})


async def blocking(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    return await run_in_threadpool(func, *args, **kwargs)


def int_arg(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    try:
        return int(raw) if raw is not None else default
    except ValueError:
        raise ApiError(
            HTTPStatus.BAD_REQUEST, f"{name} must be a whole number, not {raw!r}"
        ) from None


async def body_text(request: Request) -> str:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise ApiError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {MAX_BODY} bytes")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(HTTPStatus.BAD_REQUEST, "the body must be UTF-8 text") from None


def authorised(request: Request, console: Console) -> None:
    refusal = write_refusal(request.headers.get("authorization"), console.cfg.console)
    if refusal:
        raise ApiError(HTTPStatus.FORBIDDEN, refusal)


def valid_name(name: str) -> str:
    for suffix in (".yaml", ".yml"):
        name = name.removesuffix(suffix)
    problem = rule_name_problem(name)
    if problem:
        raise ApiError(HTTPStatus.BAD_REQUEST, problem)
    return name


def api_routes(c: Console) -> list[Route]:
    secrets = c.secrets

    async def alerts(request: Request) -> Response:
        rule = request.query_params.get("rule") or None
        limit, offset = int_arg(request, "limit", 50), int_arg(request, "offset", 0)
        return reply(await blocking(alerts_view, c.r, rule, limit, offset, secrets))

    async def stories(request: Request) -> Response:
        limit, offset = int_arg(request, "limit", 20), int_arg(request, "offset", 0)
        return reply(await blocking(stories_view, c.r, limit, offset))

    async def story(request: Request) -> Response:
        found = await blocking(story_view, c.r, request.path_params["story_id"])
        if found is None:
            raise ApiError(HTTPStatus.NOT_FOUND, "no such story (stories expire after 3 days)")
        return reply(found)

    async def feeds(request: Request) -> Response:
        return reply(await blocking(feeds_view, c.r, c.cfg, secrets))

    async def rules(request: Request) -> Response:
        return reply(await blocking(rules_view, c.r, c.cfg.rules, c.channels))

    async def deliveries(request: Request) -> Response:
        limit = int_arg(request, "limit", 100)
        return reply(await blocking(deliveries_view, c.r, limit, 50, secrets))

    async def console_info(request: Request) -> Response:
        return reply({"writable": c.writable, "channels": c.channels})

    return [
        Route("/api/console", console_info),
        Route("/api/alerts", alerts),
        Route("/api/stories", stories),
        Route("/api/stories/{story_id}", story),
        Route("/api/feeds", feeds),
        Route("/api/rules", rules),
        Route("/api/deliveries", deliveries),
        *editor_routes(c),
        *retry_routes(c),
    ]


def editor_routes(c: Console) -> list[Route]:
    folder = c.cfg.rules

    async def get_rule(request: Request) -> Response:
        name = valid_name(request.path_params["name"])
        found = await blocking(editor.read_rule, folder, name)
        if found is None:
            raise ApiError(HTTPStatus.NOT_FOUND, f"no rule file {name}.yaml in the rules folder")
        path, text = found
        return reply({"name": name, "file": path.name, "yaml": text, "etag": editor.etag_of(text)})

    async def check(request: Request) -> Response:
        name = request.query_params.get("name")
        text = await body_text(request)
        _, problems = await blocking(
            editor.check_rule, text, c.channels, folder, valid_name(name) if name else None
        )
        return reply({"ok": not problems, "errors": [p.to_dict() for p in problems]})

    async def test(request: Request) -> Response:
        text = await body_text(request)
        rule, problems = await blocking(editor.check_rule, text, None)  # as `rules test`
        if rule is None:
            errors = [p.to_dict() for p in problems]
            return reply({"ok": False, "errors": errors}, HTTPStatus.UNPROCESSABLE_ENTITY)
        since = request.query_params.get("since")
        try:
            since_s = parse_duration(since) if since else c.cfg.console.test_since
        except ValueError as exc:
            raise ApiError(HTTPStatus.BAD_REQUEST, f"since: {exc}") from None
        limit = c.cfg.console.test_limit

        def run() -> dict[str, Any]:
            return editor.try_rule(rule, editor.recent_articles(c.r, since_s, limit))

        result = await blocking(run)
        return reply({"ok": True, "since": since_s, "limit": limit, **result})

    async def save(request: Request) -> Response:
        authorised(request, c)
        name = valid_name(request.path_params["name"])
        text = await body_text(request)
        return reply(*await blocking(save_rule, c, name, text, request.headers))

    return [
        Route("/api/rules/check", check, methods=["POST"]),
        Route("/api/rules/test", test, methods=["POST"]),
        Route("/api/rules/{name}", get_rule),
        Route("/api/rules/{name}", save, methods=["PUT"]),
    ]


def save_rule(c: Console, name: str, text: str, headers: Any) -> tuple[dict[str, Any], int]:
    """(body, status): 422 with the problems and nothing written, 412 when the file changed
    since it was read (If-Match) or exists (If-None-Match: *), else written."""
    folder = c.cfg.rules
    if not folder.is_dir():
        raise ApiError(HTTPStatus.CONFLICT, f"the rules folder {folder} does not exist here")
    rule, problems = editor.check_rule(text, c.channels, folder, name)
    if rule is None:
        errors = [p.to_dict() for p in problems]
        return {"ok": False, "errors": errors}, HTTPStatus.UNPROCESSABLE_ENTITY
    current = editor.read_rule(folder, name)
    if headers.get("if-none-match") == "*" and current is not None:
        raise ApiError(HTTPStatus.PRECONDITION_FAILED, f"{current[0].name} exists already")
    expected = headers.get("if-match")
    if expected and (current is None or editor.etag_of(current[1]) != expected.strip('"')):
        raise ApiError(
            HTTPStatus.PRECONDITION_FAILED, f"{name}.yaml changed since it was opened; reload it"
        )
    path = editor.rule_path(folder, name)
    editor.write_atomically(path, text)
    body = {
        "ok": True,
        "name": rule.name,
        "file": path.name,
        "created": current is None,
        "etag": editor.etag_of(text),
        # Another file's problem keeps the daemon on its last good ruleset: say so now.
        "folder_problems": folder_state(folder, c.channels)[1],
    }
    return body, HTTPStatus.CREATED if current is None else HTTPStatus.OK


def retry_routes(c: Console) -> list[Route]:
    async def retry(request: Request) -> Response:
        authorised(request, c)
        letter = request.path_params.get("letter_id")
        if letter is None:
            try:
                body = json.loads(await body_text(request) or "{}")
            except json.JSONDecodeError as exc:
                raise ApiError(HTTPStatus.BAD_REQUEST, f"body is not JSON: {exc.msg}") from None
            ids = None if body.get("all") is True else set(body.get("ids") or ())
            if ids is not None and not ids:
                raise ApiError(HTTPStatus.BAD_REQUEST, 'give {"ids": [...]} or {"all": true}')
        else:
            ids = {letter}

        def run() -> list[str]:
            return replay_dead_letters(c.r, make_queue(keys.QUEUE_ALERTS, c.r), c.cfg, ids)

        done = await blocking(run)
        missing = sorted((ids or set()) - set(done))
        status = HTTPStatus.NOT_FOUND if ids and not done else HTTPStatus.OK
        return reply({"retried": done, "missing": missing}, status)

    return [
        Route("/api/deliveries/retry", retry, methods=["POST"]),
        Route("/api/deliveries/{letter_id}/retry", retry, methods=["POST"]),
    ]
