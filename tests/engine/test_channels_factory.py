"""Channels built from Settings: email with an SMTP host, telegram with a token, console always."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifier.channels.email import EmailChannel, SmtpSecurity
from notifier.channels.telegram import TelegramChannel
from notifier.clock import SystemClock
from notifier.engine.channels import build_channels, rate_limits, telegram_base_url
from notifier.settings import load_settings


def test_embedded_default_is_console_only(config_dir: Path) -> None:
    channels = build_channels(load_settings(config_dir, env={}), SystemClock(), echo=False)
    assert channels.configured == {"console"}
    assert channels.get("email") is channels.get("console")  # unconfigured: console


@pytest.mark.parametrize(("security", "port"), [("none", 25), ("starttls", 587), ("ssl", 465)])
def test_smtp_port_defaults_by_security(config_dir: Path, security: str, port: int) -> None:
    env = {"NOTIFIER_SMTP_HOST": "mail.example.vn", "NOTIFIER_SMTP_SECURITY": security,
           "NOTIFIER_SMTP_PASSWORD": "pw", "NOTIFIER_SMTP_USERNAME": "u"}  # fmt: skip
    channels = build_channels(load_settings(config_dir, env=env), SystemClock(), echo=False)
    email = channels.get("email")
    assert isinstance(email, EmailChannel)
    s = email.settings
    assert (s.host, s.port, s.security, s.username, s.password) == (
        "mail.example.vn", port, SmtpSecurity(security), "u", "pw",
    )  # fmt: skip


def test_telegram_with_a_token_and_self_hosted_server(config_dir: Path) -> None:
    env = {"NOTIFIER_TELEGRAM_TOKEN": "1:abc", "NOTIFIER_TELEGRAM_API_URL": "http://bot:8081/"}
    channels = build_channels(load_settings(config_dir, env=env), SystemClock(), echo=False)
    telegram = channels.get("telegram")
    assert isinstance(telegram, TelegramChannel)
    assert telegram.bot.base_url == "http://bot:8081/bot1:abc"
    assert channels.configured == {"console", "telegram"}


def test_telegram_base_url_convention() -> None:
    assert telegram_base_url(None) == "https://api.telegram.org/bot"
    assert telegram_base_url("http://h:8081") == "http://h:8081/bot"
    assert telegram_base_url("http://h:8081/bot") == "http://h:8081/bot"


def test_rate_limits_from_settings_and_zero_turns_one_off(config_dir: Path) -> None:
    settings = load_settings(config_dir, env={})
    assert rate_limits(settings) == {
        "bot:telegram": (30, 1.0), "chat:telegram": (1, 1.0), "group:telegram": (20, 60.0),
        "bot:zalo": (30, 1.0), "chat:zalo": (1, 1.0),
    }  # fmt: skip
    off = settings.file.rate_limits.model_copy(
        update={"telegram_per_chat_per_second": 0, "zalo_per_second": 0}
    )
    settings.file.rate_limits = off
    assert set(rate_limits(settings)) == {"bot:telegram", "group:telegram", "chat:zalo"}


def test_a_sender_without_an_address_is_refused_at_start(config_dir: Path) -> None:
    from notifier.errors import ConfigError

    env = {"NOTIFIER_SMTP_HOST": "mail.example.vn", "NOTIFIER_SMTP_FROM": "Văn phòng UBND"}
    with pytest.raises(ConfigError, match="NOTIFIER_SMTP_FROM.*'Văn phòng UBND' has no usable"):
        build_channels(load_settings(config_dir, env=env), SystemClock(), echo=False)
    env["NOTIFIER_SMTP_FROM"] = "Văn phòng UBND <vanphong@batu.example>"
    email = build_channels(load_settings(config_dir, env=env), SystemClock(), echo=False)
    assert isinstance(email.get("email"), EmailChannel)
