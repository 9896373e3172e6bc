"""Page fetching against real 127.0.0.1 servers: every limit is ours, not the server's.

The test servers live on 127.0.0.1, a private address, so most tests pass allow_private=True;
the guard itself is tested by turning it on. This machine has no DNS, so "a public page that
redirects inside" is played by a hop check that trusts only the first URL (as a public host
would pass) and must still refuse the redirect target.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import socketserver
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator

import httpx
import pytest

from monitor.configsections import FetchConfig
from monitor.errors import BlockedAddressError, FetchError
from monitor.http.fetch import fetch_page, open_stream
from monitor.http.netguard import check_public, is_private_url
from tests.servers import LocalHTTPServer, Request, Response

HTML = b"<html lang='en'><head><title>T</title></head><body><p>Hello</p></body></html>"
MB = 1024 * 1024
CHUNKED_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"


def cfg(**kw: object) -> FetchConfig:
    return FetchConfig(**{"connect_timeout": 2.0, "read_timeout": 2.0, **kw})  # type: ignore[arg-type]


class RawServer:
    """A bare TCP server whose handler writes whatever bytes a test wants, for responses the
    HTTP test server cannot make: chunked and endless, or dripping one byte at a time."""

    def __init__(self, write: Callable[[socket.socket], None]) -> None:
        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.recv(65536)  # the request; its content does not matter here
                with contextlib.suppress(OSError):  # the client hung up, as it should
                    write(self.request)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def chunked_forever(
    chunk: bytes, pause: float = 0.0, limit: int = 60 * MB
) -> Callable[[socket.socket], None]:
    def write(sock: socket.socket) -> None:
        sock.sendall(CHUNKED_HEAD)
        sent = 0
        while sent < limit:
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
            if pause:
                time.sleep(pause)

    return write


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket], None]], RawServer]]:
    started: list[RawServer] = []

    def start(write: Callable[[socket.socket], None]) -> RawServer:
        started.append(RawServer(write))
        return started[-1]

    yield start
    for s in started:
        s.stop()


def test_fetches_a_page_with_its_type_and_charset(
    http_server: LocalHTTPServer, client: httpx.Client
) -> None:
    headers = {"Content-Type": "text/html; charset=ISO-8859-1"}
    http_server.routes["/a"] = Response(HTML, headers=headers)
    page = fetch_page(client, http_server.url("/a"), cfg(), allow_private=True)
    assert (page.url, page.status, page.body) == (http_server.url("/a"), 200, HTML)
    assert (page.content_type, page.charset) == ("text/html", "iso-8859-1")
    sent = http_server.requests_to("/a")[0].headers
    assert sent["User-Agent"] == FetchConfig().user_agent


def test_declared_oversize_body_is_refused_unread(
    http_server: LocalHTTPServer, client: httpx.Client
) -> None:
    http_server.routes["/big"] = Response(b"x" * (50 * MB), headers={"Content-Type": "text/html"})
    with pytest.raises(FetchError, match="larger than 1048576 bytes") as err:
        fetch_page(client, http_server.url("/big"), cfg(max_bytes=MB), allow_private=True)
    assert err.value.subject == http_server.url("/big")
    assert not err.value.retryable


def test_endless_streamed_body_stops_at_the_cap_without_filling_memory(
    raw_server: Callable[..., RawServer], client: httpx.Client
) -> None:
    server = raw_server(chunked_forever(b"y" * 65536))
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="larger than 1048576 bytes"):
            fetch_page(client, server.url(), cfg(max_bytes=MB), allow_private=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MB, f"peak {peak} bytes for a 1 MB cap on a 60 MB stream"


def test_gzip_bomb_is_capped_on_its_decoded_size(
    http_server: LocalHTTPServer, client: httpx.Client
) -> None:
    bomb = gzip.compress(b"\0" * (50 * MB))
    assert len(bomb) < MB
    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
    http_server.routes["/bomb"] = Response(bomb, headers=headers)
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="larger than"):
            fetch_page(client, http_server.url("/bomb"), cfg(max_bytes=MB), allow_private=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MB, f"peak {peak} bytes for a 1 MB cap on a 50 MB bomb"


def test_a_gzipped_page_is_read(http_server: LocalHTTPServer, client: httpx.Client) -> None:
    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
    http_server.routes["/z"] = Response(gzip.compress(HTML), headers=headers)
    assert fetch_page(client, http_server.url("/z"), cfg(), allow_private=True).body == HTML
    assert http_server.requests_to("/z")[0].headers["Accept-Encoding"] == "gzip, deflate"


def test_redirects_are_followed_to_the_final_url(
    http_server: LocalHTTPServer, client: httpx.Client
) -> None:
    http_server.routes["/old"] = Response(status=301, headers={"Location": "/new?x=1"})
    http_server.routes["/new"] = Response(HTML, headers={"Content-Type": "text/html"})
    page = fetch_page(client, http_server.url("/old"), cfg(), allow_private=True)
    assert page.url == http_server.url("/new?x=1")
    assert page.body == HTML


def test_redirect_loop_stops_at_the_cap(http_server: LocalHTTPServer, client: httpx.Client) -> None:
    def bounce(req: Request) -> Response:
        n = int(req.path.split("=")[1])
        return Response(status=302, headers={"Location": f"/r?n={n + 1}"})

    http_server.routes["/r"] = bounce
    with pytest.raises(FetchError, match="more than 3 redirects") as err:
        fetch_page(client, http_server.url("/r?n=0"), cfg(max_redirects=3), allow_private=True)
    assert not err.value.retryable
    assert len(http_server.requests_to("/r")) == 4


def test_private_address_is_blocked_unless_allowed(
    http_server: LocalHTTPServer, client: httpx.Client
) -> None:
    http_server.routes["/a"] = Response(HTML, headers={"Content-Type": "text/html"})
    with pytest.raises(BlockedAddressError, match=r"non-public address 127\.0\.0\.1") as err:
        fetch_page(client, http_server.url("/a"), cfg(), allow_private=False)
    assert err.value.subject == http_server.url("/a") and not err.value.retryable
    assert http_server.requests_to("/a") == []  # refused before any request went out
    assert fetch_page(client, http_server.url("/a"), cfg(), allow_private=True).body == HTML


def test_redirect_from_a_trusted_hop_to_loopback_is_blocked(
    http_server: LocalHTTPServer, client: httpx.Client
) -> None:
    start = http_server.url("/public")
    http_server.routes["/public"] = Response(status=302, headers={"Location": "/admin"})
    http_server.routes["/admin"] = Response(b"secret")

    def public_first_hop(hop: str) -> None:
        check_public(hop, allow_private=hop == start)

    with pytest.raises(BlockedAddressError, match=r"redirect to .*/admin") as err:  # noqa: SIM117
        with open_stream(client, start, cfg(), {}, public_first_hop):
            pass
    assert err.value.subject == start
    assert http_server.requests_to("/admin") == []


def test_redirect_to_another_scheme_is_refused(
    http_server: LocalHTTPServer, client: httpx.Client
) -> None:
    http_server.routes["/x"] = Response(status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchError, match="not an http"):
        fetch_page(client, http_server.url("/x"), cfg(), allow_private=True)


def test_slow_response_times_out_and_can_be_retried(
    http_server: LocalHTTPServer, client: httpx.Client
) -> None:
    http_server.routes["/slow"] = Response(HTML, delay=1.5)
    t0 = time.monotonic()
    with pytest.raises(FetchError, match="timed out") as err:
        fetch_page(client, http_server.url("/slow"), cfg(read_timeout=0.2), allow_private=True)
    assert time.monotonic() - t0 < 1.2
    assert err.value.retryable


def test_dripping_body_hits_the_total_time_budget(
    raw_server: Callable[..., RawServer], client: httpx.Client
) -> None:
    server = raw_server(chunked_forever(b"z", pause=0.05))
    t0 = time.monotonic()
    with pytest.raises(FetchError, match=r"within 1s \(fetch.total_timeout\)") as err:
        fetch_page(client, server.url(), cfg(read_timeout=0.3, total_timeout=1.0), True)
    assert time.monotonic() - t0 < 1.5
    assert err.value.retryable and err.value.subject == server.url()


def trickle(data: bytes, pause: float) -> Callable[[socket.socket], None]:
    def write(sock: socket.socket) -> None:
        for i in range(len(data)):
            sock.sendall(data[i : i + 1])
            time.sleep(pause)

    return write


def stall_after(data: bytes) -> Callable[[socket.socket], None]:
    def write(sock: socket.socket) -> None:
        sock.sendall(data)
        time.sleep(30)

    return write


SLOW_BODY = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n" + b"x" * 1000


@pytest.mark.parametrize(
    ("name", "write"),
    [
        ("a body sent one byte at a time", trickle(SLOW_BODY, 0.05)),
        ("headers sent one byte at a time", trickle(SLOW_BODY[:60] * 10, 0.05)),
        ("a body that stops after its headers", stall_after(SLOW_BODY[:70])),
        ("headers that never come", stall_after(b"")),
    ],
)
def test_one_total_deadline_ends_a_fetch_however_the_server_stalls(
    raw_server: Callable[..., RawServer], client: httpx.Client, name: str, write: Callable[[socket.socket], None]
) -> None:
    """Each read alone is quick enough for a 5 s read timeout; the whole fetch is not."""
    server = raw_server(write)
    t0 = time.monotonic()
    with pytest.raises(FetchError, match=r"fetch\.total_timeout") as err:
        fetch_page(client, server.url(), cfg(read_timeout=5.0, total_timeout=0.8), True)
    elapsed = time.monotonic() - t0
    assert 0.7 < elapsed < 1.3, f"{name}: ended after {elapsed:.2f}s for a 0.8 s deadline"
    assert err.value.retryable and err.value.subject == server.url()


def test_the_deadline_covers_every_redirect_hop(
    http_server: LocalHTTPServer, client: httpx.Client
) -> None:
    """Four hops of 0.3 s each: every hop is within its read timeout, the chain is not."""

    def slow_hop(req: Request) -> Response:
        n = int(req.path.split("=")[1])
        if n == 4:
            return Response(HTML, headers={"Content-Type": "text/html"}, delay=0.3)
        return Response(status=302, headers={"Location": f"/hop?n={n + 1}"}, delay=0.3)

    http_server.routes["/hop"] = slow_hop
    url = http_server.url("/hop?n=0")
    assert fetch_page(client, url, cfg(total_timeout=5.0), True).body == HTML
    t0 = time.monotonic()
    with pytest.raises(FetchError, match=r"fetch\.total_timeout") as err:
        fetch_page(client, url, cfg(total_timeout=0.8), True)
    assert time.monotonic() - t0 < 1.2
    assert err.value.subject == url


def test_a_plain_client_still_ends_a_stalled_request_by_the_deadline(
    raw_server: Callable[..., RawServer],
) -> None:
    """Per-request timeouts are cut to the time left, so even a client without the deadline
    transport does not wait a whole read timeout past the deadline."""
    server = raw_server(stall_after(b""))
    t0 = time.monotonic()
    with httpx.Client(follow_redirects=False) as plain, pytest.raises(FetchError):
        fetch_page(plain, server.url(), cfg(read_timeout=5.0, total_timeout=0.5), True)
    assert time.monotonic() - t0 < 1.0


def test_refused_connection_is_a_retryable_fetch_error(client: httpx.Client) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once the socket closes
    with pytest.raises(FetchError) as err:
        fetch_page(client, f"http://127.0.0.1:{port}/", cfg(), allow_private=True)
    assert err.value.retryable and err.value.subject == f"http://127.0.0.1:{port}/"


@pytest.mark.parametrize(
    ("status", "retryable"), [(404, False), (410, False), (408, True), (429, True), (503, True)]
)
def test_http_errors_say_whether_a_retry_helps(
    http_server: LocalHTTPServer, client: httpx.Client, status: int, retryable: bool
) -> None:
    http_server.routes["/e"] = Response(b"no", status=status)
    with pytest.raises(FetchError, match=f"HTTP {status}") as err:
        fetch_page(client, http_server.url("/e"), cfg(), allow_private=True)
    assert err.value.retryable is retryable
    assert err.value.subject == http_server.url("/e")


def test_non_html_content_is_not_downloaded(
    http_server: LocalHTTPServer, client: httpx.Client
) -> None:
    pdf = Response(b"%PDF-1.4", headers={"Content-Type": "application/pdf"})
    http_server.routes["/f.pdf"] = pdf
    with pytest.raises(FetchError, match="not a page: content type application/pdf") as err:
        fetch_page(client, http_server.url("/f.pdf"), cfg(), allow_private=True)
    assert not err.value.retryable


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://100.64.0.1/",
        "http://2130706433/",  # 127.0.0.1 spelled as one number
        "http://localhost/",
    ],
)
def test_non_public_addresses_are_blocked(url: str) -> None:
    with pytest.raises(BlockedAddressError) as err:
        check_public(url, allow_private=False)
    assert err.value.subject == url
    assert is_private_url(url)
    check_public(url, allow_private=True)  # the operator's choice


@pytest.mark.parametrize("url", ["http://8.8.8.8/", "https://[2001:4860:4860::8888]/"])
def test_public_addresses_pass(url: str) -> None:
    check_public(url, allow_private=False)
    assert not is_private_url(url)


def test_unresolvable_host_is_not_private_and_fails_to_fetch() -> None:
    url = "http://no-such-host.invalid/"
    assert not is_private_url(url)
    with pytest.raises(FetchError, match="cannot resolve") as err:
        check_public(url, allow_private=False)
    assert not isinstance(err.value, BlockedAddressError)
