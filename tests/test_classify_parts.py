"""Counts across an article: parts, earlier and rounded forms of a figure it states are not
events; a count belongs to the words that count it.

Sentences written for these tests (annotation notes: "parts of a stated total", "superseded
figures", "a vague restatement gives way", "157 each, not 314", "explosions are not counted").
"""

from __future__ import annotations

from workers.classify import classify_text


def counts(text: str, lang: str) -> set[tuple[str, int | None]]:
    return {(e.type, e.count) for e in classify_text(text, lang) if e.count is not None}


def test_munitions_that_hit_are_a_subset_of_the_salvo() -> None:
    got = counts("Russia launched 90 drones and 12 missiles at Ukraine overnight, the air force "
                 "said. It said 8 drones and 3 missiles hit energy sites in the west.", "en")
    assert {("attack", 90), ("attack", 12)} <= got
    assert not {("attack", 8), ("attack", 3)} & got


def test_hits_count_when_no_launch_figure_is_given() -> None:
    got = counts("The army said 6 missiles hit the port of Odesa overnight.", "en")
    assert ("attack", 6) in got


def test_the_share_shot_down_comes_before_its_verb_too() -> None:
    got = counts("Volgens de luchtmacht zijn 40 van de 52 raketten uit de lucht geschoten.", "nl")
    assert {("interception", 40), ("attack", 52)} <= got


def test_a_regional_shoot_down_is_part_of_the_total() -> None:
    got = counts("Air defence shot down all 40 drones launched by Russia overnight. "
                 "Eleven drones were downed over Sumy, the governor said.", "en")
    assert ("interception", 40) in got
    assert ("interception", 11) not in got


def test_each_side_reports_its_own_shoot_downs() -> None:
    got = counts("Ukraine's air force said its air defences shot down 45 drones overnight. "
                 "Russia's defence ministry said 30 Ukrainian drones were destroyed over "
                 "the Bryansk region.", "en")
    assert {("interception", 45), ("interception", 30)} <= got


def test_a_figure_given_earlier_gives_way_to_the_larger_one() -> None:
    got = counts("The air force said earlier that 60 drones had been launched at Kyiv. "
                 "By the morning it reported that Russia launched 66 drones.", "en")
    assert ("attack", 66) in got
    assert ("attack", 60) not in got


def test_a_rounded_figure_gives_way_to_the_exact_one() -> None:
    got = counts("Rusland heeft ruim driehonderd drones afgevuurd op Oekraïne. "
                 "Volgens de luchtmacht vuurde het leger 304 drones af.", "nl")
    assert ("attack", 304) in got
    assert ("attack", 300) not in got


def test_as_many_as_is_only_a_ceiling_beside_a_lower_figure() -> None:
    got = counts("The country has sent 4,000 troops to the border, officials said, with as "
                 "many as 6,000 soldiers deployed there by May.", "en")
    assert ("troop_deployment", 4000) in got
    assert ("troop_deployment", 6000) not in got


def test_the_share_per_side_of_a_swap_is_its_count() -> None:
    got = counts("Beide landen hebben na bemiddeling 240 krijgsgevangenen uitgewisseld – "
                 "120 van elke kant.", "nl")
    assert ("prisoner_exchange", 120) in got
    assert ("prisoner_exchange", 240) not in got


def test_explosions_are_not_counted() -> None:
    got = counts("In Odesa waren drie explosies te horen na een Russische aanval met drones.", "nl")
    assert ("attack", 3) not in got


def test_the_other_sides_figure_is_no_part_of_a_total() -> None:
    got = counts("The swap freed 30 Ukrainian soldiers. Moscow said 20 Russian prisoners were "
                 "released, and 10 civilians were also freed.", "en")
    assert {("prisoner_exchange", 30), ("prisoner_exchange", 20),
            ("prisoner_exchange", 10)} <= got


def test_a_swap_counts_the_people_on_both_sides_of_its_for() -> None:
    assert counts("Twelve Russian seamen were exchanged for 15 Ukrainian crew members.", "en") \
        >= {("prisoner_exchange", 12), ("prisoner_exchange", 15)}
    assert counts("Twaalf Russische militairen werden geruild tegen 15 Oekraïense soldaten.",
                  "nl") >= {("prisoner_exchange", 12), ("prisoner_exchange", 15)}
    assert counts("Beide landen lieten elk 50 personen vrij.", "nl") == {
        ("prisoner_exchange", 50)}


def test_a_list_in_one_sentence_is_no_breakdown_and_model_names_are_read_past() -> None:
    got = counts("Air defence shot down 30 Shahed-136 drones and 12 Kh-59 missiles overnight.",
                 "en")
    assert {("interception", 30), ("interception", 12)} <= got
    got = counts("Air defence destroyed over 60 Kh-101/555 cruise missiles and around ten "
                 "Kinzhal missiles.", "en")
    assert {("interception", 60), ("interception", 10)} <= got


def test_people_taken_to_hospital_are_casualties() -> None:
    assert ("casualties", 12) in counts(
        "The war goes on. Twelve people were taken to hospital after the strike.", "en")
    assert ("casualties", 20) in counts(
        "De oorlog gaat door. Na de aanval werden 20 mensen naar het ziekenhuis gebracht.", "nl")


def test_a_smaller_count_on_another_date_is_another_strike() -> None:
    text = ("Russia fired 70 missiles at Ukraine on February 3, the air force said. "
            "On February 6, Russia fired 40 missiles at the power grid.")
    got = {(e.type, e.count) for e in classify_text(text, "en", published="2026-02-07")}
    assert {("attack", 70), ("attack", 40)} <= got
    text = ("Russia fired 70 missiles at Ukraine on February 3, the air force said. "
            "In Kharkiv, 40 missiles hit the power grid.")
    got = {(e.type, e.count) for e in classify_text(text, "en", published="2026-02-07")}
    assert ("attack", 40) not in got  # the same strike, broken down by place


def test_a_count_noun_counts_its_own_number_and_no_other() -> None:
    assert counts("De oorlog gaat door. In de flat woonden twintig kinderen volgens de gemeente, "
                  "die ook 140 gewonden meldt.", "nl") == {("casualties", 140)}
    assert counts("The war goes on. The block housed twenty children, the city said, "
                  "reporting 140 wounded.", "en") == {("casualties", 140)}


def test_a_breakdown_set_off_by_commas_parts_no_count_from_its_verb() -> None:
    got = counts("The war goes on. Twelve people, including two women and three children, "
                 "were wounded in the strike.", "en")
    assert ("casualties", 12) in got


def test_who_the_victims_were_breaks_down_the_toll() -> None:
    got = counts("The war goes on. The strike killed 40 people. Most of the victims were "
                 "civilians, along with six soldiers.", "en")
    assert got == {("casualties", 40)}
    assert counts("The war goes on. Twelve casualties were reported in Kharkiv.", "en") == {
        ("casualties", 12)}


def test_another_incidents_figure_does_not_replace_a_vague_one() -> None:
    got = counts("De oorlog gaat door. Bij een aanval zijn tientallen burgers gedood. Toen "
                 "werden 40 burgers gedood.", "nl")
    assert {("casualties", 24), ("casualties", 40)} <= got
    got = counts("De oorlog gaat door. Bij een aanval zijn tientallen burgers gedood. Het "
                 "ministerie meldt dat 40 burgers zijn gedood.", "nl")
    assert ("casualties", 24) not in got


def test_how_often_an_attack_happened_is_its_count() -> None:
    assert ("attack", 5) in counts(
        "The war goes on. Russia has struck the power plant five times this month.", "en")
    assert ("attack", 3) in counts(
        "De oorlog gaat door. De centrale is deze maand drie keer aangevallen.", "nl")
    assert not any(c for _, c in counts(
        "The war goes on. Russian drones hit three times more homes than the missiles did.",
        "en"))


def test_a_piece_of_a_missile_counts_no_missile() -> None:
    got = counts("The war goes on. Police collected pieces of a missile after the strike.", "en")
    assert ("attack", 1) not in got
    assert ("attack", 1) in counts(
        "The war goes on. The firing of a missile at the port set off sirens.", "en")
