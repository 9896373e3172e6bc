"""Adding a language is a data change: a YAML file in a folder, no code."""

from __future__ import annotations

from pathlib import Path

import pytest

from workers.classify import classify_text
from workers.classify.lexicon.loader import ENV_DIRS, LexiconError, load_lexicons

# A minimal German file written for this test: enough to read one casualty sentence.
GERMAN = """
version: 1
lang: de
numbers:
  thousands_separator: "."
  decimal_separator: ","
  words: {zwölf: 12, drei: 3}
markers:
  conflict: [armee, krieg]
  persons: [soldaten, menschen]
  function_words: [die, der, bei, dem]
types:
  casualties:
    cues: [getötet, tote]
    count_nouns: [tote]
  attack:
    cues: [angriff, "*angriff"]
"""


def write_german(folder: Path) -> Path:
    path = folder / "de.yaml"
    path.write_text(GERMAN, encoding="utf-8")
    return path


def test_third_language_from_an_extra_folder(tmp_path: Path) -> None:
    write_german(tmp_path)
    got = classify_text("Die Armee meldet 1.200 Tote bei dem Raketenangriff.", "de",
                        lang_dirs=[tmp_path])
    assert ("casualties", 1200) in {(e.type, e.count) for e in got}
    assert "attack" in {e.type for e in got}
    assert all(e.lang == "de" for e in got)


def test_third_language_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_german(tmp_path)
    monkeypatch.setenv(ENV_DIRS, str(tmp_path))
    got = classify_text("Im Krieg wurden zwölf Soldaten getötet.", "de")
    assert [(e.type, e.count) for e in got] == [("casualties", 12)]


def test_shipped_languages_load() -> None:
    assert {"nl", "en"} <= set(load_lexicons())


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("version: 1\nlang: xx\nmarkerz: {}\n", "unknown key"),
        ("version: 2\nlang: xx\n", "version: 1"),
        ("version: 1\nlang: xx\nmarkers: {negation: [no]}\n", "not a string"),
        ("version: 1\nlang: xx\ntypes: {explosions: {}}\n", "unknown key"),
    ],
)
def test_bad_language_files_fail_at_load_naming_the_file(
    tmp_path: Path, body: str, message: str
) -> None:
    (tmp_path / "xx.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(LexiconError, match=message) as info:
        load_lexicons([tmp_path])
    assert str(tmp_path / "xx.yaml") in str(info.value)
