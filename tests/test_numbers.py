"""The number reader: separators per language, spelled numbers, vague amounts, non-counts."""

from __future__ import annotations

import pytest

from workers.classify import classify_text
from workers.classify.lexicon.loader import get_lexicon
from workers.classify.numbers import find_mentions
from workers.classify.scan import scan_sentence


def values(text: str, lang: str) -> list[tuple[int, bool]]:
    lexicon = get_lexicon(lang)
    assert lexicon is not None
    return [(m.value, m.approx) for m in find_mentions(scan_sentence(text, lexicon))]


def counts(text: str, lang: str) -> list[tuple[str, int | None, bool]]:
    return [(e.type, e.count, e.approx) for e in classify_text(text, lang) if e.count]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Het leger meldt 1.351 gedode soldaten.", "nl", [(1351, False)]),
        ("Ruim 2,5 miljoen mensen zijn gevlucht.", "nl", [(2500000, True)]),
        ("The army reported 1,351 dead soldiers.", "en", [(1351, False)]),
        ("About 2.5 million people fled.", "en", [(2500000, True)]),
        ("Er vielen zevenhonderdvijftig doden.", "nl", [(750, False)]),
        ("Forty-two people were hurt.", "en", [(42, False)]),
        ("Twee dozijn mensen raakten gewond.", "nl", [(24, False)]),
        ("Tussen 30 en 40 burgers kwamen om.", "nl", [(30, True)]),
        ("Some 30 to 40 civilians died.", "en", [(30, True)]),
    ],
)
def test_mentions(text: str, lang: str, expected: list[tuple[int, bool]]) -> None:
    assert values(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("De aanval begon op 23 maart om 14.00 uur.", "nl"),
        ("The strike came on March 23, 2024 at 10:30.", "en"),
        ("The 45-year-old soldier was hit in the 57th brigade area.", "en"),
        ("Kh-101 missiles were used.", "en"),
        ("The footage was released on Feb. 9 by the ministry.", "en"),
        ("De beelden werden op 9 feb. vrijgegeven.", "nl"),
    ],
)
def test_dates_times_ages_and_models_are_not_numbers(text: str, lang: str) -> None:
    assert values(text, lang) == []


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Bij het bombardement vielen tientallen doden.", "nl", ("casualties", 24, True)),
        ("Honderdduizenden burgers zijn gedood in de oorlog.", "nl", ("casualties", 200000, True)),
        ("Dozens of soldiers were killed in the shelling.", "en", ("casualties", 24, True)),
        ("Hundreds of thousands of troops have been killed in the war.", "en",
         ("casualties", 200000, True)),
        ("Tienduizenden militairen zijn gesneuveld in de oorlog.", "nl",
         ("casualties", 20000, True)),
        ("Thousands of civilians were killed in the war.", "en", ("casualties", 2000, True)),
    ],
)
def test_vague_quantities_map_to_documented_bounds(
    text: str, lang: str, expected: tuple[str, int, bool]
) -> None:
    assert expected in counts(text, lang)


@pytest.mark.parametrize(
    "text",
    [
        "Door de aanvallen zitten 300.000 huishoudens zonder stroom.",
        "Het leger rukte 110 kilometer op in 24 uur.",
        "Het leger kreeg 9 miljard dollar voor nieuwe drones.",
        "Bij de beschietingen brandden 35 huizen af.",
        "The strikes left 600,000 homes without power for 12 hours.",
        "Troops advanced 15 percent of the way, 20 miles, in 2023.",
    ],
)
def test_measures_never_become_counts(text: str) -> None:
    lang = "en" if "The" in text or "Troops" in text else "nl"
    assert counts(text, lang) == []
