"""Load per-language YAML files into frozen, compiled lexicons, once per process.

Language knowledge is data: ``workers/classify/lang/<code>.yaml`` ships Dutch and English, and
folders named in ``NEWSMONITOR_LANG_DIRS`` (os.pathsep-separated) or passed as ``extra_dirs``
add or override languages without a code change. Files are validated when they load (unknown
keys, wrong shapes), so a typo fails at start, not silently at classification time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import simplemma
import yaml

from monitor.errors import ConfigError
from monitor.vocabulary import SIDES, STATUSES, WEAPONS
from workers.classify.lexicon.patterns import PatternSet
from workers.classify.lexicon.sections import (
    EMPTY_TIME,
    TimeSpec,
    add_context,
    add_senses,
    add_time,
    sense_refs,
)
from workers.classify.taxonomy import TYPES

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "lang"
ENV_DIRS = "NEWSMONITOR_LANG_DIRS"
WORD_CACHE_LIMIT = 100_000  # distinct tokens remembered per language by NumberSpec.is_word

TOP_KEYS = {
    "version", "lang", "lemmatizer", "numbers", "markers", "weapons", "sides", "types", "context",
    "time",
}
NUMBER_KEYS = {
    "thousands_separator", "decimal_separator", "spelled_parser", "words", "morphemes",
    "weak_one", "scales", "vague", "range_connectors", "range_openers", "range_joiners",
    "of_words", "joiners",
}
MARKER_KEYS = {
    "approx", "upper_bound", "part_before", "part_after", "negation", "hypothetical", "units",
    "months", "background", "cumulative", "function_words", "location_prepositions",
    "conflict", "exclude", "persons", "launch", "toll", "coordinators", "each_side",
    "impact", "earlier", "ceiling", "agent", "attribute", "part_frame", "wounded", "instrument",
    "additional", "rise", "whole_before", "uncounted", "states", "swapped_for", "times",
    "comparative",
}
TYPE_KEYS = {"cues", "count_nouns", "exclude", "status", "requires", "other_sense"}
NUMBER_WORD = "numword"  # a spelled number, as NumberSpec.is_word would answer
# A sentence with none of these labels yields no event and cannot show that the article is
# about armed conflict, so the classifier skips the rest of its labelling
# (patterns.PatternSet.has_key).
KEY_LABELS = ("cue:", "noun:", "conflict")
# Markers the classifier only reads per token (Scan.at_token, Scan.where), never as spans
# (Scan.by_label): the commonest labels, so leaving them out of the spans saves most work.
TOKEN_ONLY = ("function_words", "coordinators", "agent", "instrument", "additional", "states",
              "swapped_for", "times", "comparative",
              "time:reporting", "time:relative", "ctx:end", NUMBER_WORD)


class LexiconError(ConfigError):
    """A language file is malformed; the subject is the file, so the message points at it."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(str(path), message)
        self.path = path


@dataclass(frozen=True, slots=True)
class NumberSpec:
    """How one language writes numbers: separators, words, scales and ranges."""

    thousands: str
    decimal: str
    parser: str | None  # text2num language code for spelled numbers, if it has one
    words: Mapping[str, int]
    morphemes: tuple[str, ...]
    weak_one: frozenset[str]
    scales: Mapping[str, int]
    range_connectors: frozenset[str]
    range_openers: frozenset[str]
    range_joiners: frozenset[str]
    of_words: frozenset[str]
    joiners: frozenset[str]  # "one hundred and five": joins words after a scale
    # Answers of is_word, per token: a sentence asks about every token, an article about
    # the same few hundred again and again. Filled as tokens come; never part of equality.
    _word_cache: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def is_word(self, token: str) -> bool:
        """A spelled number: a number word or scale, words joined by "-", or only morphemes."""
        known = self._word_cache.get(token)
        if known is None:
            if len(self._word_cache) >= WORD_CACHE_LIMIT:
                self._word_cache.clear()
            known = self._word_cache[token] = self._spelled(token)
        return known

    def _spelled(self, token: str) -> bool:
        if token in self.words or token in self.scales:
            return True
        parts = token.split("-")
        if len(parts) > 1 and all(p in self.words for p in parts):
            return True
        rx = _morpheme_regex(self.morphemes)
        return bool(rx and rx.fullmatch(token))


@lru_cache(maxsize=32)
def _morpheme_regex(morphemes: tuple[str, ...]) -> re.Pattern[str] | None:
    """'zevenhonderdvijftig' is made only of morphemes; longest first so none is cut short."""
    alts = "|".join(sorted(map(re.escape, morphemes), key=len, reverse=True))
    return re.compile(f"(?:{alts})+") if alts else None


@dataclass(frozen=True, slots=True)
class Lexicon:
    """One language, compiled: a PatternSet whose labels the classifier reads."""

    lang: str
    patterns: PatternSet
    numbers: NumberSpec
    required: frozenset[str]  # types whose cues count only beside a ``requires`` pattern
    time: TimeSpec = EMPTY_TIME
    # type -> side ("before"/"after") -> marker labels that give a cue of it another sense
    sense_labels: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)


def _check_keys(path: Path, where: str, data: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise LexiconError(path, f"{where} must be a mapping")
    unknown = set(data) - allowed
    if unknown:
        raise LexiconError(
            path,
            f"unknown key(s) in {where}: {', '.join(sorted(unknown))}"
            f" (known: {', '.join(sorted(allowed))})",
        )
    return data


def _strings(values: Any, where: str) -> tuple[str, ...]:
    """Lower-cased patterns; YAML's bare no/on/yes (booleans) and numbers are rejected."""
    out = []
    for v in values or ():
        if not isinstance(v, str):
            raise ValueError(f"{where}: {v!r} is not a string (quote it)")
        out.append(v.lower())
    return tuple(out)


def _words(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return _strings(data.get(key), key)


def _numbers(path: Path, raw: Any) -> tuple[NumberSpec, dict[str, int]]:
    data = _check_keys(path, "numbers", raw or {}, NUMBER_KEYS)
    spec = NumberSpec(
        thousands=str(data.get("thousands_separator", ",")),
        decimal=str(data.get("decimal_separator", ".")),
        parser=data.get("spelled_parser"),
        words={str(k).lower(): int(v) for k, v in (data.get("words") or {}).items()},
        morphemes=_words(data, "morphemes"),
        weak_one=frozenset(_words(data, "weak_one")),
        scales={str(k).lower(): int(v) for k, v in (data.get("scales") or {}).items()},
        range_connectors=frozenset(_words(data, "range_connectors")),
        range_openers=frozenset(_words(data, "range_openers")),
        range_joiners=frozenset(_words(data, "range_joiners")),
        of_words=frozenset(_words(data, "of_words")),
        joiners=frozenset(_words(data, "joiners")),
    )
    vague = {str(k).lower(): int(v) for k, v in (data.get("vague") or {}).items()}
    return spec, vague


def _add_types(path: Path, patterns: PatternSet, raw: Any) -> None:
    types = _check_keys(path, "types", raw or {}, set(TYPES))
    for name, body in types.items():
        body = _check_keys(path, f"types.{name}", body or {}, TYPE_KEYS)
        patterns.add(f"cue:{name}", _words(body, "cues"))
        patterns.add(f"noun:{name}", _words(body, "count_nouns"))
        patterns.add(f"exclude:{name}", _words(body, "exclude"))
        patterns.add(f"requires:{name}", _words(body, "requires"))
        status = _check_keys(path, f"types.{name}.status", body.get("status") or {}, set(STATUSES))
        for state, cues in status.items():
            patterns.add(f"status:{name}:{state}", _strings(cues, f"{name}.{state}"))
        add_senses(patterns, name, body.get("other_sense"))


def _add_number_words(patterns: PatternSet, spec: NumberSpec) -> None:
    """Label the spelled numbers once per token, as written, so reading a sentence's numbers
    needs no per-token test: words and scales, words joined by "-", runs of morphemes."""
    words = sorted({*spec.words, *spec.scales}, key=len, reverse=True)
    if words:
        alt = "|".join(map(re.escape, words))
        patterns.add_regex(NUMBER_WORD, alt)
        plain = "|".join(map(re.escape, sorted(spec.words, key=len, reverse=True)))
        if plain:
            patterns.add_regex(NUMBER_WORD, f"(?:{plain})(?:-(?:{plain}))+")
    rx = _morpheme_regex(spec.morphemes)
    if rx is not None:
        patterns.add_regex(NUMBER_WORD, f"(?:{rx.pattern})")


def _lemmatizer(code: str | None) -> Callable[[str], str]:
    if not code:
        return lambda token: token
    return lambda token: simplemma.lemmatize(token, lang=code)


def parse_lexicon(path: Path, data: Any) -> Lexicon:
    """Validate one language file's parsed YAML and compile it."""
    try:
        return _parse(path, data)
    except (ValueError, TypeError) as exc:
        raise LexiconError(path, str(exc)) from exc


def _parse(path: Path, data: Any) -> Lexicon:
    data = _check_keys(path, "the file", data, TOP_KEYS)
    if data.get("version") != 1:
        raise LexiconError(path, "version: 1 is required")
    lang = str(data.get("lang") or path.stem)
    numbers, vague = _numbers(path, data.get("numbers"))
    patterns = PatternSet(_lemmatizer(data.get("lemmatizer")))
    markers = _check_keys(path, "markers", data.get("markers") or {}, MARKER_KEYS)
    for key in MARKER_KEYS:
        patterns.add(key, _words(markers, key))
    for group, known in (("weapons", WEAPONS), ("sides", SIDES)):
        for kind, cues in _check_keys(path, group, data.get(group) or {}, set(known)).items():
            patterns.add(f"{group[:-1]}:{kind}", _strings(cues, f"{group}.{kind}"))
    for phrase, value in vague.items():
        patterns.add(f"vague:{value}", [phrase])
    for word, value in numbers.scales.items():
        patterns.add(f"scale:{value}", [word])
    _add_number_words(patterns, numbers)
    _add_types(path, patterns, data.get("types"))
    add_context(patterns, data.get("context"))
    time = add_time(patterns, data.get("time"))
    patterns.compile(KEY_LABELS, TOKEN_ONLY)
    types = data.get("types") or {}
    required = frozenset(name for name, body in types.items() if (body or {}).get("requires"))
    senses = {name: sense_refs((body or {}).get("other_sense")) for name, body in types.items()}
    return Lexicon(lang=lang, patterns=patterns, numbers=numbers, required=required, time=time,
                   sense_labels=senses)


def lang_dirs(extra_dirs: Iterable[str | Path] = ()) -> tuple[Path, ...]:
    """The folders searched for language files, later ones overriding earlier ones."""
    env = [p for p in os.environ.get(ENV_DIRS, "").split(os.pathsep) if p]
    return (PACKAGE_DIR, *(Path(p) for p in env), *(Path(p) for p in extra_dirs))


@lru_cache(maxsize=8)
def _load_all(dirs: tuple[Path, ...]) -> dict[str, Lexicon]:
    found: dict[str, Lexicon] = {}
    for folder in dirs:
        for path in sorted(folder.glob("*.yaml")):
            with path.open(encoding="utf-8") as f:
                lexicon = parse_lexicon(path, yaml.safe_load(f))
            found[lexicon.lang] = lexicon
    return found


def load_lexicons(extra_dirs: Iterable[str | Path] = ()) -> dict[str, Lexicon]:
    """Every available language, compiled once per set of folders (cached)."""
    return _load_all(lang_dirs(extra_dirs))


def get_lexicon(lang: str | None, extra_dirs: Iterable[str | Path] = ()) -> Lexicon | None:
    """The lexicon for ``lang``, or None when no language file covers it."""
    if not lang:
        return None
    return load_lexicons(extra_dirs).get(lang.lower().split("-")[0])
