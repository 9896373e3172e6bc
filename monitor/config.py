"""The daemon's configuration: newsmonitor.yaml parsed once into frozen, validated settings.

Every key is optional. ``${VAR}`` (or ``${VAR:-default}``) is expanded in string values only,
after parsing, so an environment value can never change the YAML structure. Secrets are
``SecretStr``: ``str()`` and ``repr()`` of a channel never show them.
"""

from __future__ import annotations

import os
import re
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from monitor.apprise_urls import check_apprise_url, mask_apprise_url
from monitor.configsections import (
    BASE_DIR,
    ConfigPath,
    ConsoleConfig,
    DeliveryConfig,
    FeedConfig,
    FetchConfig,
    FrozenModel,
    HealthConfig,
    NonEmptyList,
    PollingConfig,
    RetentionConfig,
)
from monitor.durations import Delay, Duration
from monitor.errors import ConfigError
from monitor.models import Feed
from monitor.yamlpos import Positions, YAMLSyntaxError, load_yaml, pydantic_problems

CONFIG_NAME = "newsmonitor.yaml"
# Where secrets live (passwords, tokens in URLs): an error there never quotes the value.
SECRET_ROOTS = ("channels", "redis_url")
_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def mask_url(url: str) -> str:
    """A URL safe to log: userinfo and query (where tokens hide) are masked."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    if parts.username or parts.password:
        netloc = "***@" + netloc
    return urlunsplit((parts.scheme, netloc, parts.path, "***" if parts.query else "", ""))


class _Channel(FrozenModel):
    def __str__(self) -> str:
        return f"{type(self).__name__}({self.describe()})"

    def __repr__(self) -> str:
        return str(self)

    def describe(self) -> str:
        return ""


class EmailChannel(_Channel):
    type: Literal["email"]
    to: list[str] = Field(min_length=1)
    sender: str = Field(alias="from")
    smtp_host: str
    smtp_port: int = 587
    starttls: bool = True
    ssl: bool = False
    username: str | None = None
    password: SecretStr | None = None
    timeout: Duration = 30.0

    @field_validator("to", mode="before", json_schema_input_type=str | NonEmptyList[str])
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @model_validator(mode="after")
    def _tls(self) -> EmailChannel:
        if self.ssl and self.starttls:
            raise ValueError("choose one of ssl (implicit TLS, port 465) and starttls")
        return self

    def describe(self) -> str:
        return f"to={self.to}, smtp={self.smtp_host}:{self.smtp_port}"


class WebhookChannel(_Channel):
    type: Literal["webhook"]
    url: str
    secret: SecretStr | None = None
    timeout: Duration = 10.0
    headers: dict[str, SecretStr] = Field(default_factory=dict)

    def describe(self) -> str:
        return f"url={mask_url(self.url)}, signed={self.secret is not None}"


class ConsoleChannel(_Channel):
    type: Literal["console"]


class OutboxChannel(_Channel):
    """Appends each alert as one JSON line to a file (default: <data_dir>/outbox.jsonl)."""

    type: Literal["outbox"]
    path: ConfigPath | None = None

    def describe(self) -> str:
        return f"path={self.path}"


def _apprise_url(v: SecretStr) -> SecretStr:
    check_apprise_url(v.get_secret_value())
    return v


class AppriseChannel(_Channel):
    """Any service Apprise reaches (Slack, Telegram, ntfy, Matrix, Discord, Teams, ...), by URL.

    The URLs hold the secrets, so they are SecretStr, and their errors never echo them.
    """

    type: Literal["apprise"]
    urls: list[Annotated[SecretStr, AfterValidator(_apprise_url)]] = Field(min_length=1)
    timeout: Duration = 30.0

    @field_validator(
        "urls", mode="before", json_schema_input_type=SecretStr | NonEmptyList[SecretStr]
    )
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    def describe(self) -> str:
        return f"urls=[{', '.join(mask_apprise_url(u.get_secret_value()) for u in self.urls)}]"


ChannelConfig = Annotated[
    EmailChannel | WebhookChannel | ConsoleChannel | OutboxChannel | AppriseChannel,
    Field(discriminator="type"),
]


class Config(FrozenModel):
    # Secrets (passwords, Apprise URLs) must not ride along in a ValidationError's text, which
    # is chained to every ConfigError and printed with its traceback at --log-level DEBUG.
    model_config = ConfigDict(hide_input_in_errors=True)

    version: Literal[1] = 1
    redis_url: str | None = None
    data_dir: ConfigPath = Field(default=Path("./data"), validate_default=True)
    rules: ConfigPath = Field(default=Path("./rules"), validate_default=True)
    feeds: list[FeedConfig] = Field(default_factory=list)
    channels: dict[str, ChannelConfig] = Field(default_factory=dict)
    fetch: FetchConfig = Field(default_factory=FetchConfig)
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)
    polling: PollingConfig = Field(default_factory=PollingConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    health: HealthConfig = Field(default_factory=HealthConfig)
    console: ConsoleConfig = Field(default_factory=ConsoleConfig)
    workers: int | None = Field(default=None, ge=1)
    job_timeout: Duration = 300.0
    # On SIGINT/SIGTERM, running jobs get this long to finish; then their workers are killed
    # and the jobs requeued. The stop is over within shutdown_grace + 5 s.
    shutdown_grace: Delay = 10.0  # 0: kill busy workers at once (their jobs are requeued)
    source: SkipJsonSchema[str] = Field(default="(defaults)", exclude=True)

    @model_validator(mode="after")
    def _unique_feed_names(self) -> Config:
        seen: set[str] = set()
        for f in self.feeds:
            name = f.name or f.url
            if name in seen:
                raise ValueError(f"two feeds are named {name!r}")
            seen.add(name)
        return self

    @cached_property
    def configured_feeds(self) -> tuple[Feed, ...]:
        """The config's feeds as Feeds, built once (the daemon reconciles them every 10 s)."""
        return tuple(f.to_feed() for f in self.feeds)

    def feed_list(self) -> list[Feed]:
        return list(self.configured_feeds)


def _expand(value: Any, path: tuple[str | int, ...], positions: Positions) -> Any:
    if isinstance(value, dict):
        return {k: _expand(v, (*path, str(k)), positions) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, (*path, i), positions) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def sub(m: re.Match[str]) -> str:
        name, default = m.group(1), m.group(2)
        if name in os.environ:
            return os.environ[name]
        if default is not None:
            return default
        raise ConfigError(positions.where(path), f"environment variable {name} is not set")

    return _ENV_RE.sub(sub, value)


def parse_config(text: str, file: str, base: Path | None = None) -> Config:
    """Validate config text; every problem is reported with file:line:column. Relative paths
    are resolved against ``base`` (the config file's folder) when it is given."""
    try:
        data, positions = load_yaml(text, file)
    except YAMLSyntaxError as exc:
        raise ConfigError(exc.where, exc.problem, retryable=False) from exc
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ConfigError(f"{file}:1:1", "the config must be a mapping of keys to values")
    if "source" in data:  # the model's own field (the file's name), not a config key
        raise ConfigError(positions.where(("source",), key=True), "unknown key 'source'")
    data = _expand(data, (), positions)
    try:
        cfg = Config.model_validate({**data, "source": file}, context={BASE_DIR: base})
    except ValidationError as exc:
        exc._newsmonitor_model = Config  # type: ignore[attr-defined]
        problems = pydantic_problems(exc, positions, SECRET_ROOTS)
        raise ConfigError(
            problems[0][0],
            "; ".join(f"{w}: {m}" if w != problems[0][0] else m for w, m in problems),
        ) from exc
    env_url = os.environ.get("REDIS_URL")
    if env_url:
        cfg = cfg.model_copy(update={"redis_url": env_url})
    return cfg


def default_config_text() -> str:
    return (resources.files("monitor") / "defaults" / CONFIG_NAME).read_text(encoding="utf-8")


def load_config(path: str | Path | None = None) -> Config:
    """The given file; else ./newsmonitor.yaml; else the packaged default (paths from CWD)."""
    if path is None and Path(CONFIG_NAME).exists():
        path = CONFIG_NAME
    if path is None:
        return parse_config(default_config_text(), "(default config)", base=Path.cwd())
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(p), f"cannot read config: {exc.strerror or exc}") from exc
    return parse_config(text, str(p), base=p.resolve().parent)
