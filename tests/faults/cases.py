"""The hostile inputs, one case each: what a feed serves, and what the daemon must make of it.

A case gets its own feed (``CaseFeed``, empty until the case starts) and serves its hostile
content. It answers with a ``Served``: how many entries went in, which of them must still alert
(a hostile page does not lose its entry: the feed's own text alerts), which URLs the log must
name with which reason, and checks of its own. The driver (tests/faults/test_hostile.py) then
publishes the next good entry, which must alert too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from tests.faults import hostile
from tests.faults.ledger import EMAIL, WEBHOOK, Receivers
from tests.faults.newsroom import HTML, ITEM, PAGE, item, report, rss
from tests.servers import LocalHTTPServer, Response


class CaseFeed:
    """``/f/<slug>.xml`` on ``server``: the items added so far (newest first), unless a
    case serves another answer in their place."""

    def __init__(self, server: LocalHTTPServer, slug: str) -> None:
        self.server, self.slug = server, slug
        self.items: list[str] = []
        self.show()

    @property
    def url(self) -> str:
        return self.server.url(f"/f/{self.slug}.xml")

    def show(self, answer: Response | None = None) -> None:
        body = rss(self.slug, self.server.base, self.items[::-1])
        self.server.routes[f"/f/{self.slug}.xml"] = answer or hostile.feed_response(body)

    def page(self, name: str, answer: Response) -> str:
        path = f"/{self.slug}/{name}"
        self.server.routes[path] = answer
        return self.server.url(path)

    def news_page(self, name: str, text: str | None = None) -> str:
        title = f"Report {self.slug} {name}"
        body = PAGE.format(title=escape(title), report=text or report()).encode()
        return self.page(name, Response(body, headers=HTML))

    def add(self, link: str, title: str | None = None, summary: str | None = None) -> str:
        self.items.append(item(title or f"Report {self.slug}", link, summary))
        self.show()
        return link

    def good_entry(self) -> str:
        """The next good entry: a new article with a readable page, in the feed as it
        normally is (repaired, and keeping its newest 50 items, as feeds do)."""
        self.items = self.items[-50:]
        return self.add(self.news_page(f"good-{len(self.items)}"))


@dataclass
class Site:
    """Where the cases serve from: 127.0.0.1, a public-looking address (None when it cannot
    be had), and "secret" servers on loopback, private and link-local addresses that no
    article link from a public feed may reach."""

    local: LocalHTTPServer
    public: LocalHTTPServer | None
    secrets: dict[str, LocalHTTPServer]
    rx: Receivers

    def secret_urls(self) -> dict[str, str]:
        return {kind: server.url("/admin") for kind, server in self.secrets.items()}


@dataclass
class Served:
    entries: int
    alerting: list[str]  # entries that must still alert (from their page or the feed's text)
    named: dict[str, str]  # URL -> a word of the reason the log line gives with it
    check: Callable[[], None] = field(default=lambda: None)


Case = Callable[[Site, CaseFeed], Served]


def _hostile_page(answer: Callable[[], Response], reason: str) -> Case:
    """An entry whose page is hostile; its summary reports the news, so it still alerts."""

    def serve(site: Site, feed: CaseFeed) -> Served:
        link = feed.add(feed.page("hostile", answer()), summary=report())
        return Served(1, [link], {link: reason})

    return serve


gzip_bomb = _hostile_page(hostile.gzip_bomb, "larger than")
huge_page = _hostile_page(hostile.huge_page, "larger than")
trickle = _hostile_page(hostile.trickle, "total_timeout")


def redirect_loop(site: Site, feed: CaseFeed) -> Served:
    link = feed.add(feed.page("loop", hostile.redirect(f"/{feed.slug}/loop")), summary=report())
    return Served(1, [link], {link: "redirects"})


def _no_requests_to_secrets(site: Site) -> Callable[[], None]:
    def check() -> None:
        hits = {kind: len(s.requests) for kind, s in site.secrets.items() if s.requests}
        assert not hits, f"an article link reached an inside address: {hits}"

    return check


def links_inside(site: Site, feed: CaseFeed) -> Served:
    """From a public-looking feed, links straight to loopback, private and link-local hosts."""
    links = [feed.add(url, summary=report()) for url in site.secret_urls().values()]
    reasons = dict.fromkeys(links, "non-public address")
    return Served(len(links), links, reasons, _no_requests_to_secrets(site))


def redirects_inside(site: Site, feed: CaseFeed) -> Served:
    """From a public-looking feed, public links that redirect to those hosts."""
    links = [
        feed.add(feed.page(f"go-{kind}", hostile.redirect(url)), summary=report())
        for kind, url in site.secret_urls().items()
    ]
    reasons = dict.fromkeys(links, "non-public address")
    return Served(len(links), links, reasons, _no_requests_to_secrets(site))


INJECTED = "Bcc: victim@evil.example"


def header_injection(site: Site, feed: CaseFeed) -> Served:
    """CR/LF and a Bcc: header in a title; the page is gone, so the feed's title is used."""
    title = f"Drone report\r\n{INJECTED}\r\nX-Injected: yes"
    xml_title = escape(title).replace("\r", "&#13;").replace("\n", "&#10;")
    link = feed.page("crlf", hostile.not_found())
    summary = f"<description>{escape(report())}</description>"
    feed.items.append(ITEM.format(title=xml_title, link=escape(link), extra=summary))
    feed.show()

    def check() -> None:
        assert site.rx.smtp is not None
        mails = [m for m in site.rx.smtp.messages if INJECTED in str(m["Subject"])]
        assert mails, "no alert email carried the hostile title"
        for mail in mails:
            assert mail["Bcc"] is None and mail["X-Injected"] is None, mail.items()
        assert {tuple(to) for _, to in site.rx.smtp.envelopes} == {("desk@example.org",)}

    return Served(1, [link], {link: "rule attacks"}, check)


JINJA = "{{ 7*191 }} {% for x in range(3) %}loop{% endfor %} {{ ''.__class__.__mro__ }}"


def template_injection(site: Site, feed: CaseFeed) -> Served:
    """Jinja2 syntax in the title and in the reporting sentence (the evidence)."""
    text = report().rstrip(".") + f", {JINJA}."
    link = feed.add(feed.news_page("jinja", text), title=f"{JINJA} attack", summary=text)

    def check() -> None:
        hooks = [a for a in site.rx.http.requests_to("/hook") if link in a.body.decode()]
        assert site.rx.smtp is not None
        mails = [m.as_string() for m in site.rx.smtp.messages if "7*191" in m.as_string()]
        assert hooks and mails, "the alert did not carry the template text"
        for text in [h.body.decode() for h in hooks] + mails:
            assert "1337" not in text and "looplooploop" not in text and "<class" not in text

    return Served(1, [link], {link: "rule attacks"}, check)


def _broken_feed(answer: Callable[[CaseFeed], Response], reason: str, entries: int = 1) -> Case:
    """The feed itself is hostile; it alerts nothing until it is repaired."""

    def serve(site: Site, feed: CaseFeed) -> Served:
        feed.show(answer(feed))
        return Served(entries, [], {feed.url: reason})

    return serve


huge_feed = _broken_feed(lambda f: hostile.huge_feed(f.server.base), "larger than")
not_a_feed = _broken_feed(
    lambda f: hostile.feed_response(b"<html><body>Maintenance</body></html>", "text/html"),
    "no RSS, Atom or RDF root",
)


def _utf16(feed: CaseFeed) -> Response:
    link = feed.news_page("utf16")
    body = rss(feed.slug, feed.server.base, [item("Report in UTF-16", link, report())])
    return hostile.feed_response(hostile.utf16_without_bom(body))


utf16_feed = _broken_feed(_utf16, "not a usable feed")


def _usable_broken(make: Callable[[CaseFeed, list[str]], bytes], reason: str) -> Case:
    """Broken, but entries still come out of it: they alert."""

    def serve(site: Site, feed: CaseFeed) -> Served:
        links = [feed.news_page("a"), feed.news_page("b")]
        items = [item(f"Überfall – café {i}", link, report()) for i, link in enumerate(links)]
        feed.show(hostile.feed_response(make(feed, items)))
        return Served(2, links, {feed.url: reason})

    return serve


malformed = _usable_broken(lambda f, items: hostile.malformed(f.server.base, items), "malformed")
mislabelled = _usable_broken(
    lambda f, items: hostile.mislabelled(rss(f.slug, f.server.base, items)), "malformed"
)
entity_bomb = _usable_broken(
    lambda f, items: hostile.entity_bomb(rss(f.slug, f.server.base, items)), "malformed"
)


FLOOD = 10_000


def flood(site: Site, feed: CaseFeed) -> Served:
    """A known feed that suddenly lists 10,000 new entries (pages that are gone)."""
    feed.items += hostile.many_items(feed.server.base, FLOOD, f"/{feed.slug}/gone")
    feed.show()
    return Served(FLOOD, [], {feed.url: f"{FLOOD} new"})


BOTH = (WEBHOOK, EMAIL)
