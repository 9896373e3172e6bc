"""Quiet hours in a rule's own time zone: the entry job holds alerts in them, and the daemon's
digest flush waits for their end, so both sides read them from the core."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from monitor.rules.schema import QuietHours


def in_quiet_hours(q: QuietHours, now: float) -> bool:
    local = datetime.fromtimestamp(now, ZoneInfo(q.tz)).strftime("%H:%M")
    return q.start <= local < q.end if q.start < q.end else local >= q.start or local < q.end


def quiet_hours_end(q: QuietHours, now: float) -> float:
    tz = ZoneInfo(q.tz)
    local = datetime.fromtimestamp(now, tz)
    h, m = map(int, q.end.split(":"))
    end = local.replace(hour=h, minute=m, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end.timestamp()
