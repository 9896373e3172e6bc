"""Every Redis key newsmonitor uses: the one place key names are built.

Key layout is ``nm:<noun>:<id>``. Ids that come from the outside world (URLs, guids) are hashed
(``content_hash``) so a key never carries user text and stays short. How long the data lives
is monitor/lifetimes.py.
"""

from __future__ import annotations

import hashlib

PREFIX = "nm"

DEAD_LETTER_MAX = 10_000

QUEUE_ENTRIES = "entries"
QUEUE_ALERTS = "alerts"


def content_hash(text: str) -> str:
    """A short stable id for outside text (URL, guid): 20 hex chars of SHA-256."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def seen_url(canonical_url: str) -> str:
    return f"{PREFIX}:seen:url:{content_hash(canonical_url)}"


def seen_guid(feed_url: str, guid: str) -> str:
    return f"{PREFIX}:seen:guid:{content_hash(feed_url + chr(0) + guid)}"


def feed_state(feed_url: str) -> str:
    """Hash (monitor/feeds/state.py): etag, last_modified, body_hash, ttl, last_success,
    last_new_at, avg_gap, first_poll, polls, entries, errors, last_error, last_error_at."""
    return f"{PREFIX}:feed:{content_hash(feed_url)}"


def feeds_known() -> str:
    """Set of feed URLs that have been polled at least once (a new feed has no backlog alerts)."""
    return f"{PREFIX}:feeds:known"


def article(article_id: str) -> str:
    return f"{PREFIX}:article:{article_id}"


def articles_index() -> str:
    """Sorted set of article ids by fetch time, for listing and backtests."""
    return f"{PREFIX}:articles"


def sent(alert_id: str, channel: str) -> str:
    """Set once the channel accepted the alert; guards against a second delivery."""
    return f"{PREFIX}:sent:{alert_id}:{content_hash(channel)}"


def sent_targets(alert_id: str, channel: str) -> str:
    """Set of content hashes of the targets (e.g. Apprise URLs) of a channel that took the alert."""
    return f"{PREFIX}:sent-targets:{alert_id}:{content_hash(channel)}"


def sending(alert_id: str, channel: str) -> str:
    """Short lock held while one worker delivers (rule, article, channel)."""
    return f"{PREFIX}:sending:{alert_id}:{content_hash(channel)}"


def dead_letters() -> str:
    """List of JSON records of deliveries that failed for good."""
    return f"{PREFIX}:dead"


def deliveries_log() -> str:
    """Capped list of JSON delivery records, newest first."""
    return f"{PREFIX}:deliveries"


def ruleset() -> str:
    """Hash: ``hash`` and ``rules`` (the validated ruleset as JSON), published by the daemon."""
    return f"{PREFIX}:ruleset"


def entry_job_id(canonical_url: str) -> str:
    """RQ job id for an entry: letters, digits, '-' only."""
    return f"entry-{content_hash(canonical_url)}"


def delivery_job_id(alert_id: str, channel: str) -> str:
    return f"deliver-{alert_id}-{content_hash(channel)}"


# --- stories (near-duplicate articles across outlets and languages) -------------------------


def story(story_id: str) -> str:
    """Hash: first_article (its id), url, first_seen, last_seen, articles (how many)."""
    return f"{PREFIX}:story:{story_id}"


def story_sources(story_id: str) -> str:
    """Hash: source host -> first time it reported the story."""
    return f"{PREFIX}:story:{story_id}:sources"


def story_counts(story_id: str) -> str:
    """Hash: event type -> the highest count any article of the story gave."""
    return f"{PREFIX}:story:{story_id}:counts"


def story_by_shingle(value: int) -> str:
    """Sorted set: story id -> when a story with this shingle hash in its sketch was indexed."""
    return f"{PREFIX}:storyidx:sh:{value:x}"


def story_by_signature(signature: str) -> str:
    """Sorted set: story id -> when a story reporting this (type, count) was indexed."""
    return f"{PREFIX}:storyidx:ev:{content_hash(signature)}"


def article_story(article_id: str) -> str:
    return f"{PREFIX}:article:{article_id}:story"


def article_lock(article_id: str) -> str:
    """Held while one worker reads, compares and stores a page (liveblog updates in order)."""
    return f"{PREFIX}:lock:article:{article_id}"


def stories_lock() -> str:
    """Held while one worker assigns an article to a story, so two copies never split."""
    return f"{PREFIX}:lock:stories"


# --- rule state (what a rule has done; see workers/decide.py) --------------------------------
def _rid(rule: str) -> str:
    return content_hash(rule)


def fired(rule: str, scope: str) -> str:
    """String: the highest count alerted for (rule, story or article); absent: never alerted."""
    return f"{PREFIX}:fired:{_rid(rule)}:{scope}"


def corroboration(rule: str, story_id: str) -> str:
    """Sorted set: source host -> time it reported the story, for min_sources."""
    return f"{PREFIX}:corrob:{_rid(rule)}:{story_id}"


def window(rule: str, group: str) -> str:
    """Sorted set: article or story id -> arrival time, for window rules."""
    return f"{PREFIX}:window:{_rid(rule)}:{content_hash(group)}"


def novelty(rule: str, group: str) -> str:
    """String: when a matching story was last seen, for new_for rules."""
    return f"{PREFIX}:novel:{_rid(rule)}:{content_hash(group)}"


def novelty_stories(rule: str) -> str:
    """Hash: story id -> "new" or "old", the new_for verdict its first article got."""
    return f"{PREFIX}:novel:{_rid(rule)}:stories"


def cooldown(rule: str, group: str) -> str:
    return f"{PREFIX}:cooldown:{_rid(rule)}:{content_hash(group)}"


def rule_lock(rule: str, scope: str) -> str:
    return f"{PREFIX}:lock:rule:{_rid(rule)}:{scope}"


def digest_items(rule: str) -> str:
    """List of alert JSON waiting to go out together as one digest message."""
    return f"{PREFIX}:digest:{_rid(rule)}"


def digest_flushing(rule: str) -> str:
    """The rule's held alerts while a flush sends them (renamed from digest_items)."""
    return f"{PREFIX}:digest:{_rid(rule)}:flushing"


def digested(alert_id: str) -> str:
    """Set once an alert was held for a digest, so a replayed job does not hold it twice."""
    return f"{PREFIX}:digested:{alert_id}"


def digests_due() -> str:
    """Sorted set: rule name -> when its digest is due."""
    return f"{PREFIX}:digests"


# --- metrics (monitor/metrics.py; shared by every process, so they live in Redis) -----------
def metrics() -> str:
    """Hash of counters: ``<family>`` or ``<family>:<label value>`` -> count (HINCRBY)."""
    return f"{PREFIX}:metrics"


# --- operations: leader election, worker liveness -----------------------------------------
LEADER_TTL = 15  # a dead leader's lock frees itself this fast; the standby takes over next check
ALIVE_TTL = 15  # a killed worker is known dead this fast


def leader() -> str:
    """String: the id of the daemon that leads now: it polls feeds and runs the leader-only
    housekeeping (SET NX EX, renewed)."""
    return f"{PREFIX}:leader"


def worker_alive(worker_name: str) -> str:
    """Refreshed by a thread in every worker process; its absence means the process is gone."""
    return f"{PREFIX}:alive:{worker_name}"


def workers() -> str:
    """Set of names of worker processes that may hold claimed jobs (see ``claimed``)."""
    return f"{PREFIX}:workers"


def claimed(worker_name: str, queue: str) -> str:
    """List of job ids a worker took off ``queue`` and has not yet registered as started: the
    move is atomic (LMOVE), so a worker killed in between leaves its job here, not nowhere."""
    return f"{PREFIX}:claimed:{worker_name}:{queue}"


def feeds_due() -> str:
    """Sorted set: feed URL -> when it is next due to be polled (the poller's timetable)."""
    return f"{PREFIX}:feeds:due"


def feeds_added() -> str:
    """Hash: feed URL -> JSON of a feed added at run time (`feeds add`, `feeds import`)."""
    return f"{PREFIX}:feeds:added"


# --- alerts as the console shows them (monitor/alertstore.py) ------------------------------
ALERTS_MAX = 10_000  # the alert indexes keep the newest this many (and nothing past retention)
HITS_DAYS = 30  # per-rule daily alert counters live this long: the console's sparklines


def alert(alert_id: str) -> str:
    """String: the alert as JSON (without the article text), kept for the retention window."""
    return f"{PREFIX}:alert:{alert_id}"


def alerts_index() -> str:
    """Sorted set: alert id -> when it was made."""
    return f"{PREFIX}:alerts"


def rule_alerts(rule: str) -> str:
    """Sorted set: alert id -> when it was made, for one rule (the console's rule filter)."""
    return f"{PREFIX}:alerts:rule:{_rid(rule)}"


def alert_deliveries(alert_id: str) -> str:
    """Hash: channel -> JSON of where the alert's delivery stands (held, queued, sent, ...)."""
    return f"{PREFIX}:alert:{alert_id}:deliveries"


def rule_hits(rule: str, day: str) -> str:
    """String counter: the rule's alerts on ``day`` (YYYY-MM-DD, UTC); lives HITS_DAYS days."""
    return f"{PREFIX}:hits:{_rid(rule)}:{day}"


def rules_last_fired() -> str:
    """Hash: rule name -> when it last alerted (Unix seconds)."""
    return f"{PREFIX}:rules:fired"


def stories_index() -> str:
    """Sorted set: story id -> when an article last joined it, for listing stories."""
    return f"{PREFIX}:stories"


def story_articles(story_id: str) -> str:
    """Sorted set: article id -> when it joined the story."""
    return f"{PREFIX}:story:{story_id}:articles"
