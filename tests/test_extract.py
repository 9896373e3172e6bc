"""Article extraction on the corpus pages, judged against their benchmarks' ground truth.

Loose on purpose: the benchmarks' references were written by people and by other tools, so
the floors below catch a broken extractor (boilerplate instead of text, nothing at all, wrong
title) without pinning trafilatura's exact output.
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from monitor.errors import ExtractError
from monitor.text import primary_lang, text_from_html
from tests.conftest import corpus_dir
from workers.extract import Extracted, extract_article


def ground_truth() -> dict[str, dict[str, Any]]:
    path = corpus_dir() / "pages" / "ground-truth.json"
    return json.loads(path.read_text()) if path.exists() else {}


PAGES = sorted(ground_truth())


def tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def token_f1(got: str, want: str) -> float:
    a, b = tokens(got), tokens(want)
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def snippets(value: Any) -> list[str]:
    """trafilatura's eval lists, stored in the ground truth as Python literals."""
    return list(ast.literal_eval(value)) if isinstance(value, str) else list(value)


@pytest.fixture(scope="module")
def extracted(corpus: Path) -> dict[str, Extracted]:
    truth = ground_truth()
    return {
        name: extract_article(
            (corpus / "pages" / name).read_bytes(), truth[name].get("url") or name
        )
        for name in PAGES
    }


def test_every_corpus_page_yields_text_a_title_and_a_date(extracted: dict[str, Extracted]) -> None:
    assert len(extracted) == 46
    for name, art in extracted.items():
        assert len(art.text) > 500, name
        assert art.title, name
        assert art.date is None or re.fullmatch(r"\d{4}-\d\d-\d\d", art.date), (name, art.date)
    assert sum(a.date is not None for a in extracted.values()) >= 40


def test_text_matches_the_benchmark_article_bodies(extracted: dict[str, Extracted]) -> None:
    truth = ground_truth()
    scores = {
        name: token_f1(art.text, truth[name]["articleBody"])
        for name, art in extracted.items()
        if "articleBody" in truth[name]
    }
    assert len(scores) == 26
    assert min(scores.values()) >= 0.6, min(scores.items(), key=lambda kv: kv[1])
    assert sum(scores.values()) / len(scores) >= 0.9


def test_text_keeps_the_must_have_snippets_and_drops_the_boilerplate(
    extracted: dict[str, Extracted],
) -> None:
    truth = ground_truth()
    kept = dropped = total = 0
    for name, art in extracted.items():
        if "with" not in truth[name]:
            continue
        must, must_not = snippets(truth[name]["with"]), snippets(truth[name]["without"])
        kept += sum(s in art.text for s in must)
        dropped += sum(s not in art.text for s in must_not)
        total += len(must) + len(must_not)
    assert total == 80 and kept + dropped >= 72  # 77 of 80 measured with trafilatura 2.3


def test_titles_and_declared_languages_match_readability_metadata(
    extracted: dict[str, Extracted],
) -> None:
    truth = ground_truth()
    checked = 0
    for name, art in extracted.items():
        want = truth[name]
        if "title" not in want:
            continue
        checked += 1
        assert art.title and (art.title in want["title"] or want["title"] in art.title), name
        if want.get("lang") not in (None, "None"):
            assert art.lang == primary_lang(want["lang"]), name
    assert checked == 7


def test_a_page_without_article_text_is_an_extract_error_naming_the_url() -> None:
    url = "https://news.example.org/empty"
    page = b"<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav></body>"
    for body in (page, b"", b"\x89PNG\r\n\x1a\n\x00\x00"):
        with pytest.raises(ExtractError) as err:
            extract_article(body, url)
        assert err.value.subject == url


def test_declared_language_comes_from_the_page_only() -> None:
    para = "<p>" + "Het kabinet heeft vandaag nieuwe maatregelen aangekondigd. " * 12 + "</p>"
    html = f"<html lang='nl-NL'><head><title>Nieuws</title></head><body><article>{para}</article>"
    assert extract_article(html.encode(), "https://nos.example/1").lang == "nl"
    bare = html.replace(" lang='nl-NL'", "")
    assert extract_article(bare.encode(), "https://nos.example/2").lang is None


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ("<p>Eerste alinea.</p><p>Tweede &amp; laatste.</p>", "Eerste alinea.\nTweede & laatste."),
        ("Line one<br/>line   two", "Line one\nline two"),
        ("<div>Kept<script>var x = 1;</script><style>p {}</style></div>", "Kept"),
        ("  Plain text, no markup.  ", "Plain text, no markup."),
        ("Caf&eacute; &#8211; 5 &lt; 6", "Café – 5 < 6"),
        ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
        ("", ""),
        ("<img src='x.png'/>", ""),
    ],
)
def test_text_from_html_turns_feed_markup_into_plain_text(fragment: str, text: str) -> None:
    assert text_from_html(fragment) == text


@pytest.mark.parametrize(
    ("tag", "code"),
    [("nl-NL", "nl"), ("en_US", "en"), ("EN", "en"), ("pt-br", "pt"), ("", None), (None, None),
     ("x-klingon", None), ("eng", None)],
)  # fmt: skip
def test_primary_lang_is_iso_639_1(tag: str | None, code: str | None) -> None:
    assert primary_lang(tag) == code
