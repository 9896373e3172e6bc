"""pydantic's validation errors as sentences a user can act on: the field, what is wrong, the value.

``str()`` of a pydantic ValidationError spreads one problem over several lines and ends with
"For further information visit https://errors.pydantic.dev/..."; a command that printed its
last line showed that URL and lost the reason. Everything user-facing (config, rules, command
arguments) goes through ``describe`` instead, which never shows the URL and names the value
when pydantic's message does not already.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

MAX_SHOWN = 80  # longer values are cut: the field and the reason matter more than all of it
_VALUE_PREFIX = "Value error, "
# pydantic messages that speak of Python classes rather than of what the user wrote
_PLAIN = {"path_type": "not a file or folder path"}


def shown_value(value: object) -> str | None:
    """``repr`` of a scalar value, cut to MAX_SHOWN; None for a mapping or list (the whole
    block is not "the value" a user would look for)."""
    if not isinstance(value, str | int | float | bool | None):
        return None
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def describe(err: Mapping[str, Any]) -> str:
    """One pydantic error (from ``exc.errors()``) as a message, with the value it rejected."""
    etype = err["type"]
    if etype == "union_tag_invalid":
        ctx = err.get("ctx") or {}
        key = str(ctx.get("discriminator", "type")).strip("'")
        return f"unknown {key} {ctx.get('tag')!r} (expected one of {ctx.get('expected_tags')})"
    msg = _PLAIN.get(etype) or str(err["msg"]).removeprefix(_VALUE_PREFIX)
    if etype == "missing":
        return msg
    value = shown_value(err.get("input"))
    if value is None or value in msg or msg.startswith("@"):
        return msg
    return f"{msg}, got {value}"


def field_problems(exc: ValidationError, names: Mapping[str, str] | None = None) -> list[str]:
    """``"field: message"`` per error; ``names`` renames fields (to a command's option names)."""
    out = []
    for err in exc.errors(include_url=False):
        field = ".".join(str(p) for p in err["loc"]) or "(value)"
        out.append(f"{(names or {}).get(field, field)}: {describe(err)}")
    return out
