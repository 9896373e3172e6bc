"""The factuality, time and domain layer on sentences written for these tests: each mention
gets a factuality and a time, and only asserted or announced mentions of the news are events;
the others are kept with the kind of reason and the words that decided it."""

from __future__ import annotations

import pytest

from workers.classify import classify_text
from workers.classify.reading import read_text

NOW = "2025-03-10"
WAR = {"en": "The war in Ukraine goes on. ", "nl": "De oorlog in Oekraïne gaat door. "}


def types(text: str, lang: str, published: str | None = NOW) -> set[str]:
    return {e.type for e in classify_text(WAR[lang] + text, lang, published=published)}


def dropped(text: str, lang: str, published: str | None = NOW) -> dict[str, tuple[str, str]]:
    reading = read_text(WAR[lang] + text, lang, None, published)
    return {d.event.type: (d.kind, d.reason) for d in reading.dropped}


@pytest.mark.parametrize(
    ("lang", "text", "gone"),
    [
        ("nl", "In 2014 annexeerde Rusland de Krim en veroverde het leger delen van de Donbas.",
         "territorial_change"),
        ("en", "Last summer the counter-offensive in the south failed.", "combat"),
        ("nl", "Tijdens de bezetting vielen honderden doden in de stad.", "casualties"),
        ("en", "At the start of the war, Russian forces seized the airport.",
         "territorial_change"),
        ("en", "Two years ago a missile strike killed 50 people at the station.", "casualties"),
        ("nl", "Vorig jaar werden bij een raketaanval op Odesa twaalf mensen gedood.",
         "casualties"),
        ("en", "Russian troops captured the city in the first weeks of the war.",
         "territorial_change"),
    ],
)
def test_background_is_no_event(lang: str, text: str, gone: str) -> None:
    assert gone not in types(text, lang)
    kind, reason = dropped(text, lang)[gone]
    assert kind == "background" and reason.startswith("background: ")


@pytest.mark.parametrize(
    ("lang", "text", "kept"),
    [
        ("en", "A drone attack last Friday killed four people in Kharkiv.", "casualties"),
        ("en", "The death toll from the missile strike two weeks ago rose to 31.", "casualties"),
        ("nl", "Bij de aanval van afgelopen vrijdag kwamen vier mensen om het leven.",
         "casualties"),
        ("en", "Since the start of the war more than 12,000 civilians have been killed.",
         "casualties"),
    ],
)
def test_recent_events_retold_and_running_tolls_are_news(lang: str, text: str, kept: str) -> None:
    assert kept in types(text, lang)


def test_a_retold_toll_keeps_its_count() -> None:
    got = classify_text(WAR["en"] + "The death toll from the missile strike two weeks ago "
                        "rose to 31.", "en", published=NOW)
    assert ("casualties", 31) in {(e.type, e.count) for e in got}


def test_three_weeks_back_is_where_the_news_ends() -> None:
    text = "Russian forces captured the village on February {}."
    assert "territorial_change" in types(text.format(20), "en")  # 18 days before NOW
    assert "territorial_change" not in types(text.format(10), "en")  # 28 days before
    assert "casualties" not in types("A strike killed nine people four weeks ago.", "en")


def test_an_undated_article_is_dated_by_the_latest_year_it_names() -> None:
    text = ("Russian forces shelled the town in 2015, killing eight people. In 2019 the "
            "army shelled it again, killing 14.")
    counts = {e.count for e in classify_text(WAR["en"] + text, "en") if e.type == "casualties"}
    assert counts == {14}


def test_a_month_without_a_year_is_the_nearest_one() -> None:
    text = "Negotiators will meet again in Riyadh on March 20 for another round of talks."
    assert "negotiation" in types(text, "en", published="2025-03-10")
    late = "Russian forces captured the village in October."
    assert "territorial_change" not in types(late, "en", published="2025-03-10")
    assert "territorial_change" in types(late, "en", published="2024-10-28")


@pytest.mark.parametrize(
    ("lang", "text", "gone", "value"),
    [
        ("en", "Moscow aims to take the whole region.", "territorial_change", "intended"),
        ("nl", "Rusland is bereid om te onderhandelen als Oekraïne de regio's opgeeft.",
         "negotiation", "hypothetical"),
        ("en", "If the ceasefire holds, talks could begin next month.", "negotiation",
         "hypothetical"),
        ("en", "The Kremlin threatened to strike government buildings in Kyiv.", "attack",
         "intended"),
        ("en", "Kyiv wants Russian forces to withdraw from the occupied regions.",
         "territorial_change", "wished"),
        ("nl", "Kyiv praat enkel over een wapenstilstand als Rusland zijn troepen terugtrekt.",
         "ceasefire", "hypothetical"),
        ("en", "Six countries are prepared to deploy troops in the event of a ceasefire.",
         "troop_deployment", "hypothetical"),
    ],
)
def test_goals_demands_conditions_are_no_events(
    lang: str, text: str, gone: str, value: str
) -> None:
    assert gone not in types(text, lang)
    kind, reason = dropped(text, lang)[gone]
    assert kind == "irrealis" and reason.startswith(value)


def test_a_truce_called_for_or_under_discussion_is_a_ceasefire_with_no_status() -> None:
    """The corpus labels a truce that is demanded, offered or negotiated as a ceasefire with
    no status (not one in force): rules that want a real truce match on its status."""
    for lang, text in (("nl", "Kyiv wil eerst een staakt-het-vuren."),
                       ("en", "The two sides held talks toward a ceasefire in Riyadh."),
                       ("en", "Germany and France demanded an immediate ceasefire.")):
        got = classify_text(WAR[lang] + text, lang, published=NOW)
        assert [(e.status, e.factuality) for e in got if e.type == "ceasefire"] == [
            (None, "proposed")]
    assert types("The two sides held talks toward a ceasefire in Riyadh on Tuesday.",
                 "en") == {"negotiation", "ceasefire"}


def test_a_pause_in_attacks_is_a_ceasefire_and_no_attack() -> None:
    assert types("Russia and Ukraine reached an agreement on a pause in attacks on energy "
                 "sites.", "en") == {"ceasefire"}


def test_announced_and_planned_events_count_and_say_so() -> None:
    got = classify_text(WAR["nl"] + "Het leger kondigt aan dat het morgen de aanvallen op "
                        "Gaza zal hervatten.", "nl", published=NOW)
    assert [(e.type, e.factuality) for e in got] == [("attack", "announced")]
    offer = classify_text(WAR["nl"] + "Rusland is bereid tot een ruil van 40 "
                          "krijgsgevangenen.", "nl", published=NOW)
    assert ("prisoner_exchange", 40) in {(e.type, e.count) for e in offer}


def test_proposed_or_threatened_sanctions_are_sanctions() -> None:
    assert "sanctions" in types("The EU threatened new sanctions against Moscow.", "en")


@pytest.mark.parametrize(
    ("lang", "text", "gone"),
    [
        ("nl", "Of er slachtoffers zijn gevallen is nog niet bekend.", "casualties"),
        ("en", "It is not yet known whether anyone was killed.", "casualties"),
        ("en", "Russian drones struck the port overnight; no casualties were reported.",
         "casualties"),
        ("nl", "Een raket trof een flat, maar hij zei niet of er schade was aan het stroomnet.",
         "infrastructure"),
    ],
)
def test_unknown_and_denied_outcomes_are_no_events(lang: str, text: str, gone: str) -> None:
    assert gone not in types(text, lang)
    assert dropped(text, lang)[gone][0] == "negation"


def test_what_could_be_done_in_the_past_was_done_what_could_be_done_still_may_be() -> None:
    assert "interception" in types(
        "Rusland vuurde twintig drones af. Een groot deel kon worden neergehaald.", "nl")
    assert "interception" not in types(
        "Rusland vuurde twintig drones af. Een deel zou kunnen worden neergehaald.", "nl")


def test_a_claim_that_a_party_denies_is_still_reported() -> None:
    text = "Ukraine said Russian drones hit a power plant; Moscow denied the attack."
    assert {"attack", "infrastructure"} <= types(text, "en")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Both sides regularly use drones to strike targets behind the front line."),
        ("nl", "Beide partijen zetten regelmatig drones in om doelen aan te vallen."),
        ("en", "Russia often launches dozens of drones at Ukrainian cities at night."),
    ],
)
def test_generic_and_habitual_statements_are_no_events(lang: str, text: str) -> None:
    assert types(text, lang) == set()
    assert {kind for kind, _ in dropped(text, lang).values()} <= {"generic", "irrealis"}


def test_a_one_sentence_talks_announcement_is_read_like_any_other() -> None:
    text = "Ukraine and Russia have announced that peace talks will begin in Istanbul next week."
    alone = classify_text(text, "en")
    after = classify_text("Russian drones struck Kharkiv overnight. " + text, "en")
    assert [(e.type, e.status) for e in alone] == [("negotiation", "announced")]
    assert ("negotiation", "announced") in {(e.type, e.status) for e in after}
    assert [(e.type, e.status) for e in classify_text(
        "Russia and Ukraine will hold talks in Istanbul next week.", "en")] == [
        ("negotiation", "announced")]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Apple launched its new phone on Tuesday, and shares hit a record high."),
        ("en", "Three people were killed in a car crash on the motorway."),
        ("en", "Negotiations between the union and the employers will resume next week."),
        ("nl", "De supermarkt opende de aanval op de concurrent met lagere prijzen."),
        ("nl", "Bij een verkeersongeluk op de A2 kwamen twee mensen om het leven."),
    ],
)
def test_short_texts_about_another_domain_stay_silent(lang: str, text: str) -> None:
    assert classify_text(text, lang) == []


def test_violence_in_an_article_that_never_names_war_needs_a_weapon_or_troops() -> None:
    assert classify_text("Four people were killed when a drone hit their car.", "en")
    reading = read_text("An attack on Friday killed four people.", "en")
    assert reading.events == ()
    assert all(d.reason.startswith("other domain") for d in reading.dropped)


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "Russian strikes caused power outages across the region overnight.",
         {"attack", "infrastructure"}),
        ("nl", "Door Israëlische aanvallen viel de stroom uit in de hele stad.",
         {"attack", "infrastructure"}),
    ],
)
def test_a_states_attack_is_an_act_of_war_where_the_article_never_names_the_war(
    lang: str, text: str, expected: set[str]
) -> None:
    assert types(text, lang) == expected


@pytest.mark.parametrize(
    "text",
    [
        # the other domain's word in the sentence with the cue
        "The striker scored twice as the league leaders' attack killed off the game.",
        # ... and in a sentence with no cue at all
        "The visitors' attack killed off the game in the second half. The striker scored twice.",
    ],
)
def test_another_domains_word_anywhere_in_the_article_silences_it(text: str) -> None:
    reading = read_text(text, "en")
    assert reading.events == ()
    assert any("another domain" in d.reason for d in reading.dropped)
