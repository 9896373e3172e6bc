"""The rules an article can fire, found without trying every rule.

Every condition block of every rule gets a bit. For one article, each distinct condition
value is tested once and answers for all blocks that hold it: the article's language, feed,
source, title and text regexes (a regex only runs when the article holds one of the literal
terms it needs: monitor/rules/literals.py), and for each event its type, count, approx,
weapon, side, status and place. ANDing those bit sets gives, per event, the blocks it
satisfies; a block holds when its article keys hold and (if it has event keys) one event
satisfies it. So an article meets only the rules it can fire: the work grows with the
distinct conditions and the rules that fire, not with all rules.

Blocks with ``all``/``any``/``not`` combine their sub-blocks' bits; the evidence of a rule that
fires (its events, matched text, and for nested blocks the reasons) is gathered in the steps
``evaluate`` takes, so the decisions and RuleMatches are those of trying every rule
(tests/test_rules_index.py runs 1,000 random rules both ways over the corpus).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.models import Article, Event
from monitor.rules.bitsets import Bits, MemberGroups, ValueGroups, any_of, set_bits
from monitor.rules.compiled import CompiledRule, RuleSet
from monitor.rules.literals import LiteralFilter
from monitor.rules.match import ArticleView, RuleMatch, _glob_any
from monitor.rules.schema import Condition
from monitor.vocabulary import EVENT_TYPES

_LOCATION_CACHE = 4096


@dataclass(frozen=True, slots=True)
class _Block:
    bit: int
    cond: Condition
    rule: CompiledRule
    all_bits: Bits = 0  # its ``all`` sub-blocks
    any_bits: Bits = 0  # its ``any`` sub-blocks
    not_bit: int = -1  # its ``not`` sub-block
    types: tuple[str, ...] | None = None  # ``event``, in order: where its events come from
    repeats: bool = False  # ``event`` names a type twice (its events need de-duplicating)
    evented: bool = False  # it has event keys
    name: str = ""  # its rule's
    text: str | None = None  # its ``text`` regex


class RuleIndex:
    """The ruleset as bit sets over its condition blocks (built once per ruleset)."""

    def __init__(self, compiled: tuple[CompiledRule, ...]) -> None:
        self.blocks: list[_Block] = []
        self.tops: list[int] = []  # the top block of each rule, in ruleset order
        self.lang, self.weapon = MemberGroups(), MemberGroups()
        self.side, self.status = MemberGroups(), MemberGroups()
        self.feed, self.source = ValueGroups(), ValueGroups()
        self.title, self.text = ValueGroups(), ValueGroups()
        self.count, self.location, self.approx = ValueGroups(), ValueGroups(), ValueGroups()
        self.types: dict[str, Bits] = dict.fromkeys(EVENT_TYPES, 0)
        self.any_type: Bits = 0  # blocks with event keys but no ``event``: every type
        self.no_event_keys: Bits = 0
        self.never: Bits = 0  # feed_silent blocks: checked on feeds, not articles
        self.nested: Bits = 0  # blocks with all/any/not
        for rule in compiled:
            self.tops.append(self._add(rule.rule.match, rule))
        self.tops_mask = sum(1 << b for b in self.tops)
        self._nested_desc = sorted(set_bits(self.nested), reverse=True)
        self._regexes = {p: rx for rule in compiled for p, rx in rule.regexes.items()}
        patterns = [str(p) for p in (*self.text.by_value, *self.title.by_value)]
        self._literals = LiteralFilter(patterns)
        self._locations: dict[str | None, Bits] = {}

    def _add(self, cond: Condition, rule: CompiledRule) -> int:
        bit = len(self.blocks)
        self.blocks.append(_Block(bit, cond, rule))  # sub-blocks filled in below
        all_bits = sum(1 << self._add(sub, rule) for sub in cond.all or ())
        any_bits = sum(1 << self._add(sub, rule) for sub in cond.any or ())
        not_bit = self._add(cond.not_, rule) if cond.not_ is not None else -1
        types = cond.event
        repeats = types is not None and len(set(types)) < len(types)
        self.blocks[bit] = _Block(
            bit,
            cond,
            rule,
            all_bits,
            any_bits,
            not_bit,
            types,
            repeats,
            cond.has_event_keys(),
            rule.rule.name,
            cond.text,
        )
        mask = 1 << bit
        if all_bits or any_bits or not_bit >= 0:
            self.nested |= mask
        if cond.feed_silent is not None:
            self.never |= mask
        self.lang.add(bit, cond.lang)
        self.feed.add(bit, cond.feed)
        self.source.add(bit, cond.source)
        self.title.add(bit, cond.title)
        self.text.add(bit, cond.text)
        if not cond.has_event_keys():
            self.no_event_keys |= mask
            return bit
        if cond.event is None:
            self.any_type |= mask
        for t in cond.event or EVENT_TYPES:
            self.types[t] |= mask
        self.count.add(bit, cond.count)
        self.approx.add(bit, cond.approx)
        self.weapon.add(bit, cond.weapon)
        self.side.add(bit, cond.side)
        self.status.add(bit, cond.status)
        self.location.add(bit, cond.location)
        return bit

    def match(self, article: Article) -> list[RuleMatch]:
        """The RuleMatches of the rules that fire on the article, in ruleset order."""
        view = ArticleView(article)
        per_event = [self._event_bits(e) for e in article.events]
        own = self._article_bits(view) & ~self.never
        own &= any_of(per_event) | self.no_event_keys
        found = _Found(article.events, per_event)
        out = []
        blocks, nested = self.blocks, self.nested
        for bit in set_bits(self._resolve_nested(own) & self.tops_mask):
            block = blocks[bit]
            if (nested >> bit) & 1:
                ok, events, matched, reasons = self._evidence(bit, own, view, found)
                out.append(RuleMatch(block.name, ok, matched, events, reasons))
                continue
            events = found(block) if block.evented else ()
            matched = self._matched(block, view) if block.text is not None else ()
            out.append(RuleMatch(block.name, True, matched, events, ()))
        return out

    def _matched(self, block: _Block, view: ArticleView) -> tuple[str, ...]:
        text = block.text
        if text is None:
            return ()
        return view.text_matches(text, self._regexes[text]) or ()

    def _evidence(self, bit: int, own: Bits, view: ArticleView, found: _Found) -> _Evidence:
        """``evaluate(explain=False)`` of a block, from the bits: the same ok, events, matched
        text and reasons (a nested block's lines say how its all/any/not went)."""
        block = self.blocks[bit]
        if (self.never >> bit) & 1:
            return False, (), (), ("feed_silent: checked on feeds, not articles",)
        if not (own >> bit) & 1:
            return False, (), (), ()
        ok, events, matched = True, found(block), self._matched(block, view)
        reasons: list[str] = []
        if block.all_bits:
            subs = [self._evidence(b, own, view, found) for b in set_bits(block.all_bits)]
            reasons.append(f"all of {len(subs)}: {_yn(all(x[0] for x in subs))}")
            reasons.extend("  " + r for x in subs for r in x[3])
            for sub_ok, sub_events, sub_matched, _ in subs:
                ok &= sub_ok
                if sub_ok:
                    events += sub_events
                    matched += sub_matched
        if block.any_bits:
            subs = [self._evidence(b, own, view, found) for b in set_bits(block.any_bits)]
            hit = any(x[0] for x in subs)
            reasons.append(f"any of {len(subs)}: {_yn(hit)}")
            reasons.extend("  " + r for x in subs for r in x[3])
            ok &= hit
            if hit:
                events += sum((x[1] for x in subs if x[0]), ())
                matched += sum((x[2] for x in subs if x[0]), ())
        if block.not_bit >= 0:
            sub = self._evidence(block.not_bit, own, view, found)
            reasons.append(f"not: {_yn(not sub[0])}")
            reasons.extend("  " + r for r in sub[3])
            ok &= not sub[0]
        if not ok:
            return False, (), (), tuple(reasons)
        return True, tuple(dict.fromkeys(events)), matched, tuple(reasons)

    def _resolve_nested(self, own: Bits) -> Bits:
        """Clear the nested blocks whose all/any/not do not hold (sub-blocks first: they
        have higher bits than the block they are in)."""
        for bit in self._nested_desc:
            if not (own >> bit) & 1:
                continue
            b = self.blocks[bit]
            holds = (own & b.all_bits) == b.all_bits and (not b.any_bits or own & b.any_bits)
            if not holds or (b.not_bit >= 0 and (own >> b.not_bit) & 1):
                own &= ~(1 << bit)
        return own

    def _article_bits(self, view: ArticleView) -> Bits:
        a = view.article
        bits = self.lang.holding((a.lang or "").lower())
        if self.feed.by_value:
            bits &= self.feed.holding(lambda globs: _glob_any(globs, (a.feed_name, a.feed_url)))
        if self.source.by_value:
            bits &= self.source.holding(lambda globs: _glob_any(globs, (a.source,)))
        if self.title.by_value or self.text.by_value:
            could = self._literals.could_match(f"{a.title or ''}\n{a.text}")
            bits &= self.title.holding(lambda p: could(p) and self._title_hit(p, a))
            bits &= self.text.holding(lambda p: could(p) and self._text_hit(p, view))
        return bits

    def _title_hit(self, pattern: str, a: Article) -> bool:
        return bool(self._regex(pattern).search(a.title or ""))

    def _text_hit(self, pattern: str, view: ArticleView) -> bool:
        return bool(view.text_matches(pattern, self._regex(pattern)))

    def _regex(self, pattern: str) -> re.Pattern[str]:
        return self._regexes[pattern]

    def _event_bits(self, e: Event) -> Bits:
        bits = self.types.get(e.type, self.any_type)
        if not bits:
            return 0
        bits &= self.count.holding(lambda c: c.holds(e.count))
        bits &= self.approx.holding(lambda want: e.approx == want)
        bits &= self.weapon.holding((e.weapon or "").lower())
        bits &= self.side.holding((e.side or "").lower())
        bits &= self.status.holding((e.status or "").lower())
        return bits & self._location_bits(e.location)

    def _location_bits(self, location: str | None) -> Bits:
        found = self._locations.get(location)
        if found is None:
            if len(self._locations) > _LOCATION_CACHE:
                self._locations.clear()
            found = self.location.holding(lambda globs: _glob_any(globs, (location,)))
            self._locations[location] = found
        return found


_Evidence = tuple[bool, tuple[Event, ...], tuple[str, ...], tuple[str, ...]]


class _Found:
    """The events of one article each block holds on, in ``candidate_events`` order."""

    def __init__(self, events: tuple[Event, ...], per_event: list[Bits]) -> None:
        self.pairs = list(zip(events, per_event, strict=True))
        self.typed: dict[str, list[tuple[Event, Bits]]] = {}
        for e, bits in self.pairs:
            self.typed.setdefault(e.type, []).append((e, bits))
        # Equal events twice in one article: the evidence lists each once, as evaluate does.
        self.twins = len(events) > 1 and len(set(events)) < len(events)

    def __call__(self, block: _Block) -> tuple[Event, ...]:
        if not block.evented:
            return ()
        bit = block.bit
        if block.types is None:
            found = tuple(e for e, bits in self.pairs if (bits >> bit) & 1)
        else:
            typed = self.typed
            found = tuple(
                e for t in block.types for e, bits in typed.get(t, ()) if (bits >> bit) & 1
            )
        return tuple(dict.fromkeys(found)) if self.twins or block.repeats else found


def _yn(ok: bool) -> str:
    return "yes" if ok else "no"


def index_of(ruleset: RuleSet) -> RuleIndex:
    """The ruleset's index, built on first use."""
    if not isinstance(ruleset.matcher, RuleIndex):
        ruleset.matcher = RuleIndex(ruleset.compiled)
    return ruleset.matcher


def match_ruleset(ruleset: RuleSet, article: Article) -> list[RuleMatch]:
    """The rules that fire on the article (found through the ruleset's index)."""
    return index_of(ruleset).match(article)
