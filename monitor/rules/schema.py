"""The rule schema (``version: 1``): frozen pydantic models that reject unknown keys.

Conditions under ``match`` must all hold. Regexes are compiled once at load time so a bad one
fails the load (with file:line:column), never the first article that reaches it; event types,
weapons, sides and statuses must be values of the event vocabulary (monitor/vocabulary.py), so
a misspelt one fails the load too instead of never matching. What a load makes of the validated
rules (compiled regexes, the ruleset and its hash) is monitor/rules/compiled.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema, WithJsonSchema

from monitor.durations import Duration
from monitor.rules.counts import Count
from monitor.vocabulary import EVENT_TYPES, SIDES, STATUSES, WEAPONS
from monitor.yamlpos import did_you_mean


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


Check = Callable[[tuple[str, ...] | None, ValidationInfo], tuple[str, ...] | None]
# Rules read back from Redis were checked by the daemon that published them; a worker of
# another version judging them by its own vocabulary would fail every job, not one rule.
PUBLISHED = "published"


def _one_of(what: str, known: tuple[str, ...]) -> Check:
    """A validator that refuses any value outside ``known``, naming it, the closest known
    value and all of them."""

    def check(v: tuple[str, ...] | None, info: ValidationInfo) -> tuple[str, ...] | None:
        if info.context and info.context.get(PUBLISHED):
            return v
        for x in v or ():
            if x not in known:
                raise ValueError(
                    f"unknown {what} {x!r}{did_you_mean(x, known)} (known: {', '.join(known)})"
                )
        return v

    return check


def _lower(v: tuple[str, ...] | None) -> tuple[str, ...] | None:
    return tuple(x.lower() for x in v) if v else v


def _any_case(known: tuple[str, ...]) -> str:
    """A pattern that takes each known value in any case: ``[dD][rR][oO][nN][eE]|...``."""
    alts = (
        "".join(f"[{c}{c.upper()}]" if c.isalpha() else re.escape(c) for c in value)
        for value in known
    )
    return f"^(?:{'|'.join(alts)})$"


def _listed(known: tuple[str, ...]) -> BeforeValidator:
    """One value of ``known`` or a list of them, as a tuple. The JSON Schema lists the values
    for editors and, as the loader (which lower-cases them), takes other cases of them too."""
    one = {"type": "string", "anyOf": [{"enum": list(known)}, {"pattern": _any_case(known)}]}
    name: Any = Annotated[str, WithJsonSchema(one)]
    return BeforeValidator(_listify, json_schema_input_type=name | list[name])


Regex = Annotated[str | None, AfterValidator(_regex)]
EventTypes = Annotated[EventList | None, AfterValidator(_one_of("event type", EVENT_TYPES))]
LowerList = Annotated[StrList | None, AfterValidator(_lower)]
Weapons = Annotated[
    Annotated[tuple[str, ...], _listed(WEAPONS)] | None,
    AfterValidator(_lower),
    AfterValidator(_one_of("weapon", WEAPONS)),
]
Sides = Annotated[
    Annotated[tuple[str, ...], _listed(SIDES)] | None,
    AfterValidator(_lower),
    AfterValidator(_one_of("side", SIDES)),
]
Statuses = Annotated[
    Annotated[tuple[str, ...], _listed(STATUSES)] | None,
    AfterValidator(_lower),
    AfterValidator(_one_of("status", STATUSES)),
]

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
    weapon: Weapons = None
    side: Sides = None
    status: Statuses = None
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
