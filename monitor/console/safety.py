"""What keeps the console safe to leave running: who may write, which names may become files,
which host names it answers to, and no secret in anything it shows.

Writes are authorised by a bearer token in a header, never by a cookie, so another web page
cannot make a visitor's browser write (no CSRF). Reads need no token; the listener is on
loopback by default, and the host check stops a page that rebinds its own name to 127.0.0.1
from reading the console through the visitor's browser.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import BaseModel, SecretStr

from monitor.config import mask_url
from monitor.configsections import ConsoleConfig

READ_ONLY = "the console is read-only: set console.token in the config to allow changes"
NEED_TOKEN = "this change needs the header 'Authorization: Bearer <console token>'"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
# A rule file name: letters, digits, '-', '_' and inner dots; no path, no hidden file.
_RULE_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,98}[A-Za-z0-9_-])?$")
_URL = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]{1,20})://[^\s'\"<>)]*[^\s'\"<>).,;:!?]")
MASK = "***"


def write_refusal(authorization: str | None, cfg: ConsoleConfig) -> str | None:
    """Why a write is refused (answer 403 with it), or None when the token is right."""
    if cfg.token is None:
        return READ_ONLY
    scheme, _, given = (authorization or "").partition(" ")
    expected = cfg.token.get_secret_value()
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), expected.encode()
    ):
        return NEED_TOKEN
    return None


def rule_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a rule file, or None. ``x.yaml`` is taken as ``x``."""
    if ".." in name or not _RULE_NAME.match(name):
        return (
            f"invalid rule name {name!r}: use letters, digits, '-', '_' and dots inside "
            "(it becomes <name>.yaml in the rules folder)"
        )
    return None


def allowed_hosts(cfg: ConsoleConfig, bind_host: str) -> list[str]:
    """The Host names the console answers: as configured; else loopback names on a loopback
    listener; else any (the operator chose to expose it)."""
    if cfg.allowed_hosts:
        return list(cfg.allowed_hosts)
    try:
        loopback = ipaddress.ip_address(bind_host).is_loopback
    except ValueError:
        loopback = bind_host == "localhost"
    return list(LOOPBACK_NAMES) if loopback else ["*"]


def host_allowed(host_header: str, allowed: list[str]) -> bool:
    if "*" in allowed:
        return True
    host = host_header.strip().lower()
    if host.startswith("["):
        host = host[: host.find("]") + 1]
    else:
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return host in allowed


def config_secrets(model: Any) -> list[str]:
    """Every secret value in a config (SecretStr fields, at any depth), longest first."""
    found = {s for s in _walk_secrets(model) if len(s) >= 4}
    return sorted(found, key=len, reverse=True)


def _walk_secrets(value: Any) -> Iterator[str]:
    if isinstance(value, SecretStr):
        yield value.get_secret_value()
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk_secrets(getattr(value, name))
    elif isinstance(value, dict):
        for v in value.values():
            yield from _walk_secrets(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _walk_secrets(v)


def scrub(text: str | None, secrets: Sequence[str] = ()) -> str | None:
    """Text safe to show: configured secrets replaced, and every URL masked (credentials and
    query of a web URL; everything after ``scheme://`` of any other URL, such as a
    notification service URL that carries its token in the path)."""
    if text is None:
        return None
    for secret in secrets:
        text = text.replace(secret, MASK)
    return _URL.sub(_mask_match, text)


def _mask_match(m: re.Match[str]) -> str:
    scheme = m.group(1).lower()
    if scheme in ("http", "https"):
        return mask_url(m.group(0))
    return f"{scheme}://{MASK}"
