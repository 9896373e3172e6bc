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


ORDER = ("test_kills.py", "test_outages.py", "test_hostile.py")  # as the issue lists them


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Kills, then outages, then hostile input (a stable sort keeps each module together)."""

    def rank(item: pytest.Item) -> int:
        here = item.path.parent == Path(__file__).parent and item.path.name in ORDER
        return ORDER.index(item.path.name) if here else -1

    items.sort(key=rank)


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
