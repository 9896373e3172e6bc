"""Hot reload: the rules folder is re-read when its content changes, and a bad edit never wins.

The fingerprint is a hash of every rule file's name and bytes (not mtimes: an editor can write
twice within one second), cheap for the tens of small files a rules folder holds.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection
from pathlib import Path

import redis

from monitor import keys
from monitor.errors import RuleSetError
from monitor.redisconn import as_str
from monitor.rules.compiled import RuleSet
from monitor.rules.load import load_rules, rule_files
from monitor.rules.publish import publish_ruleset

log = logging.getLogger("newsmonitor.rules")


def folder_fingerprint(folder: Path) -> str:
    h = hashlib.sha256()
    try:
        for path in rule_files(folder):
            h.update(path.name.encode() + b"\0")
            try:
                h.update(path.read_bytes())
            except OSError:
                h.update(b"\0unreadable")
    except OSError:
        h.update(b"\0missing")
    return h.hexdigest()


class RulesWatcher:
    def __init__(self, folder: Path, channels: Collection[str], r: redis.Redis) -> None:
        self.folder = folder
        self.channels = set(channels)
        self.r = r
        self.fingerprint: str | None = None
        self.ruleset: RuleSet | None = None

    def load_initial(self, publish: bool = True) -> RuleSet:
        """Raises RuleSetError: at start, invalid rules stop the daemon. A standby daemon
        (``publish=False``) validates its rules but leaves the leader's in force."""
        self.fingerprint = folder_fingerprint(self.folder)
        self.ruleset = load_rules(self.folder, self.channels)
        if publish or self.r.hget(keys.ruleset(), "hash") is None:
            publish_ruleset(self.r, self.ruleset)
        log.info("rules loaded: %d rule(s), hash %s", len(self.ruleset), self.ruleset.hash)
        return self.ruleset

    def check(self) -> bool:
        """Reload if the folder changed; True if a new ruleset was published. Also puts the
        last good ruleset back when Redis lost it or another daemon overwrote it."""
        fp = folder_fingerprint(self.folder)
        if fp == self.fingerprint:
            return self._republish_if_lost()
        return self._reload(fp)

    def _republish_if_lost(self) -> bool:
        if self.ruleset is None or as_str(self.r.hget(keys.ruleset(), "hash")) == self.ruleset.hash:
            return False
        publish_ruleset(self.r, self.ruleset)
        log.warning(
            "the published ruleset was missing or not ours; republished %s", self.ruleset.hash
        )
        return True

    def _reload(self, fp: str) -> bool:
        self.fingerprint = fp
        try:
            ruleset = load_rules(self.folder, self.channels)
        except RuleSetError as exc:
            kept = (
                f"{len(self.ruleset)} rule(s), hash {self.ruleset.hash}" if self.ruleset else "none"
            )
            for problem in exc.problems:
                log.error("rules not reloaded: %s", problem)
            log.error("keeping the last good ruleset (%s)", kept)
            return False
        self.ruleset = ruleset
        changed = publish_ruleset(self.r, ruleset)
        if changed:
            log.info("rules reloaded: %d rule(s), hash %s", len(ruleset), ruleset.hash)
        return changed
