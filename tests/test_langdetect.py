"""The process-wide language detector."""

from __future__ import annotations

from workers.langdetect import LANGUAGES, detect_language


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
    assert got in LANGUAGES
