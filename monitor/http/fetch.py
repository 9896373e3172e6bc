"""Fetching untrusted URLs: article pages here, and the HTTP plumbing feeds share.

Every limit is enforced by us, not left to the server: connect/read timeouts, one total
deadline for the whole fetch (every redirect hop, headers and body: a server dripping one byte
per read timeout would otherwise never time out; see monitor/http/deadline.py), a byte cap
counted on the decoded body (a gzip bomb is as large as it unpacks to), and redirects followed
by hand so each hop passes the private-address guard before it is requested.

Errors say whether a retry can help: 5xx, 408, 429, timeouts and network errors can; other
4xx, blocked addresses, oversize bodies and redirect loops cannot.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from monitor.configsections import FetchConfig
from monitor.errors import BlockedAddressError, FetchError
from monitor.http.deadline import DeadlineTransport, deadline, time_left
from monitor.http.inflate import ACCEPT_ENCODING, Inflater
from monitor.http.netguard import check_public

RETRYABLE_4XX = frozenset({408, 429})
PIECE_BYTES = 256 * 1024  # the most one decompression step may produce
DRAIN_BYTES = 16 * 1024  # an error body this small is read, so its connection is kept
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/xml", "application/xml")
PAGE_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5"

HopCheck = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched page: the URL it finally came from, and its body as bytes (extraction decodes)."""

    url: str
    status: int
    content_type: str | None
    body: bytes
    charset: str | None = None


def make_client() -> httpx.Client:
    """The HTTP client for feeds and pages: redirects off (open_stream checks every hop), and
    connections that end every socket call by the fetch's total deadline."""
    return httpx.Client(follow_redirects=False, transport=DeadlineTransport())


def timeouts(cfg: FetchConfig) -> httpx.Timeout:
    """Per-operation timeouts, none beyond the time left of the total deadline (a client
    without the DeadlineTransport then still ends a stalled request by it)."""
    left = time_left()

    def bound(seconds: float) -> float:
        return seconds if left is None else max(min(seconds, left), 0.001)

    return httpx.Timeout(
        connect=bound(cfg.connect_timeout),
        read=bound(cfg.read_timeout),
        write=bound(cfg.read_timeout),
        pool=bound(cfg.connect_timeout),
    )


@contextmanager
def total_deadline(url: str, cfg: FetchConfig) -> Iterator[None]:
    """Run one fetch under ``cfg.total_timeout``; a timeout once it is spent says so."""
    with deadline(cfg.total_timeout):
        try:
            yield
        except FetchError as exc:
            if exc.retryable and exc.status is None and time_left() == 0:
                limit = f"{cfg.total_timeout:g}s"
                raise FetchError(
                    url, f"no complete answer within {limit} (fetch.total_timeout)"
                ) from exc
            raise


def transport_error(url: str, exc: httpx.HTTPError) -> FetchError:
    """An httpx failure as our error; only a malformed request is not worth retrying."""
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(url, f"timed out ({type(exc).__name__})")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.DecodingError):
        return FetchError(url, f"{type(exc).__name__}: {exc}", retryable=False)
    return FetchError(url, f"{type(exc).__name__}: {exc or 'network error'}")


def check_http_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(url, "not an http(s) URL", retryable=False)


def _send(
    client: httpx.Client, url: str, hop: str, cfg: FetchConfig, headers: dict[str, str]
) -> httpx.Response:
    try:
        request = client.build_request("GET", hop, headers=headers, timeout=timeouts(cfg))
        return client.send(request, stream=True, follow_redirects=False)
    except httpx.InvalidURL as exc:
        raise FetchError(url, f"invalid URL {hop}: {exc}", retryable=False) from exc
    except httpx.HTTPError as exc:
        raise transport_error(url, exc) from exc


def _check_hop(url: str, hop: str, check: HopCheck) -> None:
    """Guard one hop; a blocked redirect target is reported on the URL we were asked for."""
    check_http_url(hop)
    try:
        check(hop)
    except BlockedAddressError as exc:
        if hop == url:
            raise
        raise BlockedAddressError(url, f"redirect to {hop} {exc.message}") from exc


@contextmanager
def open_stream(
    client: httpx.Client,
    url: str,
    cfg: FetchConfig,
    headers: dict[str, str],
    check: HopCheck,
) -> Iterator[httpx.Response]:
    """GET ``url`` following at most cfg.max_redirects redirects; yield the final response
    with its body unread, and close it afterwards."""
    hop = url
    for _ in range(cfg.max_redirects + 1):
        _check_hop(url, hop, check)
        response = _send(client, url, hop, cfg, headers)
        if not response.has_redirect_location:
            try:
                yield response
            finally:
                response.close()
            return
        response.close()
        hop = urljoin(str(response.url), response.headers["location"])
    raise FetchError(url, f"more than {cfg.max_redirects} redirects", retryable=False)


def read_capped(response: httpx.Response, url: str, max_bytes: int) -> bytes:
    """The decoded body, refusing it once it passes ``max_bytes`` or the total deadline.

    The body is decompressed here, never more than the cap at a time (monitor/http/inflate.py):
    httpx would inflate each network chunk whole, a gzip bomb's into tens of megabytes.
    """
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(
            url, f"larger than {max_bytes} bytes ({declared} declared)", retryable=False
        )
    inflater = Inflater(url, response.headers.get("content-encoding"))
    chunks: list[bytes] = []
    size = 0
    try:
        for raw in response.iter_raw():  # as they arrive: a chunk size would buffer
            for piece in inflater.feed(raw, min(max_bytes - size + 1, PIECE_BYTES)):
                size += len(piece)
                if size > max_bytes:
                    raise FetchError(url, f"larger than {max_bytes} bytes", retryable=False)
                chunks.append(piece)
            if time_left() == 0:
                raise FetchError(url, "body took longer than the total time limit")
    except httpx.HTTPError as exc:
        raise transport_error(url, exc) from exc
    chunks.append(inflater.flush())
    if size + len(chunks[-1]) > max_bytes:
        raise FetchError(url, f"larger than {max_bytes} bytes", retryable=False)
    return b"".join(chunks)


def drain_small(response: httpx.Response) -> None:
    """Read a small error body so its connection can serve the next request (a response
    closed unread closes its connection: a new TCP connection per failing poll); a large or
    unsized one is left unread and its connection closed."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) <= DRAIN_BYTES:
        with contextlib.suppress(httpx.HTTPError):
            response.read()


def raise_for_status(url: str, status: int, retry_after: str | None = None) -> None:
    if 200 <= status < 300:
        return
    if status >= 500 or status in RETRYABLE_4XX:
        raise FetchError(url, f"HTTP {status}", status=status, retry_after=retry_after)
    raise FetchError(url, f"HTTP {status}", retryable=False, status=status)


def _media_type(response: httpx.Response) -> str | None:
    value = response.headers.get("content-type")
    return value.split(";")[0].strip().lower() if value else None


def _is_page_type(media_type: str | None) -> bool:
    """HTML or XML; a missing type is let through for extraction to judge."""
    return media_type is None or media_type in PAGE_TYPES or media_type.endswith("+xml")


def fetch_page(client: httpx.Client, url: str, cfg: FetchConfig, allow_private: bool) -> Page:
    """Fetch an article page within every limit of ``cfg``; FetchError names ``url``.

    ``client`` must not follow redirects itself (each hop is checked here). With
    ``allow_private`` false, every hop must resolve to public addresses only.
    """
    headers = {
        "User-Agent": cfg.user_agent,
        "Accept": PAGE_ACCEPT,
        "Accept-Encoding": ACCEPT_ENCODING,
    }

    def check(hop: str) -> None:
        check_public(hop, allow_private)

    with total_deadline(url, cfg), open_stream(client, url, cfg, headers, check) as resp:
        if resp.status_code >= 300:
            drain_small(resp)
        raise_for_status(url, resp.status_code)
        media_type = _media_type(resp)
        if not _is_page_type(media_type):
            raise FetchError(url, f"not a page: content type {media_type}", retryable=False)
        body = read_capped(resp, url, cfg.max_bytes)
        return Page(str(resp.url), resp.status_code, media_type, body, resp.charset_encoding)
