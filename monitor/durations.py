"""Durations as users write them: ``30s``, ``2m``, ``1h``, ``7d``, or a bare number of seconds."""

from __future__ import annotations

import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")


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
