"""Classifier behaviour on hand-written sentences: the docs/events.md hard cases and traps."""

from __future__ import annotations

from monitor.models import Article
from workers.classify import classify, classify_text


def pairs(text: str, lang: str, title: str | None = None) -> set[tuple[str, int | None]]:
    return {(e.type, e.count) for e in classify_text(text, lang, title)}


def test_several_events_in_one_sentence() -> None:
    text = ("Het leger meldt dat er vannacht 145 aanvallen met drones waren. "
            "De luchtverdediging heeft 72 drones neergehaald.")
    got = classify_text(text, "nl")
    assert ("attack", 145) in {(e.type, e.count) for e in got}
    assert ("interception", 72) in {(e.type, e.count) for e in got}
    attack = next(e for e in got if e.type == "attack" and e.count == 145)
    assert attack.weapon == "drone"
    assert attack.evidence == "Het leger meldt dat er vannacht 145 aanvallen met drones waren."
    assert attack.lang == "nl"


def test_shoot_down_patterns() -> None:
    assert {("attack", 52), ("interception", 52)} <= pairs(
        "The army said air defence destroyed all 52 drones launched overnight.", "en")
    assert {("attack", 19), ("interception", 17)} <= pairs(
        "Government forces downed 17 of 19 drones, the military said.", "en")
    assert {("attack", 60), ("interception", 48)} <= pairs(
        "The army fired 60 missiles, of which 48 were intercepted.", "en")
    assert {("attack", 80), ("interception", 41)} <= pairs(
        "De luchtmacht zegt dat 41 van de 80 gelanceerde drones zijn neergehaald.", "nl")


def test_coordinated_counts_share_their_cue() -> None:
    got = pairs("The military said air defences shot down 300 drones and 20 missiles.", "en")
    assert {("interception", 300), ("interception", 20)} <= got


def test_spelled_and_single_counts() -> None:
    assert ("casualties", 40) in pairs("Bij de aanval van het leger vielen veertig doden.", "nl")
    assert ("casualties", 1) in pairs("Bij de droneaanval raakte een persoon gewond.", "nl")
    assert ("casualties", 3) in pairs(
        "Three soldiers were killed and twelve wounded in the shelling.", "en")
    assert ("casualties", 12) in pairs(
        "Three soldiers were killed and twelve wounded in the shelling.", "en")


def test_single_event_noun_has_no_count() -> None:
    got = classify_text("Het leger heeft een aanval uitgevoerd op de luchthaven.", "nl")
    assert [(e.type, e.count) for e in got] == [("attack", None)]


def test_denials_and_hypotheticals_give_nothing() -> None:
    assert "casualties" not in {e.type for e in classify_text(
        "Het leger beschoot de kazerne, maar er raakte niemand gewond.", "nl")}
    assert "casualties" not in {e.type for e in classify_text(
        "The army shelled the town; no casualties were reported.", "en")}
    assert "ceasefire" not in {e.type for e in classify_text(
        "The army would only stop if a ceasefire were agreed.", "en")}


def test_traffic_storm_sport_and_elections_give_nothing() -> None:
    assert classify_text("Vorig jaar vielen 678 verkeersdoden op de Nederlandse wegen.", "nl") == []
    assert classify_text("The hurricane killed 50 people on the islands.", "en") == []
    assert classify_text("De aanval van Ajax scoorde vier goals tegen de verdediging.", "nl") == []
    assert classify_text("The party captured 32 seats in the election.", "en") == []


def test_parts_and_upper_bounds_are_not_separate_tolls() -> None:
    got = pairs("The rebels killed 85 people in the war, including 40 children.", "en")
    assert ("casualties", 85) in got
    assert ("casualties", 40) not in got


def test_vague_title_gives_way_to_precise_toll() -> None:
    got = pairs("Bij het bombardement door het leger vielen 44 doden.", "nl",
                title="Tientallen doden")
    assert ("casualties", 44) in got
    assert ("casualties", 24) not in got


def test_liveblog_items_keep_their_own_evidence() -> None:
    text = ("10:02 Het leger meldt 12 doden bij beschietingen in Charkiv.\n"
            "10:45 De luchtverdediging heeft 30 drones neergehaald.")
    got = classify_text(text, "nl")
    evidence = {(e.type, e.count): e.evidence for e in got if e.count}
    assert "Charkiv" in evidence[("casualties", 12)]
    assert "30 drones" in evidence[("interception", 30)]
    assert "Charkiv" not in evidence[("interception", 30)]


def test_status_side_and_per_side_exchange() -> None:
    got = classify_text("Russia and Ukraine exchanged 157 prisoners of war each.", "en")
    assert [(e.type, e.count) for e in got] == [("prisoner_exchange", 157)]
    talks = classify_text("The peace talks with the Kremlin were suspended by the army.", "en")
    assert [(e.type, e.status) for e in talks] == [("negotiation", "stalled")]
    side = classify_text("Het leger doodde 14 burgers.", "nl")
    assert (side[0].count, side[0].side) == (14, "civilian")


def test_classify_takes_an_article_and_detects_its_language() -> None:
    article = Article(id="a", url="https://x.test/a", feed_name="f", feed_url="https://x.test",
                      source="x.test", title=None, lang=None,
                      text="The Russian army said 12 soldiers were killed in the shelling.")
    assert ("casualties", 12) in {(e.type, e.count) for e in classify(article)}


def test_unknown_language_gives_no_events() -> None:
    assert classify_text("Der Angriff tötete 12 Soldaten.", "de") == []
