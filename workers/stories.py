"""Stories: the same event reported by several outlets, in several languages, is one story.

Two signals, measured against each other on the seed articles and their rewrites:
- text: a bottom-k sketch of word 4-shingles (k=32; one CRC32 per shingle, so ~0.2 ms for a
  3 KB article, where a 64-bit SimHash in pure Python costs ~3 ms). Two texts whose sketches
  share many values are near-duplicates of one language: rewrites, wire copies, updates.
- events: the (type, count) pairs of counted events. Numbers survive translation, so a Dutch and
  an English report of "261 combat engagements" share them where their words share nothing.
Each signal is an inverted index in Redis with the story TTL, so finding candidates costs a few
set reads, not a scan. Assignment holds a short lock: two workers reading two copies of a story
at once must not create two stories.
"""

from __future__ import annotations

import heapq
import re
import time
import zlib
from collections import Counter
from dataclasses import dataclass

import redis

from monitor import keys
from monitor.lifetimes import DEFAULT_LIFETIMES, Lifetimes
from monitor.locks import redis_lock
from monitor.models import Article
from monitor.redisconn import as_str
from workers.context import current_owner

SKETCH_K = 32
SHINGLE = 4
# Shared sketch values needed for a text match: 12 of 32 estimates a Jaccard similarity of
# about 0.2 between shingle sets, well above unrelated articles (0-2 shared) and below
# lightly rewritten copies (20+).
TEXT_MATCH = 12
# A (type, count) pair is distinctive when the count is large; small counts ("2 killed")
# recur across unrelated stories. Two distinctive pairs, or one large one, make a match.
SIGNATURE_MIN_COUNT = 5
SIGNATURE_STRONG_COUNT = 50
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    first_article: str
    new: bool  # this article started the story
    sources: tuple[str, ...]
    articles: int
    max_counts: dict[str, int]  # before this article: what the story had already reported


def sketch(text: str) -> list[int]:
    """The SKETCH_K smallest shingle hashes of the text (bottom-k MinHash)."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE:
        words = words + [""] * (SHINGLE - len(words))
    hashes = {
        zlib.crc32(" ".join(words[i : i + SHINGLE]).encode())
        for i in range(len(words) - SHINGLE + 1)
    }
    return heapq.nsmallest(SKETCH_K, hashes)


def signatures(article: Article) -> list[tuple[str, int]]:
    return sorted(
        {(e.type, e.count) for e in article.events if e.count and e.count >= SIGNATURE_MIN_COUNT}
    )


def _signature_key(sig: tuple[str, int]) -> str:
    return keys.story_by_signature(f"{sig[0]}:{sig[1]}")


def _candidates(
    r: redis.Redis, sk: list[int], sigs: list[tuple[str, int]], since: float
) -> str | None:
    """The best existing story for these signals, among those indexed since ``since``."""
    with r.pipeline(transaction=False) as pipe:
        for value in sk:
            pipe.zrangebyscore(keys.story_by_shingle(value), since, "+inf")
        for sig in sigs:
            pipe.zrangebyscore(_signature_key(sig), since, "+inf")
        results = pipe.execute()
    text_votes: Counter[bytes] = Counter(s for members in results[: len(sk)] for s in members)
    sig_votes: Counter[bytes] = Counter()
    for sig, members in zip(sigs, results[len(sk) :], strict=True):
        for s in members:
            sig_votes[s] += 2 if sig[1] >= SIGNATURE_STRONG_COUNT else 1
    ranked = [s for s, n in text_votes.most_common(3) if n >= TEXT_MATCH]
    ranked += [s for s, n in sig_votes.most_common(3) if n >= 2]
    for story_id in ranked:  # an index entry may outlive its story: take one that exists
        if r.exists(keys.story(as_str(story_id))):
            return as_str(story_id)
    return None


def _index(
    pipe: redis.client.Pipeline,
    story_id: str,
    sk: list[int],
    sigs: list[tuple[str, int]],
    ttl: int,
    now: float,
) -> None:
    """Index entries are timestamped and trimmed to the story lifetime on every write, so an
    index value shared by many stories (a stock phrase, a common count) stays bounded."""
    for key in [keys.story_by_shingle(v) for v in sk] + [_signature_key(s) for s in sigs]:
        pipe.zadd(key, {story_id: now})
        pipe.zremrangebyscore(key, 0, now - ttl)
        pipe.expire(key, ttl)


def _list(
    pipe: redis.client.Pipeline, story_id: str, article_id: str, ttl: int, now: float
) -> None:
    """Which stories there are and which articles each holds, for people to browse (the
    console); a re-read article keeps the time it first joined."""
    pipe.zadd(keys.story_articles(story_id), {article_id: now}, nx=True)
    pipe.zadd(keys.stories_index(), {story_id: now})
    pipe.zremrangebyscore(keys.stories_index(), 0, now - ttl)
    pipe.expire(keys.stories_index(), ttl)


def _counts(article: Article) -> dict[str, int]:
    out: dict[str, int] = {}
    for e in article.events:
        if e.count is not None:
            out[e.type] = max(out.get(e.type, 0), e.count)
    return out


def assign_story(
    r: redis.Redis, article: Article, life: Lifetimes = DEFAULT_LIFETIMES
) -> Story:
    """The story the article belongs to, created when it starts a new one."""
    existing = r.get(keys.article_story(article.id))
    sk = sketch(f"{article.title or ''} {article.text}")
    sigs = signatures(article)
    with redis_lock(r, keys.stories_lock(), owner=current_owner()):
        now = time.time()
        story_id = as_str(existing) if existing else _candidates(r, sk, sigs, now - life.stories)
        new = story_id is None
        story_id = story_id or article.id
        before = {k.decode(): int(v) for k, v in r.hgetall(keys.story_counts(story_id)).items()}  # type: ignore[union-attr]
        with r.pipeline() as pipe:
            if new:
                pipe.hset(
                    keys.story(story_id),
                    mapping={"first_article": article.id, "url": article.url, "first_seen": now},
                )
            pipe.hset(keys.story(story_id), "last_seen", now)
            if not existing:
                pipe.hincrby(keys.story(story_id), "articles", 1)
            pipe.hsetnx(keys.story_sources(story_id), article.source, now)
            for t, c in _counts(article).items():
                if c > before.get(t, 0):
                    pipe.hset(keys.story_counts(story_id), t, c)
            pipe.set(keys.article_story(article.id), story_id, ex=life.articles)
            _index(pipe, story_id, sk, sigs, life.stories, now)
            _list(pipe, story_id, article.id, life.stories, now)
            for k in (
                keys.story(story_id),
                keys.story_sources(story_id),
                keys.story_counts(story_id),
                keys.story_articles(story_id),
            ):
                pipe.expire(k, life.stories)
            pipe.hget(keys.story(story_id), "first_article")
            pipe.hget(keys.story(story_id), "articles")
            pipe.hkeys(keys.story_sources(story_id))
            *_, first, count, sources = pipe.execute()
    return Story(
        id=story_id,
        first_article=first.decode() if first else article.id,
        new=new,
        sources=tuple(sorted(s.decode() for s in sources)),
        articles=int(count or 1),
        max_counts=before,
    )
