"""Local addresses that look public, private and link-local, for the private-address guard.

A feed on 127.0.0.1 may link to private addresses (its operator put it inside), so to see the
guard at work the feed must look public to the daemon while still being served here. No
resolver hook and nothing mocked: the kernel gets real addresses, on a veth pair made for the
run (``ip link add ... type veth``; dummy interfaces need a kernel module that is not always
there), and the servers bind them. The daemon resolves and connects as it would on the
internet; traffic stays on this machine, routed locally.

- public-looking: the first of ``PUBLIC_CANDIDATES`` that Python's ``ipaddress`` (which the
  guard builds on) calls global. 192.88.99.0/24 was the 6to4 relay anycast prefix, deprecated
  by RFC 7526, so borrowing an address of it for a minute shadows no service anyone uses;
- private: one of 10.0.0.0/8, link-local: one of 169.254.0.0/16 (not 169.254.169.254, the
  cloud metadata address, which this machine may really need).

It needs root and iproute2; without them the scenarios that need it skip and say why.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

PUBLIC_CANDIDATES = ("192.88.99.{n}", "192.31.196.{n}")


@dataclass(frozen=True, slots=True)
class Addresses:
    public: str
    private: str
    link_local: str


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10)


def unavailable() -> str | None:
    """Why the addresses cannot be made here, or None."""
    if os.geteuid() != 0:
        return "adding local addresses needs root"
    if shutil.which("ip") is None:
        return "iproute2 (the `ip` command) is not installed"
    return None


def _public(n: int) -> str:
    for pattern in PUBLIC_CANDIDATES:
        address = pattern.format(n=n)
        if ipaddress.ip_address(address).is_global:
            return address
    raise RuntimeError(f"none of {PUBLIC_CANDIDATES} counts as global on this Python")


@contextmanager
def local_addresses() -> Iterator[Addresses]:
    """The three addresses, on a veth pair that is gone when the block ends."""
    n = 2 + os.getpid() % 250  # runs side by side get their own addresses and link
    link = f"nmf{os.getpid() % 100000}"
    found = Addresses(_public(n), f"10.213.77.{n}", f"169.254.77.{n}")
    made = _ip("link", "add", link, "type", "veth", "peer", "name", f"{link}p")
    if made.returncode != 0:
        raise RuntimeError(f"ip link add {link}: {made.stderr.strip()}")
    try:
        for address in (found.public, found.private, found.link_local):
            added = _ip("addr", "add", f"{address}/32", "dev", link)
            if added.returncode != 0:
                raise RuntimeError(f"ip addr add {address}: {added.stderr.strip()}")
        for name in (link, f"{link}p"):
            _ip("link", "set", name, "up")
        yield found
    finally:
        _ip("link", "del", link)
