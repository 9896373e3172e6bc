"""Decompressing response bodies with bounded output (monitor/http/inflate.py)."""

from __future__ import annotations

import gzip
import zlib

import pytest

from monitor.errors import FetchError
from monitor.http.inflate import Inflater

TEXT = b"<p>The ceasefire held through the night, officials said.</p>" * 200


def inflate(encoding: str | None, body: bytes, limit: int = 1000, step: int = 97) -> list[bytes]:
    inflater = Inflater("https://news.example/a", encoding)
    pieces = [p for i in range(0, len(body), step) for p in inflater.feed(body[i : i + step], limit)]
    return [*pieces, inflater.flush()]


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        (None, TEXT),
        ("identity", TEXT),
        ("gzip", gzip.compress(TEXT)),
        ("x-gzip", gzip.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)),  # zlib-wrapped, as the RFC says
        ("deflate", raw_deflate(TEXT)),  # raw, as some servers send it
    ],
)
def test_each_accepted_encoding_decodes_in_bounded_pieces(encoding: str | None, body: bytes) -> None:
    pieces = inflate(encoding, body)
    assert b"".join(pieces) == TEXT
    if encoding not in (None, "identity"):
        assert max(len(p) for p in pieces) <= 1000


def test_a_bomb_never_comes_out_larger_than_asked() -> None:
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))
    inflater = Inflater("https://news.example/bomb", "gzip")
    out = inflater.feed(bomb, 4096)  # one network chunk that holds the whole bomb
    first = next(out)
    assert len(first) == 4096


def test_an_encoding_we_did_not_ask_for_is_refused() -> None:
    with pytest.raises(FetchError, match="unsupported Content-Encoding 'br'") as err:
        Inflater("https://news.example/a", "br")
    assert err.value.subject == "https://news.example/a" and not err.value.retryable


def test_a_corrupt_body_is_a_clear_error() -> None:
    with pytest.raises(FetchError, match="does not decompress") as err:
        inflate("gzip", b"\x1f\x8b\x08\x00 definitely not gzip data")
    assert not err.value.retryable
