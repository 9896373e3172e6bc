"""Durations as users write them: ``30s``, ``2m``, ``1h``, ``7d``, or a bare number of seconds."""

from __future__ import annotations

import argparse
import re
from typing import Annotated

from pydantic import BeforeValidator, Field

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
# The same forms for a JSON Schema, which cannot call parse_duration: the lookahead refuses a
# zero ("0s"), as parse_duration does. Both Python's re and JavaScript (editors) read it alike.
DURATION_PATTERN = r"^\s*(?=[^1-9]*[1-9])\d+(?:\.\d+)?\s*[smhdw]?\s*$"
DELAY_PATTERN = r"^\s*\d+(?:\.\d+)?\s*[smhdw]?\s*$"  # the same, zero allowed


def parse_duration(value: object, allow_zero: bool = False) -> float:
    """Seconds; raises ValueError with the accepted forms. Zero only with ``allow_zero``."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        m = _RE.match(str(value))
        if not m:
            raise ValueError(f"not a duration: {value!r} (write e.g. 30s, 2m, 1h, 7d)")
        seconds = float(m.group(1)) * _UNITS[m.group(2) or "s"]
    if seconds < 0 or (seconds == 0 and not allow_zero):
        need = "zero or more" if allow_zero else "positive"
        raise ValueError(f"duration must be {need}: {value!r}")
    return seconds


def format_duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


# What a user may write for a duration (the JSON Schema shows this); the model holds seconds.
DurationInput = Annotated[float, Field(gt=0)] | Annotated[str, Field(pattern=DURATION_PATTERN)]
Duration = Annotated[float, BeforeValidator(parse_duration, json_schema_input_type=DurationInput)]


def parse_delay(value: object) -> float:
    return parse_duration(value, allow_zero=True)


# A wait that may be zero (a retry at once).
DelayInput = Annotated[float, Field(ge=0)] | Annotated[str, Field(pattern=DELAY_PATTERN)]
Delay = Annotated[float, BeforeValidator(parse_delay, json_schema_input_type=DelayInput)]


def duration_arg(value: str) -> float:
    """``type=`` for a command-line duration: argparse shows an ArgumentTypeError's message but
    replaces a ValueError's with "invalid value", which would hide the accepted forms."""
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
