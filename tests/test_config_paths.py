"""Every path in the config is relative to the config file's folder, wherever the command runs."""

from __future__ import annotations

import types
import typing
from pathlib import Path

import pytest
from pydantic import AfterValidator, BaseModel

from monitor import configsections as config_module
from monitor.config import Config, OutboxChannel, load_config
from workers import context
from workers.channels.outbox import outbox_path

CONFIG = """\
data_dir: state
rules: ../shared-rules
channels:
  box: {type: outbox, path: out/alerts.jsonl}
  plain: {type: outbox}
"""


@pytest.fixture
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """cfg/nm.yaml, and the command runs from a sibling folder ``elsewhere``."""
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "nm.yaml").write_text(CONFIG)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    return tmp_path


def test_every_path_resolves_against_the_config_folder(layout: Path) -> None:
    cfg = load_config("../cfg/nm.yaml")
    cfg_dir = (layout / "cfg").resolve()
    assert cfg.data_dir == cfg_dir / "state"
    assert cfg.rules == cfg_dir / "../shared-rules"
    box, plain = cfg.channels["box"], cfg.channels["plain"]
    assert isinstance(box, OutboxChannel) and isinstance(plain, OutboxChannel)
    assert outbox_path(box, cfg.data_dir) == cfg_dir / "out" / "alerts.jsonl"
    assert outbox_path(plain, cfg.data_dir) == cfg_dir / "state" / "outbox.jsonl"


def test_absent_paths_default_to_the_config_folder(layout: Path) -> None:
    (layout / "cfg" / "empty.yaml").write_text("version: 1\n")
    cfg = load_config("../cfg/empty.yaml")
    assert cfg.data_dir == (layout / "cfg" / "data").resolve()
    assert cfg.rules == (layout / "cfg" / "rules").resolve()


def test_absolute_and_home_paths_are_kept(layout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(layout / "home"))
    (layout / "cfg" / "abs.yaml").write_text(
        f"data_dir: {layout / 'abs-data'}\nrules: ~/rules\n"
        "channels: {box: {type: outbox, path: ~/box.jsonl}}\n"
    )
    cfg = load_config("../cfg/abs.yaml")
    assert cfg.data_dir == layout / "abs-data"
    assert cfg.rules == layout / "home" / "rules"
    assert cfg.channels["box"].path == layout / "home" / "box.jsonl"  # type: ignore[union-attr]


def test_the_builtin_default_resolves_against_the_current_folder(layout: Path) -> None:
    cfg = load_config(None)
    assert cfg.source == "(default config)"
    assert cfg.data_dir == layout / "elsewhere" / "data"
    assert cfg.rules == layout / "elsewhere" / "rules"


def test_a_worker_in_another_folder_loads_the_same_paths(
    layout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers (spawned, or on another machine) load the config named by NEWSMONITOR_CONFIG."""
    monkeypatch.setenv(context.CONFIG_ENV, str(layout / "cfg" / "nm.yaml"))
    monkeypatch.chdir(layout)
    cfg = context.current_config()
    assert cfg.data_dir == (layout / "cfg" / "state").resolve()
    assert cfg.channels["box"].path == (layout / "cfg" / "out" / "alerts.jsonl").resolve()  # type: ignore[union-attr]


def _path_fields(model: type[BaseModel], prefix: str = "") -> typing.Iterator[tuple[str, bool]]:
    """(dotted field, resolved?) for every Path-valued field of the config, channels included."""
    for name, field in model.model_fields.items():
        yield from _paths_in(field.annotation, field.metadata, f"{prefix}{name}")


def _paths_in(tp: object, metadata: list[object], where: str) -> typing.Iterator[tuple[str, bool]]:
    origin = typing.get_origin(tp)
    if tp is Path:
        yield where, any(
            isinstance(m, AfterValidator) and m.func is config_module._against_base for m in metadata
        )
    elif origin is typing.Annotated:
        base, *extra = typing.get_args(tp)
        yield from _paths_in(base, [*metadata, *extra], where)
    elif isinstance(tp, type) and issubclass(tp, BaseModel):
        yield from _path_fields(tp, f"{where}.")
    elif origin in (typing.Union, types.UnionType, list, dict, tuple):
        for arg in typing.get_args(tp):
            yield from _paths_in(arg, metadata, where)


def test_no_path_setting_escapes_the_resolution() -> None:
    found = dict(_path_fields(Config))
    assert {"data_dir", "rules", "channels.path"} <= set(found)
    assert all(found.values()), [k for k, ok in found.items() if not ok]
