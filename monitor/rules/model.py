"""The rule schema (``version: 1``): frozen pydantic models that reject unknown keys.

Conditions under ``match`` must all hold. Regexes are compiled once at load time so a bad one
fails the load (with file:line:column), never the first article that reaches it.
"""

from __future__ import annotations

import hashlib
import json
import operator
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

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

_OPS: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
    "=": operator.eq,
}
_COUNT_RE = re.compile(r"^\s*(>=|<=|==|=|>|<)?\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$")


def _listify(v: Any) -> Any:
    return [v] if isinstance(v, str) else v


StrList = Annotated[tuple[str, ...], BeforeValidator(_listify)]


class CountCondition(BaseModel):
    """``">= 100"``, ``"< 10"``, ``"100..500"`` (inclusive) or ``100`` (exactly)."""

    model_config = ConfigDict(frozen=True)
    text: str
    low: int | None = None
    high: int | None = None
    op: str = "=="
    value: int = 0

    def holds(self, count: int | None) -> bool:
        if count is None:
            return False
        if self.low is not None and self.high is not None:
            return self.low <= count <= self.high
        return _OPS[self.op](count, self.value)


def parse_count(v: Any) -> Any:
    if v is None or isinstance(v, CountCondition | dict):
        return v
    if isinstance(v, bool):
        raise ValueError(f"not a count condition: {v!r}")
    m = _COUNT_RE.match(str(v))
    if not m:
        raise ValueError(f"not a count condition: {v!r} (write e.g. '>= 100', '< 10', '100..500')")
    op, a, b = m.groups()
    if b is not None:
        if op:
            raise ValueError(f"a range takes no operator: {v!r}")
        if int(b) < int(a):
            raise ValueError(f"empty range: {v!r}")
        return CountCondition(text=str(v), low=int(a), high=int(b))
    return CountCondition(text=str(v), op=op or "==", value=int(a))


class Match(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str | None = None
    title: str | None = None
    lang: StrList | None = None
    feed: StrList | None = None
    event: StrList | None = None
    count: Annotated[CountCondition | None, BeforeValidator(parse_count)] = None

    @field_validator("text", "title")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"bad regex {v!r}: {exc}") from exc
        return v

    @field_validator("event")
    @classmethod
    def _types(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for t in v or ():
            if t not in EVENT_TYPES:
                raise ValueError(f"unknown event type {t!r}; known: {', '.join(EVENT_TYPES)}")
        return v

    @field_validator("lang")
    @classmethod
    def _langs(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return tuple(x.lower() for x in v) if v else v


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str | None = None
    match: Match
    notify: StrList = Field(min_length=1)
    severity: Literal["info", "warning", "critical"] = "info"
    source: str = Field(default="", exclude=True)  # file:line, for messages

    @field_validator("match", mode="before")
    @classmethod
    def _not_empty(cls, v: Any) -> Any:
        if isinstance(v, dict) and not v:
            raise ValueError("match needs at least one condition")
        return v

    def compiled(self) -> CompiledRule:
        return _compile(self)


class CompiledRule:
    """A rule with its regexes compiled; built once per ruleset load."""

    __slots__ = ("rule", "text_re", "title_re")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.text_re = re.compile(rule.match.text) if rule.match.text else None
        self.title_re = re.compile(rule.match.title) if rule.match.title else None


def _compile(rule: Rule) -> CompiledRule:
    return CompiledRule(rule)


class RuleSet:
    """The validated rules of one load, with a content hash that workers compare."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = tuple(sorted(rules, key=lambda r: r.name))
        self.compiled = tuple(r.compiled() for r in self.rules)
        self.hash = hashlib.sha256(self.to_json().encode()).hexdigest()[:16]

    def to_json(self) -> str:
        return json.dumps(
            [r.model_dump(mode="json") | {"source": r.source} for r in self.rules],
            sort_keys=True,
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> RuleSet:
        return cls([Rule.model_validate(d) for d in json.loads(text)])

    def __len__(self) -> int:
        return len(self.rules)
