"""Undoing a response's Content-Encoding without ever holding more than the caller allows.

httpx decompresses each network chunk in one call: a 64 KB piece of a gzip bomb (zeros pack
about 1000:1) comes out as some 64 MB before our byte cap can look at it, so a worker briefly
held 130 MB to refuse a page capped at 5 MB. Here zlib is asked for at most ``limit`` bytes per
call (``decompressobj().decompress(data, max_length)``) and the rest of the input waits in
``unconsumed_tail``, so the caller's cap bounds memory, whatever the compression ratio.

Only the encodings we ask for (ACCEPT_ENCODING) are undone; anything else is refused rather
than read as garbage.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from monitor.errors import FetchError

ACCEPT_ENCODING = "gzip, deflate"
_GZIP, _ZLIB, _RAW_DEFLATE = 16 + zlib.MAX_WBITS, zlib.MAX_WBITS, -zlib.MAX_WBITS


class Inflater:
    """One response body's decoder; ``feed`` each raw chunk, then ``flush``."""

    def __init__(self, url: str, content_encoding: str | None) -> None:
        self.url = url
        encoding = (content_encoding or "identity").strip().lower()
        self._z: zlib._Decompress | None = None
        # deflate is zlib-wrapped as the RFC says, or raw as some servers send it: the first
        # bytes tell.
        self._maybe_raw = encoding == "deflate"
        if encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(_GZIP)
        elif encoding == "deflate":
            self._z = zlib.decompressobj(_ZLIB)
        elif encoding not in ("identity", ""):
            raise FetchError(url, f"unsupported Content-Encoding {encoding!r}", retryable=False)

    def feed(self, data: bytes, limit: int) -> Iterator[bytes]:
        """The decoded bytes of ``data``, in pieces of at most ``limit`` bytes each."""
        if self._z is None:
            yield data
            return
        pending = data
        while pending and not self._z.eof:
            out = self._decompress(pending, max(limit, 1))
            pending = self._z.unconsumed_tail
            if out:
                yield out

    def flush(self) -> bytes:
        if self._z is None:
            return b""
        try:
            return self._z.flush()
        except zlib.error as exc:
            raise self._error(exc) from exc

    def _decompress(self, data: bytes, limit: int) -> bytes:
        assert self._z is not None
        try:
            out = self._z.decompress(data, limit)
        except zlib.error as exc:
            if not self._maybe_raw:
                raise self._error(exc) from exc
            self._maybe_raw = False
            self._z = zlib.decompressobj(_RAW_DEFLATE)
            return self._decompress(data, limit)
        self._maybe_raw = False
        return out

    def _error(self, exc: zlib.error) -> FetchError:
        return FetchError(self.url, f"body does not decompress: {exc}", retryable=False)
