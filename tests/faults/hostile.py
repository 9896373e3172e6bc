"""Hostile answers a local server gives: bombs, floods, trickles, loops and broken feeds.

Each is a ``Response`` for tests/servers.py. The large ones are streamed (chunked, no
Content-Length), so the daemon cannot refuse them by their declared size and must count what
it reads, and the server holds none of it in memory.
"""

from __future__ import annotations

import functools
import time
import zlib
from collections.abc import Iterator

from tests.faults.newsroom import HTML, RSS_TYPE, item, rss
from tests.servers import Response

MB = 1024 * 1024
CHUNK = 64 * 1024


@functools.cache
def _bomb(size: int) -> bytes:
    """``size`` zero bytes, gzipped (level 1: 1 GB becomes 4.5 MB in about a second)."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)
    zeros = bytes(MB)
    return b"".join([*(packer.compress(zeros) for _ in range(size // MB)), packer.flush()])


def gzip_bomb(size: int = 1024 * MB) -> Response:
    """A page of 4.5 MB on the wire, under the size cap, that inflates to ``size`` bytes."""
    headers = {**HTML, "Content-Encoding": "gzip"}
    return Response(_bomb(size), headers=headers)


def _filler(total: int, head: bytes, piece: bytes, tail: bytes = b"") -> Iterator[bytes]:
    yield head
    sent = len(head)
    block = piece * max(1, CHUNK // len(piece))
    while sent < total:
        yield block
        sent += len(block)
    yield tail


def huge_page(size: int = 50 * MB) -> Response:
    para = b"<p>Nothing happened here today, and nothing will happen tomorrow either.</p>\n"
    body = functools.partial(_filler, size, b"<html><body><article>", para, b"</article>")
    return Response(headers=HTML, stream=body)


def huge_feed(base: str, size: int = 20 * MB) -> Response:
    """A well-formed RSS document of ``size`` bytes, items without news."""
    head, tail = rss("huge", base, [""]).split(b"</channel>")
    piece = item("Nothing new", f"{base}/nothing").encode()
    body = functools.partial(_filler, size, head, piece, b"</channel>" + tail)
    return Response(headers=RSS_TYPE, stream=body)


def trickle(seconds: int = 600) -> Response:
    """A page that sends one byte a second: every read is quick, the whole never ends."""

    def drip() -> Iterator[bytes]:
        for byte in b"<html><body><article><p>" + b"." * seconds:
            yield bytes([byte])
            time.sleep(1)

    return Response(headers=HTML, stream=drip)


def redirect(to: str, status: int = 302) -> Response:
    return Response(b"", status, headers={"Location": to})


def not_found() -> Response:
    return Response(b"gone", 404, headers=HTML)


def feed_response(body: bytes, content_type: str = RSS_TYPE["Content-Type"]) -> Response:
    return Response(body, headers={"Content-Type": content_type})


def many_items(base: str, count: int, path: str) -> list[str]:
    """``count`` entries without news, each with its own page under ``path`` (which 404s)."""
    return [item(f"Notice {i}", f"{base}{path}/{i}") for i in range(count)]


def malformed(base: str, items: list[str]) -> bytes:
    """Not well-formed XML (an unclosed item, a bare ampersand, a stray tag) that a forgiving
    parser still reads entries from."""
    broken = [i.replace("</item>", "") for i in items]
    return rss("broken & proud <b>", base, broken)


def entity_bomb(body: bytes) -> bytes:
    """The feed with a "billion laughs" DTD: nested entities that expand to gigabytes if the
    parser lets them, used in the channel's title."""
    levels = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10)
    ]
    dtd = ("<!DOCTYPE rss [" + "".join(levels) + "]>").encode()
    body = body.replace(b"?><rss", b"?>" + dtd + b"<rss", 1)
    head, rest = body.split(b"</title>", 1)
    return head[: head.index(b"<title>")] + b"<title>&l9;</title>" + rest


def utf16_without_bom(body: bytes) -> bytes:
    """The document in UTF-16 with no byte-order mark (and a declaration that says so)."""
    return body.replace(b"encoding='utf-8'", b"encoding='utf-16'").decode().encode("utf-16-le")


def mislabelled(body: bytes) -> bytes:
    """Declared UTF-8, written in Windows-1252 (accented titles become invalid UTF-8)."""
    return body.decode().encode("cp1252", errors="replace")
