"""Signed callback data and answer links: valid ones read back, anything else is refused."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from notifier.errors import Refused
from notifier.signing import (
    answer_links,
    callback_data,
    load_secret_key,
    make_token,
    parse_callback_data,
    read_token,
)
from notifier.vocab import RECIPIENT_ANSWERS, AckAction

KEY = b"test-key"
NOW = datetime(2024, 4, 22, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("action", RECIPIENT_ANSWERS)
def test_callback_data_round_trips_and_fits_telegram(action: AckAction) -> None:
    data = callback_data(KEY, 123456789, action)
    assert len(data.encode()) <= 64
    assert parse_callback_data(KEY, data) == (123456789, action)


@pytest.mark.parametrize(
    "forged",
    ["a:d:12:AAAAAAAAAAAAAAAA", "x", "a:z:1:abc", "a:d:abc:abc", ""],
)
def test_forged_callback_data_is_refused(forged: str) -> None:
    with pytest.raises(Refused):
        parse_callback_data(KEY, forged)


def test_altered_callback_data_is_refused() -> None:
    data = callback_data(KEY, 7, AckAction.RECEIVED)
    with pytest.raises(Refused):
        parse_callback_data(KEY, data.replace(":7:", ":8:"))
    with pytest.raises(Refused):
        parse_callback_data(b"other-key", data)


def test_token_valid_until_thirty_days() -> None:
    token = make_token(KEY, 5, 9, AckAction.DONE, NOW)
    answer = read_token(KEY, token, NOW + timedelta(days=29, hours=23))
    assert (answer.notification_id, answer.person_id, answer.action) == (5, 9, AckAction.DONE)
    with pytest.raises(Refused, match="hết hạn"):
        read_token(KEY, token, NOW + timedelta(days=30))


def test_tampered_token_is_refused() -> None:
    token = make_token(KEY, 5, 9, AckAction.RECEIVED, NOW)
    payload, signature = token.split(".")
    other = make_token(KEY, 6, 9, AckAction.RECEIVED, NOW).split(".")[0]
    for bad in (f"{other}.{signature}", f"{payload}.{signature[:-1]}A", payload, "", "a.b"):
        with pytest.raises(Refused):
            read_token(KEY, bad, NOW)


def test_answer_links_use_public_url() -> None:
    links = answer_links(KEY, "https://nhac.batu.example/", 5, 9, NOW)
    assert set(links) == {"received", "done", "blocked", "extension_requested"}
    assert all(url.startswith("https://nhac.batu.example/a/") for url in links.values())


def test_secret_key_file_is_created_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret.key"
    first = load_secret_key(None, path)
    assert len(first) >= 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_secret_key(None, path) == first
    assert load_secret_key("from-env", path) == b"from-env"


def test_a_key_file_that_cannot_be_written_is_a_config_error_naming_it(tmp_path: Path) -> None:
    from notifier.errors import ConfigError

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="not-a-folder/secret.key: không đọc hoặc tạo được"):
        load_secret_key(None, blocked / "secret.key")


def test_an_empty_key_file_is_refused_never_used_to_sign(tmp_path: Path) -> None:
    from notifier.errors import ConfigError

    path = tmp_path / "secret.key"
    path.write_bytes(b"\n")
    with pytest.raises(ConfigError, match="tệp khóa ký rỗng"):
        load_secret_key(None, path)


def test_the_key_file_is_whole_or_absent_and_leaves_nothing_aside(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret.key"
    load_secret_key(None, path)
    assert [p.name for p in path.parent.iterdir()] == ["secret.key"]
