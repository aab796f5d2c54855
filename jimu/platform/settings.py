"""Settings, read from ``JIMU_*`` environment variables (and a ``.env`` file if present).

Every setting has a working default, so ``jimu demo`` runs with none set: the database is a
SQLite file in the data directory, and the secret key is generated on first run and stored in
``<data_dir>/secret_key`` (readable only by its owner) so sessions survive restarts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_KEY_FILE = "secret_key"
DATABASE_FILE = "jimu.db"


class RobotChannel(BaseModel):
    """A DingTalk / WeCom / Feishu group robot a rule's notify action may name."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["dingtalk", "wecom", "feishu"]
    url: str = Field(pattern=r"^https?://[^/\s]+")
    #: The robot's signing secret ("加签"); empty for WeCom and unsigned robots.
    secret: str = ""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="JIMU_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Path("data")
    database_url: str = ""
    #: A read replica of the database (``JIMU_READ_REPLICA_URL``): charts and dashboards read
    #: their rows from it, so analysts never slow the primary down (docs/reports.md).
    read_replica_url: str = ""
    secret_key: str = ""
    #: The public address (``https://jimu.example.com``) links to Jimu start with; empty, the
    #: address each request came to (set it behind a proxy that rewrites the host).
    base_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000

    # The database connection pool (docs/install.md, "Under load"). A request holds at most
    # one connection at a time; one that waits ``db_pool_timeout`` seconds for a free one is
    # answered 503 with Retry-After.
    #: Connections kept open, and extra ones opened when those are all in use.
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=30, ge=0)
    db_pool_timeout: float = Field(default=5.0, gt=0)

    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "jimu@localhost"
    smtp_starttls: bool = False

    # The delivery worker (docs/notifications.md): retries after backoff * 2^(attempt - 1)
    # seconds, at most backoff_max; a send that never reported back is retried after the lease.
    delivery_backoff_seconds: float = Field(default=30.0, gt=0)
    delivery_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    delivery_lease_seconds: float = Field(default=300.0, gt=0)
    delivery_poll_seconds: float = Field(default=5.0, gt=0)
    #: Run the delivery worker inside ``jimu serve``.
    delivery_worker: bool = True
    # Where rules send (docs/rules.md, "Channels and secrets"): rule documents name a robot
    # or a secret, never hold one (documents are exported and versioned; secrets are not).
    #: Group robots by name: ``{"sales-group": {"kind": "dingtalk", "url": ..., "secret":
    #: ...}}`` (JSON in ``JIMU_ROBOTS``).
    robots: dict[str, RobotChannel] = Field(default_factory=dict)
    #: Outgoing webhooks' signing secrets by name: ``{"erp": "..."}`` (JSON in
    #: ``JIMU_WEBHOOK_SECRETS``).
    webhook_secrets: dict[str, str] = Field(default_factory=dict)

    session_hours: int = 24 * 14
    #: Send the session cookie over HTTPS only; by default, when ``base_url`` is https.
    cookie_secure: bool | None = None

    # Sign-in hardening (docs/security.md).
    # Password checks that fail are counted per client address and per username; past the free
    # ones, each further failure makes that address or username wait, doubling from
    # ``login_backoff_seconds`` up to ``login_backoff_max_seconds``.
    login_address_free_failures: int = Field(default=10, ge=0)
    login_account_free_failures: int = Field(default=5, ge=0)
    login_backoff_seconds: int = Field(default=1, ge=1)
    login_backoff_max_seconds: int = Field(default=900, ge=1)
    #: Failures are forgotten after this long without another (never before the wait ends).
    login_failure_memory_minutes: int = Field(default=60, ge=1)
    #: A session unused for this long ends (besides the absolute ``session_hours``).
    session_idle_hours: float = 8
    password_min_length: int = 10
    #: How long a one-time link to choose a password (an invitation or a reset) stays valid.
    invitation_hours: int = Field(default=72, ge=1)

    # Single sign-on through OpenID Connect (off while ``oidc_issuer`` is empty).
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_label: str = "SSO"
    oidc_scopes: str = "openid email profile"
    #: The ID-token claim that becomes the username of a user created at first sign-in.
    oidc_username_claim: str = "preferred_username"
    #: Create a user at the first sign-in of an unknown identity (else it is refused).
    oidc_create_users: bool = False

    # Public forms (docs/public-forms.md).
    #: Submissions one client IP may make to one public form per minute and per hour.
    public_form_per_minute: int = 10
    public_form_per_hour: int = 100
    #: The largest request body a public form accepts (bytes) and the longest value of a field.
    public_form_max_bytes: int = 64 * 1024
    public_form_max_chars: int = 5000
    #: Origins of other sites whose pages may post to ``/api/public/...`` (comma-separated,
    #: or ``*``); none by default, so only pages served by Jimu itself can (CORS).
    public_form_origins: str = ""
    #: ``jimu serve`` and the demo run a rule worker in their own process (docs/rules.md).
    worker_in_process: bool = True
    #: Seconds between the rule worker's polls when no commit or NOTIFY wakes it.
    worker_poll_seconds: float = Field(default=2.0, gt=0)
    #: A chain of rule writes deeper than this stops with a warning (loop safety).
    rule_max_depth: int = Field(default=8, ge=1)
    #: Attempts of a failing rule run before it becomes a dead letter, and the first backoff.
    rule_max_attempts: int = Field(default=5, ge=1)
    rule_retry_seconds: float = Field(default=5.0, gt=0)
    #: The time zone (IANA name) of apps whose document sets none: schedules and date fields
    #: of rules are read in it (docs/rules.md).
    time_zone: str = "UTC"

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from jimu.metadata.time_zone import zone_named

        if zone_named(value) is None:
            raise ValueError(f"{value!r} is not an IANA time zone (like Asia/Shanghai)")
        return value

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        self.data_dir = self.data_dir.expanduser().resolve()
        if not self.database_url:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.database_url = f"sqlite:///{self.data_dir / DATABASE_FILE}"
        if not self.secret_key:
            self.secret_key = stored_secret_key(self.data_dir)
        if self.cookie_secure is None:
            self.cookie_secure = self.base_url.startswith("https://")
        return self

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host)

    def public_url(self, request_base_url: str) -> str:
        """The start of links to Jimu: ``base_url`` when set, else the request's own address."""
        return (self.base_url or request_base_url).rstrip("/")


def stored_secret_key(data_dir: Path) -> str:
    """The secret key kept in ``data_dir``, generated and written there on first use."""
    path = data_dir / SECRET_KEY_FILE
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key
