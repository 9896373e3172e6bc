"""The rule editor's work: check a rule's YAML, try it on recent stored articles, save it.

Check gives exactly the problems ``rules check`` gives (the same loader), plus the one problem
only the folder can show: a rule name another file already uses, which would make the whole
folder invalid on reload. Test matches the events stored when each article was read, as
``backtest --since`` does, so the daemon needs no classifier for it. Save writes a temporary
file in the rules folder and renames it over the rule file: the hot reload, which reads only
``*.yaml``/``*.yml``, sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Collection, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import redis

from monitor import keys
from monitor.errors import RuleError, RuleSetError
from monitor.models import Article
from monitor.redisconn import as_str
from monitor.rules.compiled import RuleSet
from monitor.rules.load import RULE_SUFFIXES, parse_rule_file, parse_rule_text, rule_files
from monitor.rules.match import match_rule
from monitor.rules.schema import Rule
from monitor.yamlpos import load_yaml

UNSAVED = "rule.yaml"  # how check names a rule that has no file yet
_WHERE = re.compile(r":(\d+)(?::(\d+))?$")


@dataclass(frozen=True, slots=True)
class Problem:
    line: int | None
    column: int | None
    message: str
    text: str  # the line ``rules check`` prints: file:line:column: message

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def problem_of(error: RuleError, file: str) -> Problem:
    line = column = None
    if error.subject.startswith(file):
        m = _WHERE.match(error.subject[len(file) :])
        if m:
            line, column = int(m.group(1)), int(m.group(2)) if m.group(2) else None
    return Problem(line, column, error.message, str(error))


def file_label(name: str | None) -> str:
    return f"{name}.yaml" if name else UNSAVED


def check_rule(
    text: str,
    channels: Collection[str] | None,
    folder: Path | None = None,
    name: str | None = None,
) -> tuple[Rule | None, list[Problem]]:
    """The rule, or every problem with its line and column. With ``folder``, a rule whose
    name another file of the folder uses is a problem too (``name``: the file being edited)."""
    label = file_label(name)
    try:
        rule = parse_rule_text(text, label, channels)
    except RuleSetError as exc:
        return None, [problem_of(p, label) for p in exc.problems]
    clash = _name_used_elsewhere(rule.name, folder, name) if folder else None
    if clash:
        _, positions = load_yaml(text, label)
        where = positions.where(("name",))
        error = RuleError(where, f"rule name {rule.name!r} is also used in {clash}")
        return None, [problem_of(error, label)]
    return rule, []


def _name_used_elsewhere(rule_name: str, folder: Path, name: str | None) -> str | None:
    if not folder.is_dir():
        return None
    for path in rule_files(folder):
        if name is not None and path.stem == name:
            continue
        try:
            if parse_rule_file(path).name == rule_name:
                return path.name
        except RuleSetError:
            continue  # a broken file names no rule; rules check reports it on its own
    return None


# --- test on stored articles -------------------------------------------------------------
def recent_articles(r: redis.Redis, since_s: float, limit: int) -> Iterator[Article]:
    """Stored articles fetched within ``since_s``, newest first, at most ``limit``."""
    ids = r.zrevrangebyscore(keys.articles_index(), "+inf", time.time() - since_s, 0, limit)
    for aid in ids:
        raw = r.get(keys.article(as_str(aid)))
        if raw:
            yield Article.from_dict(json.loads(as_str(raw)))


def try_rule(rule: Rule, articles: Iterator[Article]) -> dict[str, Any]:
    """Which articles the rule fires on, each with the explanation ``rules test`` gives.
    Matching only: the once-per-story, window and cooldown steps depend on arrival order."""
    compiled = RuleSet([rule]).compiled[0]
    fired, seen = [], 0
    for article in articles:
        seen += 1
        m = match_rule(compiled, article)
        if m.fired:
            fired.append(
                {
                    "id": article.id,
                    "url": article.url,
                    "title": article.title,
                    "source": article.source,
                    "published": article.published,
                    "fetched_at": article.fetched_at,
                    "explain": list(m.reasons),
                    "events": [e.to_dict() for e in m.events],
                    "matched": list(m.matched),
                }
            )
    return {"rule": rule.name, "articles": seen, "fired": fired}


# --- files ---------------------------------------------------------------------------------
def rule_path(folder: Path, name: str) -> Path:
    """``<name>.yaml``, or the ``.yml`` file that already holds the rule."""
    for suffix in RULE_SUFFIXES:
        path = folder / f"{name}{suffix}"
        if path.is_file():
            return path
    return folder / f"{name}.yaml"


def etag_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def read_rule(folder: Path, name: str) -> tuple[Path, str] | None:
    path = rule_path(folder, name)
    try:
        return path, path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def write_atomically(path: Path, text: str) -> None:
    """Temporary file beside the target, fsync, rename over it; the old mode is kept."""
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a crash
    finally:
        os.close(dir_fd)
