"""Settings: ``config/notifier.yaml`` plus ``NOTIFIER_*`` environment overrides.

Read once at the entry point and passed down. Secrets (SMTP password, bot token,
signing key) come only from the environment: a secret written in the file is a
configuration error, because configuration folders get committed and copied.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from notifier.errors import ConfigError

DEFAULT_CONFIG_DIR = Path("config")
SECRET_KEYS = ("password", "token", "secret", "secret_key", "webhook_secret")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmailFile(_Strict):
    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    username: str | None = None
    security: Literal["none", "starttls", "ssl"] = "none"
    sender: str = "notifier@localhost"
    validate_certs: bool = True


class TelegramFile(_Strict):
    api_url: str | None = None
    webhook_url: str | None = None


class HttpFile(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)


class WebFile(_Strict):
    """The web board: session lifetimes and how often the board refreshes itself."""

    session_idle_minutes: float = Field(default=120, gt=0)
    session_max_hours: float = Field(default=12, gt=0)
    board_refresh_seconds: float = Field(default=30, gt=0, le=60)


class RateLimitsFile(_Strict):
    telegram_per_second: int = Field(default=30, ge=0)
    telegram_per_chat_per_second: int = Field(default=1, ge=0)
    telegram_group_per_minute: int = Field(default=20, ge=0)


class NotifierFile(_Strict):
    """The shape of config/notifier.yaml (every key optional)."""

    timezone: str = "Asia/Ho_Chi_Minh"
    database_url: str = "sqlite:///var/notifier.db"
    public_url: str = "http://127.0.0.1:8080"
    sweep_interval_seconds: float = Field(default=30, gt=0)
    dispatch_interval_seconds: float = Field(default=5, gt=0)
    console_path: str = "var/outbox.log"
    secret_key_file: str = "var/secret.key"
    admins: list[str] = Field(default_factory=list)
    email: EmailFile = Field(default_factory=EmailFile)
    telegram: TelegramFile = Field(default_factory=TelegramFile)
    http: HttpFile = Field(default_factory=HttpFile)
    web: WebFile = Field(default_factory=WebFile)
    rate_limits: RateLimitsFile = Field(default_factory=RateLimitsFile)


@dataclass(frozen=True)
class Settings:
    config_dir: Path
    file: NotifierFile
    database_url: str
    tz: ZoneInfo
    smtp_password: str | None = None
    telegram_token: str | None = None
    secret_key: str | None = None
    webhook_secret: str | None = None
    env: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def directory_path(self) -> Path:
        return self.config_dir / "directory.yaml"

    @property
    def calendar_path(self) -> Path:
        return self.config_dir / "calendar.yaml"

    @property
    def policy_path(self) -> Path:
        return self.config_dir / "policy.yaml"

    @property
    def templates_dir(self) -> Path:
        return self.config_dir / "templates"


_ENV_TO_FILE: dict[str, tuple[str, ...]] = {
    "NOTIFIER_DATABASE_URL": ("database_url",),
    "NOTIFIER_PUBLIC_URL": ("public_url",),
    "NOTIFIER_TIMEZONE": ("timezone",),
    "NOTIFIER_SMTP_HOST": ("email", "host"),
    "NOTIFIER_SMTP_PORT": ("email", "port"),
    "NOTIFIER_SMTP_USERNAME": ("email", "username"),
    "NOTIFIER_SMTP_SECURITY": ("email", "security"),
    "NOTIFIER_SMTP_FROM": ("email", "sender"),
    "NOTIFIER_TELEGRAM_API_URL": ("telegram", "api_url"),
    "NOTIFIER_TELEGRAM_WEBHOOK_URL": ("telegram", "webhook_url"),
    "NOTIFIER_HTTP_HOST": ("http", "host"),
    "NOTIFIER_HTTP_PORT": ("http", "port"),
}


def _refuse_secrets(raw: object, path: Path, prefix: str = "") -> list[str]:
    problems: list[str] = []
    if isinstance(raw, dict):
        for key, value in raw.items():
            name = f"{prefix}{key}"
            if str(key).lower() in SECRET_KEYS:
                problems.append(
                    f"{path}: '{name}' is a secret and must not be in a file; set it in the "
                    "environment instead (NOTIFIER_SMTP_PASSWORD, NOTIFIER_TELEGRAM_TOKEN, "
                    "NOTIFIER_SECRET_KEY, NOTIFIER_TELEGRAM_WEBHOOK_SECRET)"
                )
            problems += _refuse_secrets(value, path, f"{name}.")
    return problems


def _apply_env(raw: dict, env: Mapping[str, str]) -> dict:
    merged = {k: (dict(v) if isinstance(v, dict) else v) for k, v in raw.items()}
    for var, keys in _ENV_TO_FILE.items():
        if env.get(var):
            target = merged
            for key in keys[:-1]:
                target = target.setdefault(key, {})
            target[keys[-1]] = env[var]
    return merged


def load_settings(
    config_dir: Path | None = None,
    database_url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Read config/notifier.yaml, apply NOTIFIER_* variables, then CLI options."""
    from notifier.yamlconf import read_yaml, validate_model

    env = dict(os.environ if env is None else env)
    directory = config_dir or Path(env.get("NOTIFIER_CONFIG") or DEFAULT_CONFIG_DIR)
    if not directory.is_dir():
        raise ConfigError([f"{directory}: configuration folder not found (use --config DIR)"])
    path = directory / "notifier.yaml"
    document = read_yaml(path) if path.exists() else None
    raw = document.data if document is not None else {}
    if not isinstance(raw, dict):
        raise ConfigError([f"{path}:1: expected a mapping of settings at the top level"])
    problems = _refuse_secrets(raw, path)
    if problems:
        raise ConfigError(problems)
    merged = _apply_env(raw, env)
    file = validate_model(merged, NotifierFile, path, document)
    try:
        tz = ZoneInfo(file.timezone)
    except (KeyError, ValueError) as exc:
        raise ConfigError([f"{path}: unknown time zone {file.timezone!r} ({exc})"]) from None
    return Settings(
        config_dir=directory,
        file=file,
        database_url=database_url or file.database_url,
        tz=tz,
        smtp_password=env.get("NOTIFIER_SMTP_PASSWORD") or None,
        telegram_token=env.get("NOTIFIER_TELEGRAM_TOKEN") or None,
        secret_key=env.get("NOTIFIER_SECRET_KEY") or None,
        webhook_secret=env.get("NOTIFIER_TELEGRAM_WEBHOOK_SECRET") or None,
        env=env,
    )
