"""The JSON Lines outbox: one line per alert, appended, for scripts and for the default config.

Several worker processes append to the same file, so each line goes out in one ``write`` on a
descriptor opened with O_APPEND: the kernel places every such write at the end of the file as a
unit, and lines from different processes never interleave.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from monitor.config import OutboxChannel
from monitor.errors import DeliveryError, PermanentDeliveryError
from workers.channels.base import Notifier, SendContext
from workers.render import Message

OUTBOX_NAME = "outbox.jsonl"


def outbox_path(cfg: OutboxChannel, data_dir: Path) -> Path:
    """The configured path (already resolved against the config file), else one in data_dir."""
    return cfg.path if cfg.path else data_dir / OUTBOX_NAME


def append_line(path: Path, line: bytes) -> None:
    """Append one whole line with a single write (O_APPEND), as the module docstring explains."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        written = os.write(fd, line)
    finally:
        os.close(fd)
    if written != len(line):
        raise OSError(f"short write ({written} of {len(line)} bytes)")


class OutboxNotifier(Notifier[OutboxChannel]):
    config = OutboxChannel

    def send(self, message: Message, name: str, cfg: OutboxChannel, ctx: SendContext) -> None:
        path = outbox_path(cfg, ctx.data_dir)
        record = {**message.payload, "channel": name, "subject": message.subject}
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        try:
            append_line(path, line.encode("utf-8"))
        except (IsADirectoryError, PermissionError) as exc:
            raise PermanentDeliveryError(f"outbox {path}", f"cannot write: {exc}") from exc
        except OSError as exc:
            raise DeliveryError(f"outbox {path}", f"cannot write: {exc}") from exc
