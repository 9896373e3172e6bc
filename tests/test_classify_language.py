"""Adding a language is a data change: a YAML file in a folder, no code."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from workers.classify import classify_text
from workers.classify.lexicon.loader import ENV_DIRS, LexiconError, load_lexicons
from workers.classify.reading import read_text

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


# The same language with the factuality and time layer's data: triggers, calendar words and
# attribute numbers, all declared by the file.
LAYER = """
context:
  negated: {before: [keine, kein, nicht]}
  wished: {before: [will, fordert]}
  generic: {before: [oft, regelmäßig]}
  announced: {before: [wird]}
  pseudo: [nicht nur]
  termination: [aber]
time:
  months: {februar: 2, märz: 3}
  units: {jahr: 365, jahre: 365, woche: 7}
  ago: [vor]
  last: [letzten, letztes]
  background: [vor dem krieg]
  recent: [gestern]
  reporting: [sagte]
"""


def german_with_layer() -> str:
    data = yaml.safe_load(GERMAN)
    data["markers"]["function_words"] += ["im", "es", "gab", "einen"]
    data["markers"]["attribute"] = ["brigade"]
    data["types"]["casualties"]["cues"].append("starben")
    return yaml.safe_dump({**data, **yaml.safe_load(LAYER)}, allow_unicode=True)


@pytest.fixture
def german_layer(tmp_path: Path) -> Path:
    (tmp_path / "de.yaml").write_text(german_with_layer(), encoding="utf-8")
    return tmp_path


def german(text: str, folder: Path) -> set[tuple[str, int | None]]:
    got = classify_text(text, "de", lang_dirs=[folder], published="2025-03-10")
    return {(e.type, e.count) for e in got}


def test_a_third_language_declares_the_layer_s_words(german_layer: Path) -> None:
    assert german("Die Armee meldet gestern 12 Tote bei dem Angriff.", german_layer) == {
        ("casualties", 12), ("attack", None)}
    assert german("Im Krieg gab es im Februar 2014 zwölf Tote.", german_layer) == set()
    assert german("Die Armee meldet keine Tote bei dem Angriff.", german_layer) == {
        ("attack", None)}
    assert german("Die Armee will einen Angriff.", german_layer) == set()
    assert german("Die Armee führt oft einen Angriff aus.", german_layer) == set()
    assert german("Im Krieg starben drei Soldaten der Brigade 47, sagte die Armee.",
                  german_layer) == {("casualties", 3)}
    reading = read_text("Im Krieg gab es im Februar 2014 zwölf Tote.", "de",
                        lang_dirs=[german_layer], published="2025-03-10")
    assert [(d.event.type, d.event.count, d.kind) for d in reading.dropped] == [
        ("casualties", 12, "background")]


def test_a_malformed_layer_section_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "xx.yaml").write_text(
        "version: 1\nlang: xx\ncontext: {negated: {ahead: [no]}}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"context\.negated") as info:
        load_lexicons([tmp_path])
    assert str(tmp_path / "xx.yaml") in str(info.value)
