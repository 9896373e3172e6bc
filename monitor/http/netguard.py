"""The private-address guard: feed links are untrusted and must not reach the inside network.

A feed can carry any link, so without this guard anyone who controls a feed entry could make
the worker request ``http://127.0.0.1:6379/``, a cloud metadata address or an intranet host.
A host is refused when any of its addresses (all that getaddrinfo returns, IPv4-mapped IPv6
unwrapped) is not globally routable.

Out of scope: DNS rebinding. We resolve here and httpx resolves again when it connects, so a
name whose answer changes between the two lookups can slip through. Closing that needs a
transport that connects to the checked address; the guard stops the plain cases (literal
private IPs, names that point inside, redirects to either).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from monitor.errors import BlockedAddressError, FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _addresses(url: str) -> list[IPAddress]:
    """Every address the URL's host resolves to; FetchError when it has none."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise FetchError(url, "URL has no host", retryable=False)
    try:
        infos = socket.getaddrinfo(host, parts.port or None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        # EAI_AGAIN is a resolver hiccup; anything else (NXDOMAIN, ...) will not heal by itself.
        raise FetchError(
            url, f"cannot resolve {host}: {exc}", retryable=exc.errno == socket.EAI_AGAIN
        ) from exc
    except UnicodeError as exc:
        raise FetchError(url, f"invalid host name {host!r}", retryable=False) from exc
    return [_unwrap(ipaddress.ip_address(str(info[4][0]).split("%")[0])) for info in infos]


def _unwrap(addr: IPAddress) -> IPAddress:
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def is_public_address(addr: IPAddress) -> bool:
    """Globally routable: not loopback, private, link-local, unspecified, multicast, reserved."""
    flags = (
        addr.is_loopback,
        addr.is_private,
        addr.is_link_local,
        addr.is_unspecified,
        addr.is_multicast,
        addr.is_reserved,
    )
    # is_global also rules out shared (CGNAT, 100.64/10) and documentation ranges.
    return addr.is_global and not any(flags)


def check_public(url: str, allow_private: bool) -> None:
    """Raise BlockedAddressError (never retryable) unless every address of the host is public."""
    if allow_private:
        return
    for addr in _addresses(url):
        if not is_public_address(addr):
            raise BlockedAddressError(url, f"resolves to non-public address {addr}")


def is_private_url(url: str) -> bool:
    """True when the URL's host resolves to a non-public address.

    Used to trust a feed's links when the feed itself lives inside: its operator chose it. A
    host that cannot be resolved counts as public, so failure never grants that trust.
    """
    try:
        return any(not is_public_address(a) for a in _addresses(url))
    except FetchError:
        return False
