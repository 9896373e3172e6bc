"""URL identity: when two links are the same article, and which source a link belongs to.

The same story reaches us through several feeds with different tracking parameters, ports
spelled out or fragments pointing at comments; ``canonical_url`` strips exactly those, so dedup
keys on the article rather than on how it was linked. It is an identity, not a URL to fetch:
fetch the link as the feed gave it.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}

# Parameters that say how a reader arrived, never which article it is.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "igshid", "mc_cid", "mc_eid", "ocid", "xtor", "_ga", "_gl", "mkt_tok", "cmpid",
    }
)  # fmt: skip
# Prefixed families: Google Analytics (utm_), AT Internet (at_medium, at_campaign, ...),
# Matomo/Piwik (pk_), comScore (ns_, as in BBC feeds).
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "ns_")


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k in TRACKING_PARAMS or k.startswith(TRACKING_PREFIXES)


def _netloc(scheme: str, url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # IPv6 literal: urlsplit removed the brackets
        host = f"[{host}]"
    port = parts.port  # raises ValueError on a non-numeric or out-of-range port
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return host


def canonical_url(url: str) -> str:
    """The dedup identity of ``url``; raises ValueError when it is not a parseable URL.

    Scheme and host are lowercased, a default port, userinfo, the fragment and tracking
    parameters dropped, other parameters sorted (their order never names a different page),
    and an empty path becomes "/". The path keeps its case: servers treat it as significant.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if not scheme or not parts.hostname:
        raise ValueError(f"not an absolute URL: {url!r}")
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    )
    return urlunsplit(
        (scheme, _netloc(scheme, url.strip()), parts.path or "/", urlencode(query), "")
    )


def host_of(url: str) -> str:
    """The source a link belongs to: its lowercased host without a leading "www."."""
    host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    return host.removeprefix("www.")
