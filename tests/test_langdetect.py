"""The process-wide language detector."""

from __future__ import annotations

from pathlib import Path

import pytest

from workers.classify.lexicon.loader import ENV_DIRS, PACKAGE_DIR
from workers.langdetect import NEIGHBOURS, detect_language, detectable_languages


def test_detects_dutch_and_english() -> None:
    assert detect_language("Het Russische leger heeft vannacht de hoofdstad opnieuw "
                           "aangevallen met drones en raketten.") == "nl"
    assert detect_language("The Russian army attacked the capital again overnight "
                           "with drones and missiles.") == "en"


def test_too_short_text_gives_none() -> None:
    assert detect_language("Kyiv") is None
    assert detect_language("") is None


def test_answers_stay_within_the_configured_languages() -> None:
    got = detect_language("Президент заявив, що армія відбила атаку на місто вночі.")
    assert got in detectable_languages()


def test_the_shipped_language_files_and_their_neighbours_are_detectable() -> None:
    shipped = {p.stem for p in PACKAGE_DIR.glob("*.yaml")}
    assert shipped == {"nl", "en"}
    assert detectable_languages() == frozenset({*shipped, *NEIGHBOURS})


def a_language_file(folder: Path, code: str) -> Path:
    """A copy of the English file under another code: enough for the loader to list it."""
    text = (PACKAGE_DIR / "en.yaml").read_text(encoding="utf-8")
    path = folder / f"{code}.yaml"
    path.write_text(text.replace("\nlang: en\n", f"\nlang: {code}\n", 1), encoding="utf-8")
    return path


def test_a_language_file_present_makes_its_language_detectable(tmp_path: Path) -> None:
    assert "fi" not in detectable_languages()
    a_language_file(tmp_path, "fi")
    assert "fi" in detectable_languages([tmp_path])
    finnish = "Venäjän armeija hyökkäsi yöllä jälleen pääkaupunkiin drooneilla ja ohjuksilla."
    assert detect_language(finnish, [tmp_path]) == "fi"


def test_a_language_folder_named_in_the_environment_counts_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_language_file(tmp_path, "lt")
    monkeypatch.setenv(ENV_DIRS, str(tmp_path))
    assert "lt" in detectable_languages()


def test_a_language_the_model_does_not_know_is_left_out_not_an_error(tmp_path: Path) -> None:
    a_language_file(tmp_path, "xx")
    assert detectable_languages([tmp_path]) == detectable_languages()
