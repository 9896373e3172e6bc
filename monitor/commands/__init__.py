"""One module per ``newsmonitor`` subcommand; each exposes ``register(subparsers)``."""
