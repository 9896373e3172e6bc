"""Docker cannot run here, so the compose file is checked for what can go wrong without it."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml

from monitor.cli import build_parser
from monitor.config import load_config

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_are_redis_scheduler_and_worker() -> None:
    assert {"redis", "scheduler", "worker"} <= set(COMPOSE["services"])
    assert "--appendonly" in COMPOSE["services"]["redis"]["command"]
    assert any(v.startswith("redis-data:") for v in COMPOSE["services"]["redis"]["volumes"])


@pytest.mark.parametrize("service", ["scheduler", "worker"])
def test_commands_are_valid_newsmonitor_invocations(service: str) -> None:
    cmd = COMPOSE["services"][service]["command"]
    argv = shlex.split(cmd) if isinstance(cmd, str) else list(cmd)
    assert argv[0] == "newsmonitor"
    args = build_parser().parse_args(argv[1:])
    assert args.command == {"scheduler": "run", "worker": "worker"}[service]
    if service == "scheduler":
        assert args.no_workers is True


@pytest.mark.parametrize("service", ["scheduler", "worker"])
def test_mounted_host_paths_exist_and_config_is_valid(service: str) -> None:
    for volume in COMPOSE["services"][service]["volumes"]:
        host, container = volume.split(":")[:2]
        assert (ROOT / host).exists(), f"{service} mounts missing {host}"
        if container.endswith(".yaml"):
            cfg = load_config(ROOT / host)
            assert cfg.rules.as_posix() in [
                v.split(":")[1] for v in COMPOSE["services"][service]["volumes"]
            ]
    assert COMPOSE["services"][service]["environment"]["REDIS_URL"].startswith("redis://redis:")
