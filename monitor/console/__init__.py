"""The web console: alerts, stories, feeds, rules (with an editor) and deliveries, as pages and
as JSON, served on the health listener by the daemon or alone by ``newsmonitor console``.

Readers (alerts, stories, feeds, rules, deliveries, editor) take Redis or files and return
data; the HTTP layer (api, pages, app) only shapes requests and answers; templates and static
files are package data. The package depends on monitor/ and, for retrying a delivery, on the
workers' delivery queue.
"""
