"""newsmonitor's daemon side: config, polling, dedup, rules, CLI, embedded Redis."""
