"""The fast paths of labelling give the same answers as the plain ones they replace."""

from __future__ import annotations

import pytest

from workers.classify import classify_text
from workers.classify.lexicon.loader import get_lexicon
from workers.classify.scan import scan_key_sentences, scan_sentence
from workers.classify.sentences import _TOKEN, split_sentences, tokenize

SENTENCES = [
    "Kyiv, Odesa en Lviv: 1.351 drones (Shahed-136) vielen aan; 2,5 miljoen mensen zonder stroom.",
    "The U.S. military said 57th-brigade troops shot down 12 of 14 Kh-101/555 missiles — all of them.",
    "Ze zeiden: \"niet nu!\" en 'toch wel'… 10:30 uur, 45-jarige man, ²-test, Ⅻ_x, İstanbul.",
    "\u00a0Tabs\tand\u2009thin spaces,commas,,and trailing-",
]


@pytest.mark.parametrize("text", SENTENCES)
def test_tokens_match_the_token_regex(text: str) -> None:
    sentence = tokenize(text)
    assert list(sentence.tokens) == _TOKEN.findall(text)
    assert sentence.lower == tuple(t.lower() for t in sentence.tokens)
    assert [text[a:b] for a, b in zip(sentence.starts, sentence.ends, strict=True)] == list(
        sentence.tokens)


def test_initials_and_titles_do_not_end_a_sentence() -> None:
    text = "Gen. Smith met U.S. envoys. Then Mr. Jones left! Next, 5 drones."
    assert list(split_sentences(text)) == [
        "Gen. Smith met U.S. envoys.", "Then Mr. Jones left!", "Next, 5 drones."]


def test_markdown_emphasis_around_a_sentence_does_not_glue_it_to_the_next() -> None:
    text = "**Drones hit Kyiv overnight.** The air force said 40 were downed. A **bold** word."
    assert list(split_sentences(text)) == [
        "**Drones hit Kyiv overnight.", "The air force said 40 were downed.",
        "A **bold** word."]


def test_only_sentences_with_a_key_label_are_labelled() -> None:
    lexicon = get_lexicon("en")
    assert lexicon is not None
    pieces = ["The weather was fine on Tuesday.", "Troops shelled the town.",
              "The army holds the line."]
    kept = [s.sentence.text for s in scan_key_sentences(pieces, lexicon)]
    assert kept == ["Troops shelled the town.", "The army holds the line."]


def test_phrase_labels_are_found_on_every_token_they_cover() -> None:
    lexicon = get_lexicon("en")
    assert lexicon is not None
    scan = scan_sentence("Air defence shot down 30 drones and 5 missiles as well as a jet.", lexicon)
    spans = scan.by_label["cue:interception"]
    assert any((m.start, m.end) == (2, 4) for m in spans)  # "shot down"
    assert all("cue:interception" in scan.at_token[i] for i in (2, 3))
    # token-only markers are read per token and get no spans of their own
    assert "coordinators" in scan.at_token[scan.tokens.index("and")]
    assert "function_words" not in scan.by_label


def test_skipping_idle_sentences_changes_no_event() -> None:
    text = ("The market opened higher on Monday. Russian forces launched 40 drones at Kharkiv, "
            "and air defence shot down 31 of them. Shops stayed open.")
    got = {(e.type, e.count) for e in classify_text(text, "en")}
    assert {("attack", 40), ("interception", 31)} <= got
