"""Count conditions of a rule: ``">= 100"``, ``"< 10"``, ``"100..500"`` or ``42``.

Parsed once when the rule loads into a CountCondition, which ``holds`` for an event's count.
COUNT_PATTERN is the same language for a JSON Schema (``newsmonitor rules schema``).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

_OPS: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
    "=": operator.eq,
}
_COUNT_RE = re.compile(r"^\s*(>=|<=|==|=|>|<)?\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$")
# An operator with one number, or a range without one. An empty range ("500..100") passes the
# pattern; parse_count refuses it.
COUNT_PATTERN = r"^\s*(?:(?:>=|<=|==|=|>|<)?\s*\d+|\d+\s*\.\.\s*\d+)\s*$"


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


# What a user may write (the JSON Schema shows this); the model holds a CountCondition.
CountInput = Annotated[int, Field(ge=0)] | Annotated[str, Field(pattern=COUNT_PATTERN)]
Count = Annotated[
    CountCondition | None, BeforeValidator(parse_count, json_schema_input_type=CountInput | None)
]
