"""Temporal expressions: found in a sentence and resolved against the article's "now".

After TimeML's TIMEX3: dates, years, "three weeks ago", "last summer", "in the first weeks of the
war" are read from the language file's ``time`` words and placed in the news, its background
or the future (``dates`` does the arithmetic); ``timeline`` decides which one dates a mention.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import NamedTuple

from workers.classify.dates import (
    BACKGROUND_DAYS,
    YEARS,
    Span,
    day,
    latest_before,
    latest_year,
    month_span,
    months_span,
    nearest,
    relate,
    year_span,
)
from workers.classify.scan import Scan

NEWS, BACKGROUND, FUTURE = "news", "background", "future"
PHRASES = (("time:recent", NEWS), ("time:future", FUTURE), ("time:background", BACKGROUND),
           ("time:since", NEWS), ("time:running", NEWS))
SINCE_REACH = 4  # a date this close after "since" is where a cumulative count starts
UNKNOWN_COUNT = 2  # "years ago", "decades ago": some of them


class Anchor(NamedTuple):
    """A temporal expression at tokens [start, end) and where it puts an event."""

    start: int
    end: int
    time: str
    words: str


class Reference:
    """The article's "now": its published date, else the latest year it names. The text is
    only searched for years when a sentence needs dating and no date was given."""

    __slots__ = ("_latest", "_texts", "published")

    def __init__(self, published: Span | None, *texts: str | None) -> None:
        self.published = published
        self._texts = texts
        self._latest: Span | bool | None = False  # False: not looked for yet

    @property
    def now(self) -> Span | None:
        if self.published is not None:
            return self.published
        if self._latest is False:
            self._latest = latest_year(*self._texts)
        return self._latest  # type: ignore[return-value]


def words_of(scan: Scan, start: int, end: int) -> str:
    return " ".join(scan.sentence.tokens[start:end])


def _label_at(scan: Scan, i: int, label: str) -> bool:
    return 0 <= i < len(scan.tokens) and label in scan.at_token[i]


def _int_at(scan: Scan, i: int, lo: int, hi: int) -> int | None:
    if 0 <= i < len(scan.tokens) and scan.tokens[i].isdigit():
        value = int(scan.tokens[i])
        return value if lo <= value <= hi else None
    return None


def _amount(scan: Scan, i: int) -> int:
    """The number before a unit ("three years ago"); some when none is given."""
    if 0 <= i < len(scan.tokens):
        tok = scan.tokens[i]
        if tok.isdigit():
            return int(tok)
        value = scan.lexicon.numbers.words.get(tok)
        if value:
            return value
    return UNKNOWN_COUNT


def _relate(span: Span | None, ref: Reference) -> str | None:
    now = ref.now
    if span is None or now is None:
        return None
    if ref.published is None and span.last < now.first:
        return BACKGROUND  # undated, "now" is a year it names: an earlier year is history
    return relate(span, now)


def _month_date(scan: Scan, i: int, ref: Reference) -> tuple[int, int, Span | None]:
    """A date around the month name at token i: "24 February 2022", "Oct. 7", "in maart"."""
    month = scan.lexicon.time.months[scan.tokens[i]]
    start, end = i, i + 1
    j = i + 1 + (scan.tokens[i + 1 : i + 2] == (".",))  # "March 3", "Oct. 7"
    dom = _int_at(scan, j, 1, 31)
    if dom is not None:
        end = j + 1
    else:  # "3 maart", "the 10th of October"
        back = i - 1
        while back > 0 and i - back <= 3 and not scan.tokens[back][0].isdigit() \
                and len(scan.tokens[back]) <= 3:
            back -= 1
        dom = _int_at(scan, back, 1, 31)
        start = back if dom is not None else start
    k = end + (scan.tokens[end : end + 1] == (",",))
    year = _int_at(scan, k, YEARS.start, YEARS.stop - 1)
    if year is not None:
        end = k + 1
    if year is None and dom is None and "function_words" in scan.at_token[i] \
            and not scan.sentence.tokens[i][:1].isupper():
        return start, end, None  # the English modal "may", not the month
    if year is not None:
        return start, end, day(year, month, dom) if dom else month_span(year, month)
    now = ref.now
    if now is None:
        return start, end, None
    span = nearest(month, now)
    if dom:
        span = day(span.first.year, month, dom) or span
    return start, end, span


def _relative(scan: Scan, i: int, ref: Reference) -> tuple[int, int, str] | None:
    """'three years ago', 'last year', 'this week', 'next month' around the unit at token i."""
    days = scan.lexicon.time.units[scan.tokens[i]]
    if _label_at(scan, i + 1, "time:ago"):
        start = max(i - 1, 0)
        back = _amount(scan, i - 1) * days
        now = ref.now
        if now is None:
            return start, i + 2, BACKGROUND if back > BACKGROUND_DAYS else NEWS
        return start, i + 2, relate(now.shifted(-back), now)
    for offset in (1, 2):  # "last year", "last two years", "vorig jaar"
        j = i - offset
        if _label_at(scan, j, "time:last"):
            if offset == 2:
                return j, i + 1, NEWS  # "the last two years": a span up to now
            return j, i + 1, _last(days, ref)
        if _label_at(scan, j, "time:this"):
            return j, i + 1, NEWS
        if _label_at(scan, j, "time:next"):
            return j, i + 1, FUTURE
    return None


def _last(days: int, ref: Reference) -> str:
    """'last week' is news; 'last year' and 'last decade' are background."""
    now = ref.now
    if now is None or days <= 7:
        return NEWS if days <= 30 else BACKGROUND
    if days >= 365:
        return relate(year_span(now.first.year - days // 365), now)
    first = now.first.replace(day=1) - timedelta(days=1)
    return relate(month_span(first.year, first.month), now)


def _season(scan: Scan, i: int, ref: Reference) -> tuple[int, int, str] | None:
    first, last = scan.lexicon.time.seasons[scan.tokens[i]]
    now = ref.now
    year = _int_at(scan, i + 1, YEARS.start, YEARS.stop - 1)
    if year is not None:
        return i, i + 2, _relate(months_span(year, first, last), ref) or NEWS
    if now is None:
        return None
    span = latest_before(last, now, first)
    if _label_at(scan, i - 1, "time:last"):
        if span.first <= now.first <= span.last + timedelta(days=BACKGROUND_DAYS):
            span = months_span(span.first.year - 1, first, last)
        return i - 1, i + 1, relate(span, now)
    if _label_at(scan, i - 1, "time:this"):
        return i - 1, i + 1, NEWS
    return i, i + 1, relate(span, now)


def _year(scan: Scan, i: int, ref: Reference) -> tuple[int, int, str] | None:
    """'in 2022', 'the 1990s'; not '2000 soldiers' (a count that looks like a year)."""
    value = _int_at(scan, i, YEARS.start, YEARS.stop - 1)
    if value is None or len(scan.tokens[i]) != 4:
        return None
    nxt = scan.at_token[i + 1] if i + 1 < len(scan.tokens) else frozenset()
    if "persons" in nxt or any(lb.startswith(("noun:", "weapon:")) for lb in nxt):
        return None
    if scan.sentence.glued(i) == "s":
        span = Span(date(value, 1, 1), date(value + 9, 12, 31))
    else:
        span = year_span(value)
    return i, i + 1, _relate(span, ref) or NEWS


CALENDAR = ("months", "time:unit", "time:season", "time:weekdays")
# Every label that can start a temporal expression: a sentence with none dates nothing.
DATING = frozenset({*CALENDAR, *(label for label, _ in PHRASES)})
_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")


def _calendar_tokens(scan: Scan) -> list[int]:
    """Tokens that may start a date: calendar words, and four digits (a year)."""
    at = {m.start for label in CALENDAR for m in scan.by_label.get(label, ())}
    if _FOUR_DIGITS.search(scan.sentence.text):
        at.update(i for i, tok in enumerate(scan.tokens) if len(tok) == 4 and tok.isdigit())
    return sorted(at)


def find_anchors(scan: Scan, ref: Reference) -> list[Anchor]:
    """Every temporal expression of the sentence, resolved."""
    if DATING.isdisjoint(scan.by_label) and not _FOUR_DIGITS.search(scan.sentence.text):
        return []
    found: list[tuple[int, int, str]] = []
    for label, time in PHRASES:
        found += [(m.start, m.end, time) for m in scan.by_label.get(label, ())]
    taken = -1
    cal = scan.lexicon.time
    for i in _calendar_tokens(scan):
        if i <= taken:
            continue
        got: tuple[int, int, str] | None = None
        tok, labels = scan.tokens[i], scan.at_token[i]  # calendar words match as written only
        if "months" in labels and tok in cal.months:
            start, end, span = _month_date(scan, i, ref)
            dated = _relate(span, ref)
            got = (start, end, dated) if dated else None
        elif "time:unit" in labels and tok in cal.units:
            got = _relative(scan, i, ref)
        elif "time:season" in labels and tok in cal.seasons:
            got = _season(scan, i, ref)
        elif "time:weekdays" in labels:
            got = (i, i + 1, NEWS)
        elif tok.isdigit():
            got = _year(scan, i, ref)
        if got is not None:
            found.append(got)
            taken = got[1] - 1
    return [Anchor(s, e, t, words_of(scan, s, e)) for s, e, t in _after_since(scan, found)]


def _after_since(scan: Scan, found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """A date just after "since" starts a count that runs to now: it dates nothing back."""
    since = [m.end for m in scan.by_label.get("time:since", ())]
    return [(s, e, NEWS if any(0 <= s - end <= SINCE_REACH for end in since) else t)
            for s, e, t in found]
