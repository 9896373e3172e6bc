"""Feeds, from the list to the queue: which to poll, when, one poll, and the feed's bytes.

- list: the feeds to poll (config plus those added at run time); opml: import and export.
- poller: the Poller (leader only; threads, per-host limits); netoutage: a network outage
  told from broken feeds; timetable: the due times in Redis and the per-host line; pacing:
  when a feed is due again.
- poll: one poll of one feed (conditional GET, parse, enqueue what is new).
- fetch: the conditional GET; parse: bytes into Entries (fastparse with rawitems and values
  for well-formed feeds, feedparser for the rest; entries: what both make of an item).
- state: each feed's health, validators and errors in Redis; silence: alerts for feeds that
  stopped publishing.
"""
