"""What every console request needs: the Redis, the config, and what it may not show."""

from __future__ import annotations

from dataclasses import dataclass, field

import redis

from monitor.config import Config
from monitor.console.safety import allowed_hosts, config_secrets


@dataclass(frozen=True)
class Console:
    r: redis.Redis
    cfg: Config
    bind_host: str
    secrets: tuple[str, ...] = field(default=())
    hosts: tuple[str, ...] = field(default=())

    @classmethod
    def create(cls, r: redis.Redis, cfg: Config, bind_host: str) -> Console:
        return cls(
            r,
            cfg,
            bind_host,
            tuple(config_secrets(cfg)),
            tuple(allowed_hosts(cfg.console, bind_host)),
        )

    @property
    def channels(self) -> list[str]:
        return sorted(self.cfg.channels)

    @property
    def writable(self) -> bool:
        return self.cfg.console.token is not None
