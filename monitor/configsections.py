"""The sections of newsmonitor.yaml other than channels, as frozen, validated models, and the
types every section shares (monitor/config.py puts them together and loads the file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from monitor.durations import Delay, Duration
from monitor.lifetimes import Lifetimes, lifetimes
from monitor.models import Feed

T = TypeVar("T")
NonEmptyList = Annotated[list[T], Field(min_length=1)]  # for the schema of one-or-many values
BASE_DIR = "base_dir"  # validation context: the folder relative paths are resolved against


def _against_base(value: Path, info: ValidationInfo) -> Path:
    """A relative path is relative to the config file's folder, not to wherever the command
    happens to run: one config must mean the same files from any working directory."""
    value = value.expanduser()
    base = (info.context or {}).get(BASE_DIR)
    return value if value.is_absolute() or base is None else Path(base) / value


# Every path-valued setting has this type, so none can be left out of the resolution.
ConfigPath = Annotated[Path, AfterValidator(_against_base)]
# Waits before a page that could not be read is tried again; then the feed's text is used.
# Worst case: 90 s of waits + 4 fetches of at most total_timeout (20 s) = under 3 minutes.
DEFAULT_PAGE_RETRIES = (10.0, 30.0, 50.0)


class FrozenModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class FeedConfig(FrozenModel):
    url: str
    name: str | None = None
    interval: Duration | None = None
    backfill: bool = False

    @field_validator("url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"feed url must be http(s): {v!r}")
        if not parts.hostname:
            raise ValueError(f"feed url has no host: {v!r}")
        return v

    def to_feed(self) -> Feed:
        return Feed(
            url=self.url, name=self.name or self.url, interval=self.interval, backfill=self.backfill
        )


class FetchConfig(FrozenModel):
    """Limits on every feed and page fetch, and what happens when a page cannot be read."""

    allow_private: bool = False
    connect_timeout: Duration = 5.0
    read_timeout: Duration = 15.0
    # One fetch (every redirect hop, headers and body) ends by then, however slowly it trickles.
    total_timeout: Duration = 20.0
    # A page that cannot be read now is tried again after these waits, then the entry is read
    # from the feed's own text.
    page_retries: list[Delay] = Field(
        default_factory=lambda: list(DEFAULT_PAGE_RETRIES), max_length=20
    )
    # A page still unreadable after its retries is read once more this much later, and its
    # text alerted on like an update of the feed's; 0 turns that off.
    page_reread_after: Delay = 900.0
    max_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    user_agent: str = "newsmonitor/0.1 (+https://github.com/newsmonitor)"


class PollingConfig(FrozenModel):
    """How feeds without an explicit interval are paced, and how many polls run at once."""

    min_interval: Duration = 60.0
    max_interval: Duration = 3600.0
    default_interval: Duration = 300.0
    threads: int = Field(default=16, ge=1)
    per_host: int = Field(default=2, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> PollingConfig:
        if not self.min_interval <= self.default_interval <= self.max_interval:
            raise ValueError("need min_interval <= default_interval <= max_interval")
        return self


class RetentionConfig(FrozenModel):
    """How long articles (with their events and stories) and seen markers are kept; with these
    every key that grows with the news has a lifetime, so Redis memory stays bounded."""

    articles: Duration = 30 * 86400.0
    seen: Duration = 90 * 86400.0  # must outlive an item's stay in its feed

    def lifetimes(self) -> Lifetimes:
        return lifetimes(self.articles, self.seen)


class DeliveryConfig(FrozenModel):
    retries: int = Field(default=5, ge=0)
    backoff: list[int] = Field(default_factory=lambda: [10, 30, 120, 600, 1800])


class HealthConfig(FrozenModel):
    """The /healthz and /metrics HTTP endpoint; loopback by default (it has no auth)."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=9464, ge=0, le=65535)  # 0: any free port (tests)


class ConsoleConfig(FrozenModel):
    """The web console on the health listener. Without a token it is read-only: saving a rule
    or retrying a delivery needs ``Authorization: Bearer <token>``."""

    enabled: bool = True
    token: SecretStr | None = None
    # Host names the console answers to; empty: loopback names when the listener is on
    # loopback (a web page's DNS-rebinding trick cannot read it), any name otherwise.
    allowed_hosts: list[str] = Field(default_factory=list)
    test_since: Duration = 3 * 86400.0  # the rule editor tests against articles this recent
    test_limit: int = Field(default=2000, ge=1)  # ... at most this many, newest first

    @field_validator("token", mode="before")
    @classmethod
    def _empty_is_none(cls, v: Any) -> Any:
        return None if v == "" else v  # ``token: "${CONSOLE_TOKEN:-}"``: read-only when unset

    @field_validator("token")
    @classmethod
    def _long_enough(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and len(v.get_secret_value()) < 8:
            raise ValueError("the console token must be at least 8 characters")
        return v
