"""Read the numbers of a sentence: digits, spelled numbers, scales, vague amounts, ranges.

Each number becomes a ``Mention`` with its token span and flags (approximate, vague, an upper
bound, a part of a stated total); ``counts.py`` then decides which event, if any, it counts.
What is never a count (dates, years, times, percentages, ages, ordinals, and attribute numbers:
"aged 28", "brigade 47", "home to 60,000") is dropped here, so no later rule can pick it up.
Separators, words and scales come from the language file.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import NamedTuple

from text_to_num import text2num

from workers.classify.lexicon.loader import NUMBER_WORD, NumberSpec
from workers.classify.lexicon.patterns import Match
from workers.classify.scan import CLAUSE_BREAKS, Scan

YEAR_RANGE = range(1900, 2101)


class Mention(NamedTuple):
    """A number in a sentence, tokens [start, end)."""

    value: int
    start: int
    end: int
    approx: bool = False
    vague: bool = False
    weak: bool = False  # "een"/"a": 1 only for a single victim or munition
    upper: bool = False  # "tot wel 15.000": an upper-bound alternative
    part: bool = False  # "onder wie 85", "of which 48", "17 of 19": a part of a total
    whole: int | None = None  # for "17 of 19": index of the mention it is part of


def parse_digits(token: str, spec: NumberSpec) -> float | None:
    """'1.351' -> 1351 (nl), '2,5' -> 2.5 (nl); None for times like '10:30'."""
    if ":" in token:
        return None
    if spec.thousands and re.fullmatch(rf"\d{{1,3}}(?:{re.escape(spec.thousands)}\d{{3}})+", token):
        return float(token.replace(spec.thousands, ""))
    if spec.decimal and spec.decimal in token:
        whole, _, frac = token.partition(spec.decimal)
        if whole.isdigit() and frac.isdigit():
            return float(f"{whole}.{frac}")
        return None
    return float(token) if token.isdigit() else None


def _words_value(words: list[str], spec: NumberSpec) -> int | None:
    """A run of number words: text2num when the language has it, else the words table."""
    if len(words) == 1 and words[0] in spec.words:
        return spec.words[words[0]]
    if spec.parser:
        try:
            return int(text2num(" ".join(words), spec.parser))
        except ValueError:
            pass
    total = current = 0
    for w in words:
        if w in spec.scales:
            current = max(current, 1) * spec.scales[w]
            if spec.scales[w] >= 1000:
                total, current = total + current, 0
        elif w in spec.words:
            current += spec.words[w]
        else:
            return None
    return total + current or None


DIGITS = frozenset("0123456789")
_DIGIT = re.compile(r"\d")


def find_mentions(scan: Scan) -> list[Mention]:
    """Every number of the sentence that could be a count, in order."""
    spec = scan.lexicon.numbers
    vague = _vague_starts(scan)
    found: list[Mention] = []
    starts = [i for i, token in enumerate(scan.tokens) if token[0] in DIGITS] \
        if _DIGIT.search(scan.sentence.text) else []
    words = scan.where(NUMBER_WORD)
    if words or vague:
        starts = sorted({*starts, *words, *vague})
    if not starts:
        return found  # most sentences with a cue give no number at all
    end = 0
    for i in starts:
        if i < end:
            continue  # inside the previous mention ("twee dozijn", "hundreds of thousands")
        mention, end = _read_at(scan, i, spec, vague)
        if mention is not None:
            found.append(mention)
    found = [_flag(scan, m) for m in _join_ranges(scan, found)]
    found = _coordinated_parts(scan, _whole_first(scan, _link_parts(scan, found)))
    described = {k for k, m in enumerate(found) if _is_attribute(scan, m)}
    # "Item 1 of 5": the whole of a described number describes too
    described |= {w for k in described if (w := found[k].whole) is not None}
    kept = [k for k, m in enumerate(found) if k not in described and not (
        _is_date_or_year(scan, m) or _instrument(scan, m) or _indefinite(scan, m)
        or _piece_of_one(scan, m))]
    at = {old: new for new, old in enumerate(kept)}  # a part keeps pointing at its whole
    return [found[k]._replace(whole=at.get(found[k].whole))  # type: ignore[arg-type]
            if found[k].whole is not None else found[k] for k in kept]


def _indefinite(scan: Scan, m: Mention) -> bool:
    """'een onbekend aantal burgers', 'a handful of': the article counts nothing."""
    return m.weak and scan.starting_at("uncounted", m.end) is not None


def _piece_of_one(scan: Scan, m: Mention) -> bool:
    """'pieces of a missile', 'brokstukken van een drone': a thing's part, no count of it
    (unless the word before counts it: 'the launch of a missile')."""
    i = m.start
    return m.weak and i > 1 and scan.tokens[i - 1] in scan.lexicon.numbers.of_words and not any(
        label.startswith(("cue:", "noun:")) for label in scan.at_token[i - 2])


def _instrument(scan: Scan, m: Mention) -> bool:
    """'struck with a drone', 'met een granaatwerper': the means of one attack, no count."""
    return m.weak and m.start > 0 and "instrument" in scan.at_token[m.start - 1]


def _is_attribute(scan: Scan, m: Mention) -> bool:
    """'aged 28', 'brigade 47', 'home to some 60,000': the number describes, it counts nothing."""
    start = m.start
    approx = scan.ending_at("approx", start)
    if approx is not None:
        start = approx.start
    return scan.ending_at("attribute", start) is not None


def _vague_starts(scan: Scan) -> dict[int, Match]:
    """The longest vague amount starting at each token ("hundreds of thousands of")."""
    out: dict[int, Match] = {}
    for m in scan.family("vague:"):
        if m.start not in out or m.end > out[m.start].end:
            out[m.start] = m
    return out


def _read_at(
    scan: Scan, i: int, spec: NumberSpec, vague: dict[int, Match]
) -> tuple[Mention | None, int]:
    """The mention starting at token i (if any) and the token to continue from."""
    best = vague.get(i)
    if best is not None:
        return Mention(int(best.label[6:]), i, best.end, approx=True, vague=True), best.end
    token = scan.tokens[i]
    if token[0].isdigit():
        return _read_digits(scan, i, spec)
    return _read_words(scan, i, spec)


def _scale_after(scan: Scan, pos: int) -> int:
    if pos < len(scan.tokens):
        for label in scan.at_token[pos]:
            if label.startswith("scale:"):
                return int(label[6:])
    return 1


def _read_digits(scan: Scan, i: int, spec: NumberSpec) -> tuple[Mention | None, int]:
    value = parse_digits(scan.tokens[i], spec)
    glued = scan.sentence.glued(i)
    if value is None or glued.isalpha() or glued == "%":
        return None, i + 1
    text, end, start = scan.sentence.text, scan.sentence.ends[i], scan.sentence.starts[i]
    if glued == "-" and end + 1 < len(text) and text[end + 1].isalpha():
        return None, i + 1  # "45-year-old", "24-hour": a modifier, never a count
    if start >= 2 and ((text[start - 1] == "-" and text[start - 2].isalpha())
                       or (text[start - 1] == "/" and not text[start - 2].isspace())):
        return None, i + 1  # "Kh-101/555": a model name, not a number of things
    scale = _scale_after(scan, i + 1)
    value *= scale
    if value != int(value):
        return None, i + 1  # a decimal without a scale is a measure, not a count
    return Mention(int(value), i, i + 1 + (scale > 1)), i + 1 + (scale > 1)


def _joins(scan: Scan, j: int, words: list[str]) -> bool:
    """'and' inside 'one hundred and five': only after a scale, before another number word."""
    spec = scan.lexicon.numbers
    return (
        scan.tokens[j] in spec.joiners and bool(words) and words[-1] in spec.scales
        and j + 1 < len(scan.tokens) and spec.is_word(scan.tokens[j + 1])
    )


def _read_words(scan: Scan, i: int, spec: NumberSpec) -> tuple[Mention | None, int]:
    words: list[str] = []
    j = i
    while j < len(scan.tokens):
        tok = scan.tokens[j]
        if not (spec.is_word(tok) or _joins(scan, j, words)):
            break
        words.append(tok)
        j += 1
    if not words:
        return None, i + 1
    value = _words_value([w for w in words if w not in spec.joiners], spec)
    if value is None:
        return None, j
    weak = len(words) == 1 and words[0] in spec.weak_one
    return Mention(value, i, j, weak=weak), j


def _join_ranges(scan: Scan, found: list[Mention]) -> list[Mention]:
    """'30 tot 40', '30-40', 'tussen 30 en 40' -> one approximate mention of 30."""
    spec = scan.lexicon.numbers
    out: list[Mention] = []
    for m in found:
        prev = out[-1] if out else None
        if prev is not None and m.start == prev.end + 1 and m.value > prev.value:
            link = scan.tokens[prev.end]
            opened = prev.start > 0 and scan.tokens[prev.start - 1] in spec.range_openers
            if link in spec.range_connectors or (opened and link in spec.range_joiners):
                out[-1] = prev._replace(end=m.end, approx=True)
                continue
        out.append(m)
    return out


def _flag(scan: Scan, m: Mention) -> Mention:
    before = m.start
    if scan.ending_at("upper_bound", before):
        m = m._replace(upper=True, approx=True)
    elif scan.ending_at("approx", before):
        m = m._replace(approx=True)
    if scan.ending_at("part_before", before) or scan.starting_at("part_after", m.end):
        m = m._replace(part=True)
    return m


PART_LIST_GAP = 4  # tokens between two numbers of one list ("twee vrouwen en een kind")


def _whole_first(scan: Scan, found: list[Mention]) -> list[Mention]:
    """'Among the 189 freed Ukrainians were 87 soldiers, 43 guards ...': the number the
    frame opens with is the whole, and the numbers after it are its parts."""
    if len(found) < 2 or not found[0].part or not scan.ending_at("whole_before", found[0].start):
        return found
    return [found[0]._replace(part=False), *(m._replace(part=True) for m in found[1:])]


def _coordinated_parts(scan: Scan, found: list[Mention]) -> list[Mention]:
    """'onder wie twee vrouwen en een kind': a list that starts as a part stays one."""
    out = list(found)
    for k in range(1, len(out)):
        prev, m = out[k - 1], out[k]
        between = range(prev.end, m.start)
        if not prev.part or m.part or len(between) > PART_LIST_GAP:
            continue
        joined = any("coordinators" in scan.at_token[i] for i in between)
        broken = any(scan.tokens[i] in CLAUSE_BREAKS for i in between)
        if joined and not broken:
            out[k] = m._replace(part=True)
    return out


def _link_parts(scan: Scan, found: list[Mention]) -> list[Mention]:
    """'17 of 19 drones', '17 van de 19': the first is a part of the second."""
    spec = scan.lexicon.numbers
    out = list(found)
    for k, (a, b) in enumerate(pairwise(found)):
        between = scan.tokens[a.end : b.start]
        spelled = " ".join(between) in spec.of_words  # "out of"
        with_article = (
            len(between) == 2 and between[0] in spec.of_words
            and "function_words" in scan.at_token[a.end + 1]
        )
        if spelled or with_article:
            out[k] = a._replace(part=True, whole=k + 1)
    return out


def _is_date_or_year(scan: Scan, m: Mention) -> bool:
    """'23 maart', 'March 23', 'in 2019': never counts."""
    before = m.start - 1
    if before > 0 and scan.tokens[before] == ".":
        before -= 1  # an abbreviated month: "Feb. 4"
    if before >= 0 and "months" in scan.at_token[before]:
        return True
    if m.end < len(scan.tokens) and "months" in scan.at_token[m.end]:
        return True
    token = scan.tokens[m.start]
    if m.end - m.start == 1 and token.isdigit() and len(token) == 4:
        return int(token) in YEAR_RANGE
    return False
