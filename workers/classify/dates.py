"""Calendar arithmetic for the time layer: intervals, the reference date, and how far apart.

TimeML's TIMEX3 resolves a temporal expression against the document creation time; ours is
the article's published date, which may be a full timestamp, a day, a month ("2024-10") or
unknown. Everything is an interval of days, so "in 2022", "in March", "last week" and a
published month compare the same way. No language knowledge here: words become numbers in
``timeline.py``, from the language file.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

BACKGROUND_DAYS = 21  # an event ending more than three weeks before the news is background
# A month named without a year is the nearest one, but news looks back more than ahead: the
# past one wins unless it is this much further away than the coming one.
PAST_BIAS_DAYS = 60
YEARS = range(1900, 2101)
_PUBLISHED = re.compile(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


@dataclass(frozen=True, slots=True)
class Span:
    """A closed interval of days."""

    first: date
    last: date

    def shifted(self, days: int) -> Span:
        delta = timedelta(days=days)
        return Span(self.first + delta, self.last + delta)


def day(year: int, month: int, dom: int) -> Span | None:
    try:
        d = date(year, month, dom)
    except ValueError:
        return None
    return Span(d, d)


def month_span(year: int, month: int) -> Span:
    return Span(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def year_span(year: int) -> Span:
    return Span(date(year, 1, 1), date(year, 12, 31))


def months_span(year: int, first: int, last: int) -> Span:
    """Months ``first``..``last`` of a year; a season across New Year ends in the next."""
    end_year = year + 1 if last < first else year
    return Span(month_span(year, first).first, month_span(end_year, last).last)


def parse_published(value: str | None) -> Span | None:
    """'2019-09-07T21:39:05+02:00' -> that day; '2024-10' -> October 2024; else None."""
    m = _PUBLISHED.match(value or "")
    if not m or int(m.group(1)) not in YEARS:
        return None
    year = int(m.group(1))
    if m.group(3):
        return day(year, int(m.group(2)), int(m.group(3)))
    if m.group(2) and 1 <= int(m.group(2)) <= 12:
        return month_span(year, int(m.group(2)))
    return year_span(year)


_YEAR = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d.,]\d)")


def latest_year(*texts: str | None) -> Span | None:
    """The latest year an undated article names: without a date, the explicit anchor it has."""
    years = [int(y) for part in texts for y in _YEAR.findall(part or "")]
    return year_span(max(years)) if years else None


def relate(event: Span, news: Span) -> str:
    """'background' (over three weeks before the news), 'future' (after it) or 'news'."""
    if event.last < news.first - timedelta(days=BACKGROUND_DAYS):
        return "background"
    if event.first > news.last:
        return "future"
    return "news"


def latest_before(month: int, news: Span, first: int | None = None) -> Span:
    """Month ``month`` (or months first..month) in the year that puts it at or before the news."""
    year = news.last.year
    span = months_span(year, first or month, month) if first else month_span(year, month)
    if span.first > news.last:
        back = year - 1
        span = months_span(back, first or month, month) if first else month_span(back, month)
    return span


def nearest(month: int, news: Span) -> Span:
    """Month ``month`` without a year: the past one, unless the coming one is much nearer
    ("talks resume on Feb. 1" in a late-January article; "a June deadline" in February)."""
    past = latest_before(month, news)
    coming = month_span(past.first.year + 1, month)
    if (coming.first - news.last).days + PAST_BIAS_DAYS < (news.first - past.last).days:
        return coming
    return past
