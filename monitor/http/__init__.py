"""HTTP for untrusted and operator-given URLs, shared by the daemon (feeds) and the jobs (pages).

fetch: the client, timeouts, capped reads and the page fetch; deadline: one total deadline per
fetch; inflate: decoding compressed bodies with a cap; netguard: the private-address guard.
"""
