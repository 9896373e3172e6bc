"""The fault suite's fixtures, and the one table it prints at the end of a run.

Scenarios marked ``faults`` are long and left out of a plain ``pytest`` run (pyproject's
addopts); ``make faults`` runs them all together with the fast ones, which ``make test`` runs.
Each scenario records one row; the table goes to the terminal and to ``artifacts/faults.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.faults.table import Row, format_table

ROWS = pytest.StashKey[list[Row]]()
ARTIFACT = Path(__file__).resolve().parents[2] / "artifacts" / "faults.md"


@pytest.fixture
def record_row(request: pytest.FixtureRequest) -> Callable[[Row], None]:
    """Add a scenario's row to the table (before its assertions, so a failure shows too)."""
    return request.config.stash.setdefault(ROWS, []).append


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    rows = config.stash.get(ROWS, [])
    if not rows:
        return
    table = format_table(rows)
    terminalreporter.write_sep("=", "fault table")
    terminalreporter.write_line(table)
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(table + "\n")
    terminalreporter.write_line(f"(also in {ARTIFACT})")
