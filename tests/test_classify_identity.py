"""Cue words in another sense, numbers that describe rather than count, and one event told
many times across an article: sentences written for these tests."""

from __future__ import annotations

import pytest

from workers.classify import classify_text
from workers.classify.reading import read_text

WAR = {"en": "The war in Ukraine goes on. ", "nl": "De oorlog in Oekraïne gaat door. "}


def pairs(text: str, lang: str, title: str | None = None) -> set[tuple[str, int | None]]:
    return {(e.type, e.count) for e in classify_text(WAR[lang] + text, lang, title)}


def types(text: str, lang: str) -> set[str]:
    return {t for t, _ in pairs(text, lang)}


@pytest.mark.parametrize(
    ("lang", "text", "gone"),
    [
        ("en", "Russian soldiers captured civilians in the village after shelling it.",
         "territorial_change"),
        ("en", "Prisoners were tortured with electricity in the basement.", "infrastructure"),
        ("en", "An anti-aircraft battle raged over Kyiv as drones approached.", "combat"),
        ("en", "Air defence was deployed around the capital and shot down 12 drones.",
         "troop_deployment"),
        ("en", "A similar attack destroyed the station a year ago.", "interception"),
        ("nl", "Rond de hoofdstad werd extra luchtafweer ingezet tegen de drones.",
         "troop_deployment"),
        ("nl", "Gevangenen werden gemarteld met elektriciteit.", "infrastructure"),
        ("en", "Most of the wounded were soldiers, said the head of the delegation.",
         "negotiation"),
        ("nl", "Volgens de leider van de delegatie waren alle gewonden burgers.", "negotiation"),
        ("nl", "Door een storing raakten twintig drones verloren boven zee.", "attack"),
    ],
)
def test_cue_words_in_another_sense(lang: str, text: str, gone: str) -> None:
    assert gone not in types(text, lang)
    reasons = [d.reason for d in read_text(WAR[lang] + text, lang).dropped
               if d.event.type == gone]
    assert reasons and all(r.startswith("other sense") for r in reasons)


def test_a_shoot_down_refers_back_to_the_drones_or_missiles_of_the_sentence_before() -> None:
    assert "interception" in types(
        "Russia fired 30 missiles at the capital overnight. Most were intercepted.", "en")
    assert "interception" in types(
        "Rusland vuurde 30 raketten af op de hoofdstad. De meeste werden onderschept.", "nl")
    # two sentences on: no longer what "most" refers to
    assert "interception" not in types(
        "Russia fired 30 missiles at the capital. Schools stayed open on Friday. "
        "Most were intercepted.", "en")


def test_talks_by_phone_are_a_call_with_someone() -> None:
    assert "negotiation" in types("Zelensky belde met Erdogan over een staakt-het-vuren.", "nl")
    assert "negotiation" not in types("De buurman belde 112 toen hij de rook zag.", "nl")


def test_wounded_captives_are_prisoners_not_a_toll() -> None:
    got = types("Several seriously wounded captives were among those exchanged.", "en")
    assert got == {"prisoner_exchange"}


def test_the_right_sense_stays() -> None:
    assert "territorial_change" in types("Russian troops captured the village of Andriivka.",
                                         "en")
    assert "troop_deployment" in types("Moscow deployed 3,000 troops to the border.", "en")
    assert "territorial_change" in types(
        "Het ziekenhuis wordt omsingeld door Israëlische tanks.", "nl")
    assert "negotiation" in types("The delegation met its Russian counterparts in Geneva.",
                                  "en")


@pytest.mark.parametrize(
    ("lang", "text", "count", "not_count"),
    [
        ("en", "Two soldiers, aged 19 and 23, were killed in the shelling.", 2, 19),
        ("nl", "Bij de beschieting kwamen drie soldaten jonger dan 25 om het leven.", 3, 25),
        ("en", "Fighting raged near the positions of Brigade 93, where 12 soldiers died.", 12,
         93),
        ("en", "The strike hit a village home to some 3,000 people, killing 4.", 4, 3000),
    ],
)
def test_numbers_that_describe_are_never_counts(
    lang: str, text: str, count: int, not_count: int
) -> None:
    counts = {c for _, c in pairs(text, lang)}
    assert count in counts and not_count not in counts


def test_headline_lead_and_body_are_one_event_with_the_body_as_evidence() -> None:
    title = "Russian drones kill 14 in Odesa"
    text = ("Russian drones killed 14 people in Odesa overnight, the governor said. "
            "Air defence shot down 30 drones.")
    got = [e for e in classify_text(text, "en", title) if e.type == "casualties"]
    assert [e.count for e in got] == [14]
    assert got[0].evidence.startswith("Russian drones killed 14 people")


def test_the_title_is_the_evidence_only_when_the_body_has_none() -> None:
    got = classify_text("The governor gave no details.", "en",
                        title="Russian missiles kill 9 in Dnipro")
    assert [(e.type, e.count, e.evidence) for e in got if e.type == "casualties"] == [
        ("casualties", 9, "Russian missiles kill 9 in Dnipro")]


def test_a_breakdown_after_a_total_is_part_of_it() -> None:
    text = ("Russian strikes killed 18 people across Ukraine on Tuesday. In Kharkiv, seven "
            "people were killed. In Odesa, 11 died.")
    counts = {c for t, c in pairs(text, "en") if t == "casualties"}
    assert counts == {18}
    merged = [d for d in read_text(WAR["en"] + text, "en").dropped if d.kind == "one event"]
    assert {d.event.count for d in merged} == {7, 11}


def test_parts_that_add_up_to_a_later_total_are_one_event() -> None:
    text = ("Strikes on Jabla killed 12 civilians. In Ariha, 13 civilians were killed. "
            "In all, the air strikes killed 25 civilians on Monday.")
    assert {c for t, c in pairs(text, "en") if t == "casualties"} == {25}


def test_two_distinct_tolls_stay_two() -> None:
    assert {("casualties", 3), ("casualties", 12)} <= pairs(
        "Three people were killed and 12 wounded in the attack.", "en")
    text = ("A missile killed 5 people in Kharkiv. Two more people were also killed in a "
            "separate strike on Sumy.")
    assert {5, 2} <= {c for t, c in pairs(text, "en") if t == "casualties"}


def test_a_list_that_starts_as_a_part_stays_one() -> None:
    got = pairs("Israeli strikes killed at least 27 Palestinians, among them two women "
                "and a child.", "en")
    assert {c for t, c in got if t == "casualties"} == {27}


def test_a_regional_breakdown_of_shoot_downs_is_part_of_the_total() -> None:
    text = ("Air defence shot down all 41 drones overnight. Seven drones were downed over "
            "Poltava and five over Odesa.")
    assert {c for t, c in pairs(text, "en") if t == "interception"} == {41}
