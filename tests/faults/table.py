"""The fault table: one row per scenario, printed at the end of the run (tests/faults/conftest.py)
and kept in ``artifacts/faults.md``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tests.faults.ledger import Tally

HEADER = (
    "scenario",
    "entries in",
    "alerts out",
    "lost",
    "duplicates",
    "recovery",
    "resends (same id)",
    "peak RSS",
)


@dataclass(frozen=True, slots=True)
class Row:
    scenario: str
    entries_in: int
    alerts_out: int
    lost: int
    duplicates: int
    recovery: float | None  # seconds from the end of the fault to the last alert; None: lost
    resends: int = 0
    peak_rss: float | None = None  # MB, the daemon and its workers together

    def cells(self) -> tuple[str, ...]:
        return (
            self.scenario,
            str(self.entries_in),
            str(self.alerts_out),
            str(self.lost),
            str(self.duplicates),
            "-" if self.recovery is None else f"{self.recovery:.1f} s",
            str(self.resends),
            "-" if self.peak_rss is None else f"{self.peak_rss:.0f} MB",
        )


def make_row(
    scenario: str,
    entries_in: int,
    counted: Tally,
    recovered_from: float | None,
    peak_rss: float | None = None,
) -> Row:
    """``recovered_from``: when the fault ended (the last kill, the server back, ...)."""
    recovery = None
    if counted.lost == 0 and counted.last is not None and recovered_from is not None:
        recovery = max(0.0, counted.last - recovered_from)
    return Row(
        scenario,
        entries_in,
        counted.alerts_out,
        counted.lost,
        counted.duplicates,
        recovery,
        counted.resends,
        peak_rss,
    )


def format_table(rows: Sequence[Row]) -> str:
    """A Markdown table (it reads in a terminal as well), with a totals line."""
    cells = [HEADER, *(r.cells() for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADER))]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    out = [line(HEADER), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(c) for c in cells[1:]]
    total = (
        f"{len(rows)} scenarios: {sum(r.entries_in for r in rows)} entries in, "
        f"{sum(r.alerts_out for r in rows)} alerts out, {sum(r.lost for r in rows)} lost, "
        f"{sum(r.duplicates for r in rows)} duplicates, {sum(r.resends for r in rows)} resends"
    )
    return "\n".join([*out, "", total])
