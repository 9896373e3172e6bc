"""The rule schema (``version: 1``): frozen pydantic models that reject unknown keys.

Conditions under ``match`` must all hold. Regexes are compiled once at load time so a bad one
fails the load (with file:line:column), never the first article that reaches it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from monitor.durations import Duration
from monitor.rules.counts import Count

EVENT_TYPES = (
    "attack",
    "combat",
    "interception",
    "casualties",
    "territorial_change",
    "negotiation",
    "ceasefire",
    "prisoner_exchange",
    "troop_deployment",
    "sanctions",
    "infrastructure",
)


def _listify(v: Any) -> Any:
    return [v] if isinstance(v, str) else v


StrList = Annotated[
    tuple[str, ...], BeforeValidator(_listify, json_schema_input_type=str | list[str])
]
# Literal[...] of EVENT_TYPES, built at run time so that tuple stays the one list of types.
_EVENT_NAME: Any = Literal.__getitem__(EVENT_TYPES)
EventList = Annotated[
    tuple[str, ...],
    BeforeValidator(_listify, json_schema_input_type=_EVENT_NAME | list[_EVENT_NAME]),
]
NonEmpty = Annotated[str, Field(min_length=1)] | Annotated[list[str], Field(min_length=1)]
NotifyList = Annotated[tuple[str, ...], BeforeValidator(_listify, json_schema_input_type=NonEmpty)]


def _regex(v: str | None) -> str | None:
    if v is not None:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"bad regex {v!r}: {exc}") from exc
    return v


def _event_types(v: tuple[str, ...] | None) -> tuple[str, ...] | None:
    for t in v or ():
        if t not in EVENT_TYPES:
            raise ValueError(f"unknown event type {t!r}; known: {', '.join(EVENT_TYPES)}")
    return v


def _lower(v: tuple[str, ...] | None) -> tuple[str, ...] | None:
    return tuple(x.lower() for x in v) if v else v


Regex = Annotated[str | None, AfterValidator(_regex)]
EventTypes = Annotated[EventList | None, AfterValidator(_event_types)]
LowerList = Annotated[StrList | None, AfterValidator(_lower)]

ARTICLE_FIELDS = ("text", "title", "lang", "feed", "source")
EVENT_FIELDS = ("event", "count", "approx", "weapon", "side", "status", "location")
BLOCK_FIELDS = ("any", "all", "not_")


class Condition(BaseModel):
    """One block of conditions; all given keys must hold.

    Event keys (event, count, approx, weapon, side, status, location) must hold on one and the
    same event of the article; article keys (text, title, lang, feed, source) on the article;
    ``any``/``all``/``not`` combine nested blocks of the same shape.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={"minProperties": 1},  # _not_empty, as far as a schema can say it
    )

    text: Regex = None
    title: Regex = None
    lang: LowerList = None
    feed: StrList | None = None
    source: StrList | None = None
    event: EventTypes = None
    count: Count = None
    approx: bool | None = None
    weapon: LowerList = None
    side: LowerList = None
    status: LowerList = None
    location: StrList | None = None
    any: tuple[Condition, ...] | None = Field(default=None, min_length=1)
    all: tuple[Condition, ...] | None = Field(default=None, min_length=1)
    not_: Condition | None = Field(default=None, alias="not")
    # Not about articles: the rule fires when a feed (filtered by ``feed``) produced nothing
    # for this many times its usual gap between entries. Checked by the daemon every minute.
    feed_silent: float | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        keys = (*ARTICLE_FIELDS, *EVENT_FIELDS, *BLOCK_FIELDS, "feed_silent")
        if all(getattr(self, f) is None for f in keys):
            raise ValueError("a match block needs at least one condition")
        if self.feed_silent is not None:
            others = [f for f in (*ARTICLE_FIELDS, *EVENT_FIELDS, *BLOCK_FIELDS) if f != "feed"]
            extra = [f.rstrip("_") for f in others if getattr(self, f) is not None]
            if extra:
                raise ValueError(
                    f"@feed_silent feed_silent is about feeds, not articles: it combines only "
                    f"with feed, not with {', '.join(extra)}"
                )
        return self

    def has_event_keys(self) -> bool:
        return any(getattr(self, f) is not None for f in EVENT_FIELDS)


class Window(BaseModel):
    """Fire when ``count`` matching articles (or stories) arrive within ``within``, per group."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    count: int = Field(ge=1)
    within: Duration
    group_by: Literal["location", "source", "feed", "event", "lang"] | None = None
    of: Literal["articles", "stories"] = "articles"


_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class QuietHours(BaseModel):
    """No messages between ``from`` and ``to`` (local time in ``tz``); then digest or drop."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    start: str = Field(alias="from", json_schema_extra={"pattern": _HHMM.pattern})
    end: str = Field(alias="to", json_schema_extra={"pattern": _HHMM.pattern})
    tz: str = "UTC"
    then: Literal["digest", "drop"] = "digest"

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not _HHMM.match(str(v)):
            raise ValueError(f"not a time of day: {v!r} (write HH:MM, e.g. 23:00)")
        return str(v)

    @field_validator("tz")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {v!r} (e.g. Europe/Amsterdam)") from exc
        return v


class Template(BaseModel):
    """Jinja2 (sandboxed) subject and body; absent parts use the default message."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    subject: str | None = None
    body: str | None = None

    @model_validator(mode="after")
    def _compiles(self) -> Template:
        from monitor.rules.template import check_template

        for part in (self.subject, self.body):
            if part is not None:
                check_template(part)
        return self


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str | None = None
    match: Condition
    notify: NotifyList = Field(min_length=1)
    severity: Literal["info", "warning", "critical"] = "info"
    once_per: Literal["story", "article"] = "story"
    update_when: Literal["count_increases"] | None = None
    min_sources: int = Field(default=1, ge=1)
    within: Duration | None = None
    window: Window | None = None
    new_for: Duration | None = None
    cooldown: Duration | None = None
    quiet_hours: QuietHours | None = None
    digest: Duration | None = None
    template: Template | None = None
    # file:line, for messages; set by the loader, never written in a rule file.
    source: SkipJsonSchema[str] = Field(default="", exclude=True)

    @model_validator(mode="after")
    def _coherent(self) -> Rule:
        if self.within is not None and self.min_sources < 2:
            raise ValueError("@within within goes with min_sources (2 or more)")
        if self.min_sources > 1 and self.within is None:
            raise ValueError("@min_sources min_sources needs within (e.g. within: 6h)")
        if self.update_when and self.once_per != "story":
            raise ValueError("@update_when update_when needs once_per: story")
        return self

    def compiled(self) -> CompiledRule:
        return CompiledRule(self)


class CompiledRule:
    """A rule with its regexes compiled; built once per ruleset load."""

    __slots__ = ("event_keys", "event_types", "regexes", "rule")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.regexes: dict[str, re.Pattern[str]] = {}
        self.event_keys: dict[int, bool] = {}  # id(condition) -> has event keys
        _collect_regexes(rule.match, self.regexes, self.event_keys)
        self.event_types = required_event_types(rule.match)


def _collect_regexes(
    cond: Condition, out: dict[str, re.Pattern[str]], event_keys: dict[int, bool]
) -> None:
    event_keys[id(cond)] = cond.has_event_keys()
    for rx in (cond.text, cond.title):
        if rx is not None and rx not in out:
            out[rx] = re.compile(rx)
    for sub in (*(cond.any or ()), *(cond.all or ()), *((cond.not_,) if cond.not_ else ())):
        _collect_regexes(sub, out, event_keys)


def required_event_types(cond: Condition) -> frozenset[str] | None:
    """Event types of which the article must hold one for the rule to fire; None: any article.

    Used to index rules, so an article meets only the rules that can match it.
    """
    own = (
        frozenset(cond.event)
        if cond.event
        else (frozenset(EVENT_TYPES) if cond.has_event_keys() else None)
    )
    subs: list[frozenset[str] | None] = []
    if cond.all:
        subs.extend(required_event_types(c) for c in cond.all)
    options: frozenset[str] | None = None
    if cond.any:
        alts = [required_event_types(c) for c in cond.any]
        options = None if any(a is None for a in alts) else frozenset().union(*alts)  # type: ignore[arg-type]
    narrowed = [x for x in (own, options, *subs) if x is not None]
    if not narrowed:
        return None
    result = narrowed[0]
    for x in narrowed[1:]:
        result = result & x
    return result


class RuleSet:
    """The validated rules of one load, with a content hash that workers compare."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = tuple(sorted(rules, key=lambda r: r.name))
        self.compiled = tuple(r.compiled() for r in self.rules)
        self.matcher: object | None = None  # its index, built on first use (rules/index.py)
        self._names = {r.name: r for r in self.rules}
        self.hash = hashlib.sha256(self._json(with_source=False).encode()).hexdigest()[:16]

    def to_json(self) -> str:
        """The published form: the rules with the file:line each came from, for messages."""
        return self._json(with_source=True)

    def _json(self, *, with_source: bool) -> str:
        """The hash leaves ``source`` out: it holds the folder path as it was typed (relative,
        absolute, from another cwd), and the same rules must give the same hash wherever and
        however their folder is named, or daemons would republish and workers reload for
        nothing."""
        rows = [r.model_dump(mode="json") for r in self.rules]
        if with_source:
            rows = [row | {"source": r.source} for row, r in zip(rows, self.rules, strict=True)]
        return json.dumps(rows, sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> RuleSet:
        return cls([Rule.model_validate(d) for d in json.loads(text)])

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, name: str) -> Rule | None:
        return self._names.get(name)
