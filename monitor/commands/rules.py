"""``newsmonitor rules check|test|schema``: validate rules, see why a rule fires, editor schema."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from monitor.config import Config, load_config
from monitor.errors import RuleSetError
from monitor.models import Article
from monitor.rules import load_rules, parse_rule_file
from monitor.rules.compiled import RuleSet
from monitor.rules.schema import Rule


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("rules", help="work with alert rules")
    rsub = p.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    check = rsub.add_parser("check", help="validate a rules folder; exit 1 on any problem")
    check.add_argument("folder", nargs="?", help="rules folder (default: the config's)")
    check.set_defaults(func=cmd_check)
    test = rsub.add_parser("test", help="which articles a rule fires on, and why")
    test.add_argument("rule", help="the rule file")
    src = test.add_mutually_exclusive_group(required=True)
    src.add_argument("--url", help="fetch and read this article")
    src.add_argument("--file", help="an HTML page saved on disk")
    src.add_argument("--corpus", help="JSON Lines articles: {id, text, title?, lang?, url?}")
    test.add_argument("--json", action="store_true", help="one JSON object per article")
    test.add_argument("--send", action="store_true", help="really send the alerts it fires")
    test.set_defaults(func=cmd_test)
    schema = rsub.add_parser("schema", help="print the JSON Schema of a rule file (for editors)")
    schema.set_defaults(func=cmd_schema)


def cmd_check(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    folder = Path(args.folder) if args.folder else cfg.rules
    try:
        ruleset = load_rules(folder, cfg.channels.keys())
    except RuleSetError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in {folder}", file=sys.stderr)
        return 1
    print(f"{folder}: {len(ruleset)} rule(s) OK (hash {ruleset.hash})")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from monitor.schemas import schema_text

    sys.stdout.write(schema_text("rule"))
    return 0


def _articles(args: argparse.Namespace, cfg: Config) -> list[Article]:
    from monitor.commands.articles import corpus_articles, page_article, url_article

    if args.url:
        return [url_article(args.url, cfg)]
    if args.file:
        path = Path(args.file)
        return [page_article(path.read_bytes(), path.resolve().as_uri())]
    return corpus_articles(Path(args.corpus))


def cmd_test(args: argparse.Namespace) -> int:
    from monitor.commands.articles import understood
    from monitor.commands.explain import explain_lines, not_events
    from monitor.rules.match import match_rule

    cfg = load_config(args.config)
    try:
        rule = parse_rule_file(Path(args.rule), cfg.channels.keys() if args.send else None)
    except RuleSetError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    compiled = RuleSet([rule]).compiled[0]
    fired = 0
    for article in understood(_articles(args, cfg)):
        m = match_rule(compiled, article)
        fired += m.fired
        dropped = [] if m.fired else not_events(article, compiled.event_types)
        if args.json:
            out = {
                "id": article.id,
                "url": article.url,
                "fired": m.fired,
                "explain": list(m.reasons),
                "events": [e.to_dict() for e in m.events],
                "matched": list(m.matched),
                "not_events": [d.to_dict() for d in dropped],
            }
            print(json.dumps(out, ensure_ascii=False))
        else:
            print("\n".join(explain_lines(m, article, dropped)))
        if m.fired and args.send:
            _send(rule, m, article, cfg)
    if not args.json:
        print(
            f"{rule.name}: fires on {fired} article(s)"
            + ("" if args.send else " (nothing sent; --send sends)")
        )
    return 0


def _send(rule: Rule, m: object, article: Article, cfg: Config) -> None:
    from datetime import UTC, datetime

    from workers.alerting import build_alert
    from workers.channels import SendContext, send_alert
    from workers.decide import Action, Decision
    from workers.stories import Story

    story = Story(article.id, article.id, True, (article.source,), 1, {})
    alert = build_alert(rule, m, article, story, Decision(Action.SEND, "rules test --send"))  # type: ignore[arg-type]
    ctx = SendContext(data_dir=cfg.data_dir, sent_at=datetime.now(UTC))
    for channel in rule.notify:
        send_alert(alert, channel, cfg.channels[channel], ctx)
        print(f"  sent to {channel}")
