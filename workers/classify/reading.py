"""Read an article: candidate mentions, then factuality, time and domain, then one event each.

The layer after candidate detection (``sentence_events``): every mention gets a factuality
(``factuality``), a time relative to the published date (``timeline``) and a domain check
(``domain``); only asserted or announced mentions of the news are events. The others are kept
as ``Dropped`` with the kind of reason and the words that decided it, which ``newsmonitor
classify --explain``, ``eval --explain`` and ``rules test`` show. Mentions of one event across
the article are then merged (``identity``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from monitor.models import Event
from workers.classify.dates import parse_published
from workers.classify.domain import OTHER, Domain, article_domain, domain_reason
from workers.classify.identity import merge_mentions
from workers.classify.language import language_of
from workers.classify.lexicon.loader import Lexicon, get_lexicon
from workers.classify.outcome import Dropped, Reading
from workers.classify.scan import Looked, Scan, find_label, scan_key_sentences
from workers.classify.sentence_events import Found, Stated, sentence_events, uncounted
from workers.classify.sentences import split_sentences
from workers.classify.taxonomy import TYPES
from workers.classify.temporal import BACKGROUND, FUTURE, Reference
from workers.classify.verdict import SentenceJudge

MIN_TOKENS = 3  # a body line shorter than this states nothing
KIND_OF = {"negated": "negation", "uncertain": "negation", "hypothetical": "irrealis",
           "intended": "irrealis", "wished": "irrealis", "generic": "generic"}


@dataclass(frozen=True, slots=True)
class Mention:
    """A kept mention: the candidate, whether it came from the headline, its factuality."""

    found: Found
    title: bool
    factuality: str


def read_text(
    text: str,
    lang: str | None = None,
    title: str | None = None,
    published: str | None = None,
    lang_dirs: Iterable[str | Path] = (),
    explain: bool = True,
) -> Reading:
    """Read raw text; ``lang_dirs`` adds folders of language files for this call. Without
    ``explain`` the mentions that are no events are not kept (a worker needs only events)."""
    dirs = tuple(lang_dirs)
    lang = language_of(text, title, lang, dirs)
    lexicon = get_lexicon(lang, dirs)
    if lexicon is None:
        return Reading((), ())
    rest: list[Looked] = []
    head = scan_key_sentences([title], lexicon, rest) if title else []
    body = scan_key_sentences(split_sentences(text), lexicon, rest)
    ref = reference(text, title, published)
    scans = head + body
    domain = article_domain(scans, lambda: _other_domain(scans, rest, lexicon))
    kept: list[Mention] = []
    dropped = Drops(explain)
    headline = " ".join((title or "").split())
    for is_title, scans in ((True, head), (False, body)):
        for scan in scans:
            if not is_title and len(scan.tokens) < MIN_TOKENS:
                continue  # a heading or a label ("Confrontatie"), not a statement
            # a page's text often opens with its headline again: that is no body sentence
            as_title = is_title or (len(scan.sentence.text) >= len(headline) > 0
                                    and " ".join(scan.sentence.text.split()) == headline)
            _read_sentence(scan, lexicon, ref, domain, as_title, kept, dropped)
    events, merged = merge_mentions([(m.found, m.title, m.factuality) for m in kept])
    for d in merged:
        dropped.add(d.event, d.kind, d.reason, d.title)
    return Reading(tuple(events), _distinct(dropped.items) if explain else ())


def _distinct(dropped: list[Dropped]) -> tuple[Dropped, ...]:
    """Each dropped mention once; an uncounted one beside a counted one of the same type and
    sentence says nothing more."""
    counted = {(d.event.type, d.event.evidence) for d in dropped if d.event.count is not None}
    return tuple(dict.fromkeys(
        d for d in dropped
        if d.event.count is not None or (d.event.type, d.event.evidence) not in counted
    ))


def reference(text: str, title: str | None, published: str | None) -> Reference:
    """The article's "now": its published date, else the latest year it names."""
    return Reference(parse_published(published), text, title)


class Drops:
    """The mentions that are no events, kept only when someone will read them."""

    __slots__ = ("enabled", "items")

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.items: list[Dropped] = []

    def add(self, event: Event, kind: str, reason: str, title: bool) -> None:
        if self.enabled:  # no event: no factuality of one
            self.items.append(Dropped(event.replace(factuality=None), kind, reason, title))


def _other_domain(scans: list[Scan], rest: list[Looked], lexicon: Lexicon) -> str | None:
    """The first word of another domain (sport, finance) anywhere in the article, or None."""
    for scan in scans:
        spans = scan.by_label.get("exclude")
        if spans:
            return " ".join(scan.sentence.tokens[spans[0].start : spans[0].end])
    return find_label(rest, lexicon, "exclude")


def _mentions(scan: Scan, lang: str, got: Stated, stated: set[str]) -> Iterator[Found]:
    """The sentence's counted mentions, then one uncounted mention per cue of a type it does
    not report yet (asked as the reading goes, so most are never made)."""
    yield from got.counted
    for cue in got.cues:
        if cue.type not in stated:
            yield uncounted(scan, lang, cue, got)


def _read_sentence(
    scan: Scan, lexicon: Lexicon, ref: Reference, domain: Domain, is_title: bool,
    kept: list[Mention], dropped: Drops,
) -> None:
    got, aside = sentence_events(scan, lexicon.lang, counted=domain.value != OTHER,
                                 aside=dropped.enabled)
    for a in aside:
        dropped.add(a.event, "other sense", f"{a.kind}: {a.reason}", is_title)
    if not got.counted and not got.cues:
        return
    judge = SentenceJudge(scan, ref, [(f.event.type, f.anchor[0]) for f in got.counted]
                          + [(c.type, c.start) for c in got.cues])
    stated: set[str] = set()  # types this sentence already reports: more cues add nothing
    for f in _mentions(scan, lexicon.lang, got, stated):
        why = domain_reason(domain, scan, f.event.type)
        if why:
            dropped.add(f.event, "other sense", f"other domain: {why}", is_title)
            continue
        fact = judge.factuality(f)
        if not fact.emitted:
            dropped.add(f.event, KIND_OF[fact.value], f"{fact.value}: '{fact.trigger}'",
                        is_title)
            continue
        when = judge.time(f)
        if when.time == BACKGROUND and not TYPES[f.event.type].lasting:
            dropped.add(f.event, "background", f"background: '{when.words}'", is_title)
            continue
        value = "announced" if when.time == FUTURE else fact.value
        if when.words and f.event.count is not None:
            f = f._replace(dated=when.words)  # another date, another incident (``sums``)
        kept.append(Mention(f, is_title, value))
        stated.add(f.event.type)
