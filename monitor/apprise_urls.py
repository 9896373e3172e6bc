"""Apprise URLs: checked when the config loads, masked wherever they are shown.

An Apprise URL carries secrets in every part: Slack, Discord and Pushover put tokens where a
host would be, Telegram a bot token, ntfy a topic that works as a password, json:// a hook id in
the path and header values in the query. Apprise's own privacy form (``url(privacy=True)``)
keeps paths, ``+Header=value`` pairs and ntfy topics in the clear and shows the first and last
character of each token, so newsmonitor masks by shape instead: only the scheme, a real host
name (dotted, an IP address or ``localhost``) and the port stay; user info, path, query and
fragment become ``***``. Text Apprise writes about a URL (its log lines, its errors) is scrubbed
of every part of that URL which the mask hides.

Apprise is imported here and by the notifier only, and only once a config has an apprise
channel: it costs about 0.1 s and 14 MB in each process that loads it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from urllib.parse import unquote

MASK = "***"
APPRISE_LOGGER = "apprise"
# Parts shorter than this are not scrubbed from text: replacing "a" or "id" everywhere would
# garble a message, and so short a string protects nothing.
MIN_SECRET_LEN = 3

_URL_RE = re.compile(r"^([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.DOTALL)
_PORT_RE = re.compile(r"^(.*?)(?::(\d{1,5}))?$", re.DOTALL)
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")
_REAL_HOST_RE = re.compile(
    r"^(?:localhost|\[[0-9A-Fa-f:.]+\]|\d{1,3}(?:\.\d{1,3}){3}|(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})$"
)


@dataclass(frozen=True, slots=True)
class URLParts:
    scheme: str
    userinfo: str
    host: str
    port: str
    path: str
    query: str
    fragment: str

    @property
    def host_shown(self) -> bool:
        return bool(_REAL_HOST_RE.match(self.host))


def split_url(url: str) -> URLParts | None:
    """The parts of ``scheme://user@host:port/path?query#fragment``; None without a scheme.

    Hand-made rather than urllib's: Apprise URLs are not always URLs to urllib
    (``tgram://123:ABC/chat`` has a "port" of letters, which urlsplit refuses to read).
    """
    scheme, sep, rest = url.strip().partition("://")
    if not sep or not _SCHEME_RE.match(scheme):
        return None
    m = _URL_RE.match(rest)
    if m is None:  # pragma: no cover - the pattern matches every string
        return None
    netloc, path, query, fragment = (g or "" for g in m.groups())
    userinfo, _, hostport = netloc.rpartition("@")
    hm = _PORT_RE.match(hostport)
    host, port = (hm.group(1), hm.group(2) or "") if hm else (hostport, "")
    return URLParts(scheme.lower(), userinfo, host, port, path, query, fragment)


def mask_apprise_url(url: str) -> str:
    """The URL with everything but scheme, real host name and port replaced by ``***``."""
    p = split_url(url)
    if p is None:
        return MASK
    out = f"{p.scheme}://" + (f"{MASK}@" if p.userinfo else "")
    out += p.host if p.host_shown else (MASK if p.host else "")
    out += f":{p.port}" if p.port else ""
    out += f"/{MASK}" if p.path.strip("/") else ""
    out += f"?{MASK}" if p.query else ""
    return out + (f"#{MASK}" if p.fragment else "")


def secret_parts(url: str) -> list[str]:
    """Every piece of the URL the mask hides, raw and percent-decoded, longest first."""
    p = split_url(url)
    if p is None:
        pieces = [url.strip()]
    else:
        pieces = [p.userinfo, *p.userinfo.split(":"), p.path, *p.path.split("/")]
        pieces += [p.query, *(pair.partition("=")[2] for pair in p.query.split("&"))]
        pieces.append(p.fragment)
        if not p.host_shown:
            pieces += [p.host, f"{p.host}:{p.port}" if p.port else p.host]
    found = {x for piece in pieces for x in (piece, unquote(piece)) if len(x) >= MIN_SECRET_LEN}
    return sorted(found, key=len, reverse=True)


def scrub(text: str, urls: Iterable[str]) -> str:
    """``text`` with every hidden part of the given URLs replaced by ``***``."""
    for url in urls:
        text = text.replace(url, mask_apprise_url(url))
        for part in secret_parts(url):
            text = text.replace(part, MASK)
    return text


def load_apprise() -> ModuleType:
    """The apprise module, its logger kept to itself.

    Apprise logs through the "apprise" logger, sometimes with a URL's path or a response body in
    the line. Nothing of it reaches newsmonitor's log directly: the notifier reads what Apprise
    said about each call from the call's result and logs it scrubbed.
    """
    log = logging.getLogger(APPRISE_LOGGER)
    if log.propagate:  # before the import, which already logs
        log.propagate = False
        log.addHandler(logging.NullHandler())
    import apprise

    return apprise


def check_apprise_url(url: str) -> None:
    """Raise ValueError (its message masked) when Apprise cannot build a notifier of ``url``.

    This runs when the config loads, so a malformed or unknown URL stops the daemon at start
    instead of failing each alert later. Apprise checks what it can offline: known service,
    required tokens present and of the right shape; a wrong but well-formed token only shows
    when the service refuses it.
    """
    masked = mask_apprise_url(url)
    parts = split_url(url)
    if parts is None:
        raise ValueError(
            f"not an Apprise URL: {masked} (write e.g. slack://…, tgram://…, ntfys://…)"
        )
    apprise = load_apprise()
    try:
        plugin = apprise.Apprise.instantiate(url, suppress_exceptions=False)
    except Exception as exc:  # plugins raise TypeError or their own errors on bad tokens
        reason = scrub(str(exc), [url]) or type(exc).__name__
        raise ValueError(f"Apprise cannot use {masked}: {reason}") from None
    if plugin is not None:
        return
    known = set(apprise.manager_plugins.NotificationManager().schemas())
    if parts.scheme in ("http", "https"):
        reason = (
            "Apprise takes http(s) URLs only of services it recognises (e.g. Slack's web "
            "hooks); for any other web hook write json://… or form://…"
        )
    elif parts.scheme not in known:
        reason = f"unknown service {parts.scheme}://"
    else:
        reason = f"a {parts.scheme}:// URL that Apprise cannot read (a token missing or malformed?)"
    raise ValueError(f"Apprise cannot use {masked}: {reason}")
