"""The data that flows through newsmonitor, as frozen values.

Job payloads are plain dicts (RQ's JSON serializer), so each model converts to and from one;
the conversion lives here, beside the fields, so a renamed field cannot drift between the
producer and the consumer of a job.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Self, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T", bound="Model")


class Model:
    """Shared dict conversion for the frozen dataclasses below."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            out[f.name] = _dump(getattr(self, f.name))
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        kwargs: dict[str, Any] = {}
        for name, load in _loaders_of(cls):  # type: ignore[arg-type]
            if name in data:
                value = data[name]
                kwargs[name] = load(value) if load is not None and value is not None else value
        return cls(**kwargs)

    def replace(self, **changes: Any) -> Self:
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]


@cache
def _fields_of(cls: type) -> tuple[tuple[str, Any], ...]:
    """(name, type hint) per field; resolving hints is slow, and articles are loaded often."""
    hints = get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))


Loader = Callable[[Any], Any] | None  # None: the JSON value is the field's value


@cache
def _loaders_of(cls: type) -> tuple[tuple[str, Loader], ...]:
    """How to load each field from JSON, worked out once per class from its type hints
    (articles with their events are loaded for every rule match: this is a hot path)."""
    return tuple((name, _loader(hint)) for name, hint in _fields_of(cls))


def _loader(hint: Any) -> Loader:
    """How a JSON value becomes a value of ``hint``: None passes as None, a union with None
    loads as its other member, a tuple item by item, a nested model by its from_dict."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(hint) if a is not type(None)]
        return _loader(inner[0]) if len(inner) == 1 else None
    if origin is tuple:
        item = _loader(get_args(hint)[0])
        if item is None:
            return tuple
        return lambda values: tuple(None if v is None else item(v) for v in values)
    if isinstance(hint, type) and issubclass(hint, Model):
        return hint.from_dict
    return None


def _dump(value: Any) -> Any:
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, tuple | list):
        return [_dump(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Feed(Model):
    """One configured feed. ``interval`` is in seconds; None lets the poller choose."""

    url: str
    name: str
    interval: float | None = None
    backfill: bool = False


@dataclass(frozen=True, slots=True)
class Entry(Model):
    """One feed item, as the poller hands it to the `entries` queue."""

    feed_name: str
    feed_url: str
    link: str
    guid: str | None = None
    title: str | None = None
    summary: str | None = None
    content: str | None = None
    published: str | None = None  # ISO 8601, UTC
    lang: str | None = None
    canonical_url: str | None = None
    updated: str | None = None  # ISO 8601, UTC; a later value under the same link: re-read it


@dataclass(frozen=True, slots=True)
class Event(Model):
    """One event read from an article; docs/events.md is the contract for every field."""

    type: str
    evidence: str
    lang: str
    count: int | None = None
    approx: bool = False
    weapon: str | None = None
    side: str | None = None
    location: str | None = None
    status: str | None = None
    noun: str | None = None  # the counted thing as the text names it ("drones", "doden")
    factuality: str | None = None  # "asserted", "announced" or "proposed" (docs/events.md)


@dataclass(frozen=True, slots=True)
class Article(Model):
    """An entry after fetching and extraction; what rules match against."""

    id: str
    url: str
    feed_name: str
    feed_url: str
    source: str  # host name of the article URL: distinct hosts are distinct sources
    title: str | None
    text: str
    lang: str | None = None
    published: str | None = None
    fetched_at: str | None = None
    extracted_from: str = "page"  # "page", or "feed" when the page could not be used
    events: tuple[Event, ...] = field(default_factory=tuple)
    version: str | None = None  # the feed entry's ``updated`` this reading is of
    page_error: str | None = None  # why the page was not used (with extracted_from="feed")


@dataclass(frozen=True, slots=True)
class Alert(Model):
    """A rule that fired on an article (or, for a digest, on several: ``items``).

    ``id`` is stable for (rule, story) — or (rule, article) with ``once_per: article`` — plus
    the new count for an update, so a retried job produces the same id and the delivery guard
    recognises it.
    """

    id: str
    rule: str
    article: Article
    matched: tuple[str, ...] = ()  # the matched text snippets, for text rules
    conditions: tuple[str, ...] = ()  # the rule's conditions that held, in words
    events: tuple[Event, ...] = ()  # the events that satisfied the rule
    created_at: str | None = None
    severity: str | None = None
    story: str | None = None
    sources: tuple[str, ...] = ()  # distinct hosts that reported the story
    update: bool = False  # a later article of an alerted story reported a higher count
    reason: str | None = None  # why it fired (first alert, count rose, corroborated, ...)
    subject_template: str | None = None
    body_template: str | None = None
    items: tuple[Alert, ...] = ()  # a digest: the alerts it batches (``article`` is the first)


@dataclass(frozen=True, slots=True)
class Delivery(Model):
    """The outcome of sending one alert to one channel."""

    alert_id: str
    channel: str
    ok: bool
    attempts: int
    at: str
    error: str | None = None
    rule: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class DeadLetter(Model):
    """A delivery that failed for good: the alert as its job carried it (a dict, replayed as
    it is), where it went, and why it failed. Stored as JSON in the dead-letter list."""

    id: str  # the delivery job's id (keys.delivery_job_id): what ``deliveries retry`` names
    alert: dict[str, Any] = field(default_factory=dict)
    channel: str = ""
    error: str = ""
    error_type: str | None = None
    attempts: int = 0
    at: str = ""

    @property
    def rule(self) -> str | None:
        return self.alert.get("rule")

    @property
    def article(self) -> dict[str, Any]:
        return self.alert.get("article") or {}
