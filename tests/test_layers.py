"""The layering holds: imports go one way, and no module grows past 300 lines.

Read with ``ast`` (every import statement, also those inside functions), so a lazy import
cannot hide a dependency the wrong way. The map is in the README's Architecture section:
the core and the daemon side (monitor/) never import the jobs (workers/); only the CLI
(monitor/cli.py, monitor/commands/) sees both; the jobs never import the CLI; the classifier
(workers/classify/) is pure: no Redis, no queue, no HTTP client.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 300
CLI = ("monitor/cli.py", "monitor/commands/")
IO_CLIENTS = ("redis", "rq", "httpx", "requests", "urllib.request", "http.client", "smtplib")


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def imported(path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted module) of every import in the file, relative ones resolved."""
    package = path.relative_to(ROOT).parts[:-1] if path.is_relative_to(ROOT) else ()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, module
            for alias in node.names:  # "from monitor import cli" imports monitor.cli
                yield node.lineno, f"{module}.{alias.name}"


def _under(module: str, roots: tuple[str, ...]) -> bool:
    return any(module == r or module.startswith(r + ".") for r in roots)


def offences(folder: str, banned: tuple[str, ...], exempt: tuple[str, ...] = ()) -> list[str]:
    out = []
    for path in _modules(folder):
        rel = _rel(path)
        if rel.startswith(exempt):
            continue
        out += [f"{rel}:{line} imports {mod}" for line, mod in imported(path) if _under(mod, banned)]
    return out


def test_the_core_and_the_daemon_never_import_the_jobs() -> None:
    assert offences("monitor", ("workers",), exempt=CLI) == []


def test_the_jobs_never_import_the_cli() -> None:
    assert offences("workers", ("monitor.cli", "monitor.commands")) == []


def test_the_classifier_does_no_io() -> None:
    assert offences("workers/classify", IO_CLIENTS) == []


@pytest.mark.parametrize("folder", ["monitor", "workers"])
def test_every_module_stays_under_300_lines(folder: str) -> None:
    long = {_rel(p): n for p in _modules(folder)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_check_sees_a_wrong_way_import(tmp_path: Path) -> None:
    """The reader itself: a lazy, a relative and a from-package import are all seen."""
    src = tmp_path / "m.py"
    src.write_text("def f():\n    from workers import jobs\n    import rq.job\nfrom . import x\n")
    found = [m for _, m in imported(src)]
    assert "workers.jobs" in found and "rq.job" in found


def test_every_import_of_our_own_modules_resolves() -> None:
    """mypy skips what it cannot find (ignore_missing_imports) and does not read tests/ or
    bench/: a module moved without its importers would only fail when that line runs."""
    missing = [f"{_rel(path)}:{line} {mod}"
               for folder in ("monitor", "workers", "tests", "bench")
               for path in _modules(folder)
               for line, mod in imported(path)
               if _under(mod, ("monitor", "workers")) and not _resolves(mod)]
    assert missing == []


def _resolves(dotted: str) -> bool:
    """A module, or a name a module defines (``from monitor.keys import PREFIX``)."""
    try:
        importlib.import_module(dotted)
        return True
    except ImportError:
        pass
    module, _, name = dotted.rpartition(".")
    try:
        return hasattr(importlib.import_module(module), name)
    except ImportError:
        return False


def test_the_job_paths_the_producers_name_are_the_jobs() -> None:
    """The core names job functions by dotted path (it may not import workers/); RQ stores
    those strings in queued jobs, so a moved job must keep its path."""
    from rq.utils import import_attribute

    from monitor import producers
    from workers import deliver, jobs, retries

    assert import_attribute(producers.ENTRY_JOB) is jobs.process_entry
    assert import_attribute(producers.ENTRY_FAILURE_CALLBACK) is retries.on_entry_failure
    assert import_attribute(producers.DELIVERY_JOB) is deliver.deliver
    assert import_attribute(producers.DELIVERY_FAILURE_CALLBACK) is deliver.on_delivery_failure
