"""What a user of the checkout and of the installed package can see: licence and ignored files."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from importlib.metadata import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_licence_is_apache_2_in_the_repo_and_the_installed_metadata() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "Apache-2.0" and project["license-files"] == ["LICENSE"]
    assert metadata("newsmonitor")["License-Expression"] == "Apache-2.0"
    assert "COPY pyproject.toml README.md LICENSE" in (ROOT / "Dockerfile").read_text()


def git(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True, timeout=30)


def test_the_users_own_config_is_ignored_and_the_examples_stay_tracked() -> None:
    if shutil.which("git") is None or git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("not a git checkout")
    assert git("check-ignore", "-q", "newsmonitor.yaml").returncode == 0
    examples = ("deploy/newsmonitor.yaml", "monitor/defaults/newsmonitor.yaml")
    for path in examples:
        assert git("check-ignore", "-q", "--no-index", path).returncode == 1, path
    assert set(git("ls-files", *examples).stdout.split()) == set(examples)
