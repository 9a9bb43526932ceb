"""Zalo and ZNS settings: secrets from the environment only, validated with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifier.errors import ConfigError
from notifier.render import MessageKind
from notifier.settings import load_settings

TOKEN = "1234567890:AbCdEfGh-zalo"
ZNS_ENV = {
    "NOTIFIER_ZNS_APP_ID": "4200000000000000001",
    "NOTIFIER_ZNS_SECRET_KEY": "app-secret",
    "NOTIFIER_ZNS_REFRESH_TOKEN": "RT-0",
}


def write(config_dir: Path, text: str) -> None:
    (config_dir / "notifier.yaml").write_text(text, encoding="utf-8")


def test_secrets_come_from_the_environment(tmp_path: Path) -> None:
    write(tmp_path, "zalo:\n  webhook_url: https://tb.example.vn/zalo\n")
    env = {
        "NOTIFIER_ZALO_BOT_TOKEN": TOKEN,
        "NOTIFIER_ZALO_WEBHOOK_SECRET": "bi-mat-12345",
        "NOTIFIER_ZALO_API_URL": "http://127.0.0.1:9000",
        **ZNS_ENV,
    }
    settings = load_settings(tmp_path, env=env)
    assert settings.zalo_bot_token == TOKEN
    assert settings.zalo_webhook_secret == "bi-mat-12345"
    assert settings.file.zalo.api_url == "http://127.0.0.1:9000"
    assert settings.file.zalo.webhook_url == "https://tb.example.vn/zalo"
    assert (settings.zns_app_id, settings.zns_secret_key, settings.zns_refresh_token) == (
        "4200000000000000001",
        "app-secret",
        "RT-0",
    )
    assert TOKEN not in repr(settings) and "RT-0" not in repr(settings)


def test_zns_templates_by_message_kind(tmp_path: Path) -> None:
    write(
        tmp_path,
        "zns:\n  api_url: http://127.0.0.1:9001\n  templates:\n"
        "    reminder: '250001'\n    overdue: 250002\n",
    )
    settings = load_settings(tmp_path, env={})
    assert settings.file.zns.templates == {
        MessageKind.REMINDER: "250001",
        MessageKind.OVERDUE: "250002",
    }
    assert settings.file.zns.api_url == "http://127.0.0.1:9001"


@pytest.mark.parametrize(
    ("yaml", "expected"),
    [
        ("zns:\n  templates:\n    nhac_han: '1'\n", "notifier.yaml:3.*nhac_han"),
        ("zns:\n  templates:\n    reminder: 'mẫu 1'\n", "notifier.yaml:3.*'250001'"),
        ("zalo:\n  webhook_url: http://tb.example.vn/zalo\n", "notifier.yaml:2.*https://"),
        (
            "zalo:\n  bot_token: '1:abc'\n",
            "bot_token' là thông tin bí mật.*NOTIFIER_ZALO_BOT_TOKEN",
        ),
        ("zns:\n  refresh_token: RT\n", "refresh_token' là thông tin bí mật.*NOTIFIER_ZNS_REFRESH"),
    ],
)
def test_bad_files_name_the_line_and_what_is_valid(
    tmp_path: Path, yaml: str, expected: str
) -> None:
    write(tmp_path, yaml)
    with pytest.raises(ConfigError, match=expected):
        load_settings(tmp_path, env={})


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"NOTIFIER_ZALO_WEBHOOK_SECRET": "ngan"}, "4 ký tự; .* từ 8 đến 256"),
        ({"NOTIFIER_ZALO_WEBHOOK_SECRET": "x" * 257}, "257 ký tự"),
        ({"NOTIFIER_ZALO_BOT_TOKEN": "no-colon"}, "'<mã bot>:<chuỗi bí mật>'"),
        ({"NOTIFIER_ZALO_BOT_TOKEN": "abc:def"}, "'<mã bot>:<chuỗi bí mật>'"),
        (
            {"NOTIFIER_ZNS_APP_ID": "42"},
            "còn thiếu: NOTIFIER_ZNS_REFRESH_TOKEN, NOTIFIER_ZNS_SECRET",
        ),
    ],
)
def test_bad_variables_are_refused(tmp_path: Path, env: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError, match=expected) as caught:
        load_settings(tmp_path, env=env)
    assert "no-colon" not in str(caught.value)


def test_a_webhook_secret_at_the_limits_is_accepted(tmp_path: Path) -> None:
    for secret in ("x" * 8, "x" * 256):
        settings = load_settings(tmp_path, env={"NOTIFIER_ZALO_WEBHOOK_SECRET": secret})
        assert settings.zalo_webhook_secret == secret


def test_a_webhook_that_is_not_https_is_told_once_with_its_key_and_value(tmp_path: Path) -> None:
    (tmp_path / "notifier.yaml").write_text("zalo:\n  webhook_url: http://tb.example.vn/zalo\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path, env={})
    assert [p.replace(str(tmp_path) + "/", "") for p in caught.value.problems] == [
        "notifier.yaml:2: zalo.webhook_url: phải là địa chỉ https:// (Zalo chỉ gọi qua HTTPS)"
        " (đang ghi: 'http://tb.example.vn/zalo')"
    ]
