"""Settings: ``config/notifier.yaml`` plus ``NOTIFIER_*`` environment overrides.

Read once at the entry point and passed down. Secrets (SMTP password, bot tokens,
webhook secrets, signing key, the Zalo app secret and refresh token) come only from the
environment: a secret written in the file is a configuration error, because
configuration folders get committed and copied.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from notifier.errors import ConfigError
from notifier.vocab import MessageKind

DEFAULT_CONFIG_DIR = Path("config")
SECRET_KEYS = (
    "password",
    "token",
    "secret",
    "secret_key",
    "webhook_secret",
    "bot_token",
    "refresh_token",
    "app_secret",
)
SECRET_VARIABLES = (
    "NOTIFIER_SMTP_PASSWORD, NOTIFIER_TELEGRAM_TOKEN, NOTIFIER_SECRET_KEY, "
    "NOTIFIER_TELEGRAM_WEBHOOK_SECRET, NOTIFIER_ZALO_BOT_TOKEN, NOTIFIER_ZALO_WEBHOOK_SECRET, "
    "NOTIFIER_ZNS_SECRET_KEY, NOTIFIER_ZNS_REFRESH_TOKEN"
)
ZALO_SECRET_LENGTH = (8, 256)  # setWebhook's secret_token, as Zalo documents


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
    # the bot's @username for t.me links on the admin pages; None: asked with getMe
    username: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


def _https_url(value: str | None) -> str | None:
    """The key and the value written are told beside the message (yamlconf.describe_error)."""
    if value is not None and not value.startswith("https://"):
        raise ValueError("phải là địa chỉ https:// (Zalo chỉ gọi qua HTTPS)")
    return value


class ZaloFile(_Strict):
    """The Zalo Bot Platform bot; the token comes from NOTIFIER_ZALO_BOT_TOKEN."""

    api_url: str | None = None  # default https://bot-api.zaloplatforms.com
    webhook_url: str | None = None  # None: long polling

    @field_validator("webhook_url")
    @classmethod
    def _webhook_https(cls, value: str | None) -> str | None:
        return _https_url(value)


class ZnsFile(_Strict):
    """ZNS templates by message kind; app id, secret and refresh token from the environment."""

    api_url: str | None = None  # default https://business.openapi.zalo.me
    oauth_url: str | None = None  # default https://oauth.zaloapp.com
    templates: dict[MessageKind, str] = Field(default_factory=dict)

    @field_validator("templates", mode="before")
    @classmethod
    def _numbers_are_ids(cls, value: object) -> object:
        """``reminder: 250001`` (a YAML number) is as good as ``'250001'``."""
        if isinstance(value, dict):
            return {
                k: str(v) if isinstance(v, int) and not isinstance(v, bool) else v
                for k, v in value.items()
            }
        return value

    @field_validator("templates")
    @classmethod
    def _template_ids(cls, value: dict[MessageKind, str]) -> dict[MessageKind, str]:
        for kind, template_id in value.items():
            if not template_id.strip().isdigit():
                raise ValueError(
                    f"mã mẫu của {kind.value!r} phải là số Zalo cấp cho mẫu đã duyệt "
                    f"(ví dụ '250001'), đang ghi {template_id!r}"
                )
        return {kind: template_id.strip() for kind, template_id in value.items()}


class HttpFile(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)


class WebFile(_Strict):
    """The web board: session lifetimes and how often the board refreshes itself."""

    session_idle_minutes: float = Field(default=120, gt=0)
    session_max_hours: float = Field(default=12, gt=0)
    board_refresh_seconds: float = Field(default=30, gt=0, le=60)


class RateLimitsFile(_Strict):
    """Messages per bot and per chat; 0 turns a limit off. Zalo publishes none: its bot
    platform is shaped like Telegram's, so Telegram's figures are assumed."""

    telegram_per_second: int = Field(default=30, ge=0)
    telegram_per_chat_per_second: int = Field(default=1, ge=0)
    telegram_group_per_minute: int = Field(default=20, ge=0)
    zalo_per_second: int = Field(default=30, ge=0)
    zalo_per_chat_per_second: int = Field(default=1, ge=0)


class ContactFile(_Strict):
    """The person recipients may call about a message (name, position, phone)."""

    name: str = ""
    position: str = ""
    phone: str = ""


class OfficeFile(_Strict):
    """The monitoring office every message speaks for, and its contact line."""

    name: str = ""
    contact: ContactFile = Field(default_factory=ContactFile)

    def contact_line(self) -> str:
        """ "đồng chí Hồ Văn Tâm, Chuyên viên theo dõi kế hoạch, điện thoại 0255 3862 345"."""
        c = self.contact
        parts = [
            f"đồng chí {c.name}" if c.name else "",
            c.position,
            c.phone and f"điện thoại {c.phone}",
        ]
        return ", ".join(p for p in parts if p)


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
    zalo: ZaloFile = Field(default_factory=ZaloFile)
    zns: ZnsFile = Field(default_factory=ZnsFile)
    http: HttpFile = Field(default_factory=HttpFile)
    web: WebFile = Field(default_factory=WebFile)
    rate_limits: RateLimitsFile = Field(default_factory=RateLimitsFile)
    office: OfficeFile = Field(default_factory=OfficeFile)


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
    zalo_bot_token: str | None = field(default=None, repr=False)
    zalo_webhook_secret: str | None = field(default=None, repr=False)
    zns_app_id: str | None = None
    zns_secret_key: str | None = field(default=None, repr=False)
    zns_refresh_token: str | None = field(default=None, repr=False)
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
    "NOTIFIER_TELEGRAM_USERNAME": ("telegram", "username"),
    "NOTIFIER_ZALO_API_URL": ("zalo", "api_url"),
    "NOTIFIER_ZALO_WEBHOOK_URL": ("zalo", "webhook_url"),
    "NOTIFIER_ZNS_API_URL": ("zns", "api_url"),
    "NOTIFIER_ZNS_OAUTH_URL": ("zns", "oauth_url"),
    "NOTIFIER_CONSOLE_PATH": ("console_path",),
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
                    f"{path}: '{name}' là thông tin bí mật, không được ghi trong tệp; đặt nó "
                    f"bằng biến môi trường ({SECRET_VARIABLES})"
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


def _zalo_secrets(env: Mapping[str, str]) -> list[str]:
    """Problems with the Zalo variables: the token shape, the webhook secret length."""
    problems: list[str] = []
    token = env.get("NOTIFIER_ZALO_BOT_TOKEN") or ""
    bot_id, colon, secret = token.partition(":")
    if token and (
        not colon or not bot_id.isdigit() or not secret or any(c.isspace() for c in token)
    ):
        problems.append(
            "NOTIFIER_ZALO_BOT_TOKEN: không phải mã bot Zalo; cần dạng '<mã bot>:<chuỗi bí mật>' "
            "như Zalo Bot Creator gửi (ví dụ 1234567890:AbCd...), không có dấu cách"
        )
    low, high = ZALO_SECRET_LENGTH
    webhook_secret = env.get("NOTIFIER_ZALO_WEBHOOK_SECRET") or ""
    if webhook_secret and not low <= len(webhook_secret) <= high:
        problems.append(
            f"NOTIFIER_ZALO_WEBHOOK_SECRET: {len(webhook_secret)} ký tự; Zalo chỉ nhận "
            f"secret_token dài từ {low} đến {high} ký tự"
        )
    zns = [v for v in ("NOTIFIER_ZNS_APP_ID", "NOTIFIER_ZNS_SECRET_KEY") if env.get(v)]
    zns += ["NOTIFIER_ZNS_REFRESH_TOKEN"] if env.get("NOTIFIER_ZNS_REFRESH_TOKEN") else []
    if zns and len(zns) < 3:
        missing = sorted(
            {"NOTIFIER_ZNS_APP_ID", "NOTIFIER_ZNS_SECRET_KEY", "NOTIFIER_ZNS_REFRESH_TOKEN"}
            - set(zns)
        )
        problems.append(f"ZNS cần đủ ba biến môi trường; còn thiếu: {', '.join(missing)}")
    return problems


def load_settings(
    config_dir: Path | None = None,
    database_url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Read config/notifier.yaml, apply NOTIFIER_* variables, then CLI options."""
    from notifier.yamlconf import not_a_mapping, read_yaml, validate_model

    env = dict(os.environ if env is None else env)
    directory = config_dir or Path(env.get("NOTIFIER_CONFIG") or DEFAULT_CONFIG_DIR)
    if not directory.is_dir():
        raise ConfigError(
            [f"{directory}: không tìm thấy thư mục cấu hình (chỉ rõ bằng --config THƯ_MỤC)"]
        )
    path = directory / "notifier.yaml"
    document = read_yaml(path) if path.exists() else None
    raw = document.data if document is not None else {}
    if not isinstance(raw, dict):
        raise not_a_mapping(path)
    problems = _refuse_secrets(raw, path) + _zalo_secrets(env)
    if problems:
        raise ConfigError(problems)
    merged = _apply_env(raw, env)
    file = validate_model(merged, NotifierFile, path, document)
    try:
        tz = ZoneInfo(file.timezone)
    except (KeyError, ValueError) as exc:
        raise ConfigError([f"{path}: không có múi giờ {file.timezone!r} ({exc})"]) from None
    return Settings(
        config_dir=directory,
        file=file,
        database_url=database_url or file.database_url,
        tz=tz,
        smtp_password=env.get("NOTIFIER_SMTP_PASSWORD") or None,
        telegram_token=env.get("NOTIFIER_TELEGRAM_TOKEN") or None,
        secret_key=env.get("NOTIFIER_SECRET_KEY") or None,
        webhook_secret=env.get("NOTIFIER_TELEGRAM_WEBHOOK_SECRET") or None,
        zalo_bot_token=env.get("NOTIFIER_ZALO_BOT_TOKEN") or None,
        zalo_webhook_secret=env.get("NOTIFIER_ZALO_WEBHOOK_SECRET") or None,
        zns_app_id=env.get("NOTIFIER_ZNS_APP_ID") or None,
        zns_secret_key=env.get("NOTIFIER_ZNS_SECRET_KEY") or None,
        zns_refresh_token=env.get("NOTIFIER_ZNS_REFRESH_TOKEN") or None,
        env=env,
    )
