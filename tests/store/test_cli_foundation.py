"""The foundation CLI: init, sync, agency and contact commands, and bad configuration."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult

Cli = Callable[..., CliResult]


def _db_bytes(db: Path) -> bytes:
    wal = db.with_name(db.name + "-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_init_twice_changes_nothing(cli: Cli, config_dir: Path, db_url: str) -> None:
    first = cli("--config", config_dir, "--db", db_url, "init")
    assert first.code == 0, first.err
    assert "Danh bạ: thêm" in first.out
    second = cli("--config", config_dir, "--db", db_url, "init")
    assert second.code == 0
    assert "Danh bạ không thay đổi" in second.out
    agencies = json.loads(
        cli("--config", config_dir, "--db", db_url, "agency", "list", "--json").out
    )
    codes = {a["code"] for a in agencies}
    assert {
        "ubnd-huyen",
        "vp-hdnd-ubnd",
        "phong-tckh",
        "ubnd-tinh",
        "so-khdt",
        "huyen-uy",
        "hdnd-huyen",
        "ubnd-thai-hoa",
    } <= codes


def test_sync_adds_updates_and_deactivates_without_deleting(
    cli: Cli, config_dir: Path, db_url: str
) -> None:
    base = ("--config", config_dir, "--db", db_url)
    assert cli(*base, "init").code == 0
    path = config_dir / "directory.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "position: Chuyên viên tổng hợp", "position: Chuyên viên tổng hợp, thống kê"
    )
    start = text.index("  - key: ba-dong.chu-tich")
    end = text.index("  # Thị xã Thái Hòa")
    text = text[:start] + text[end:]
    text += (
        "  - key: tckh.moi\n    agency: phong-tckh\n    name: Người Mới\n    role: staff\n"
        "    email: moi@batu.example\n    channels: [email]\n"
    )
    path.write_text(text, encoding="utf-8")
    result = cli(*base, "sync")
    assert result.code == 0, result.err
    assert "thêm 1, cập nhật 1, ngừng 1" in result.out
    people = json.loads(cli(*base, "contact", "list", "--all", "--json").out)
    by_key = {p["key"]: p for p in people}
    assert by_key["ba-dong.chu-tich"]["active"] is False  # kept, not deleted
    assert by_key["tckh.moi"]["active"] is True
    assert by_key["tckh.tong-hop"]["position"] == "Chuyên viên tổng hợp, thống kê"
    active = json.loads(cli(*base, "contact", "list", "--json").out)
    assert "ba-dong.chu-tich" not in {p["key"] for p in active}


def test_contact_add_set_disable(cli: Cli, config_dir: Path, db_url: str) -> None:
    base = ("--config", config_dir, "--db", db_url)
    assert cli(*base, "init").code == 0
    added = cli(
        *base,
        "contact",
        "add",
        "vp.moi",
        "--agency",
        "vp-hdnd-ubnd",
        "--name",
        "Nguyễn Văn Mới",
        "--role",
        "focal_point",
        "--email",
        "moi@batu.example",
        "--telegram",
        "123456",
        "--channels",
        "telegram,email",
    )
    assert added.code == 0, added.err
    assert cli(*base, "contact", "set", "vp.moi", "--email", "moi2@batu.example").code == 0
    bad = cli(*base, "contact", "set", "vp.moi", "--telegram", "@moi")
    assert bad.code == 2 and "mã cuộc trò chuyện Telegram" in bad.err
    assert cli(*base, "contact", "disable", "vp.moi").code == 0
    people = {p["key"]: p for p in json.loads(cli(*base, "contact", "list", "--all", "--json").out)}
    assert people["vp.moi"]["email"] == "moi2@batu.example"
    assert people["vp.moi"]["telegram_chat_id"] == 123456
    assert people["vp.moi"]["active"] is False
    assert cli(*base, "contact", "set", "vp.moi", "--position", "Chuyên viên").code == 0
    people = {p["key"]: p for p in json.loads(cli(*base, "contact", "list", "--all", "--json").out)}
    assert people["vp.moi"]["active"] is False  # a change does not re-enable
    assert people["vp.moi"]["source"] == "cli"
    assert cli(*base, "contact", "set", "vp.moi", "--enable").code == 0
    people = {p["key"]: p for p in json.loads(cli(*base, "contact", "list", "--all", "--json").out)}
    assert people["vp.moi"]["active"] is True
    assert cli(*base, "contact", "disable", "vp.moi").code == 0
    assert cli(*base, "sync").code == 0  # people added on the CLI survive a sync
    people = {p["key"]: p for p in json.loads(cli(*base, "contact", "list", "--all", "--json").out)}
    assert "vp.moi" in people
    unknown = cli(*base, "contact", "disable", "vp.khong-co")
    assert unknown.code == 1 and "vp.khong-co" in unknown.err


BAD_DIRECTORY = {
    "yaml_syntax": (
        "  - code: ubnd-tinh\n",
        "  - code: ubnd-tinh\n    name: [unclosed\n",
        "lỗi cú pháp YAML",
    ),
    "unknown_key": (
        "    email: vinh.px@batu.example\n",
        "    emial: vinh.px@batu.example\n",
        "khóa 'emial' không dùng được trong people[0]; các khóa hợp lệ: key, agency, name",
    ),
    "duplicate_code": (
        "  - code: so-khdt\n",
        "  - code: ubnd-tinh\n",
        "duplicate agency code 'ubnd-tinh'",
    ),
    "alias_two_agencies": (
        "    aliases: [Phòng Nội vụ]\n",
        "    aliases: [Phòng Nội vụ, UBND huyện]\n",
        "'UBND huyện' is claimed by two agencies: 'ubnd-huyen' and 'phong-noi-vu'",
    ),
    "person_unknown_agency": (
        "    agency: phong-dan-toc\n",
        "    agency: phong-dan-tocc\n",
        "unknown agency 'phong-dan-tocc'; did you mean 'phong-dan-toc'",
    ),
    "invalid_email": (
        "    email: hoa.pt@batu.example\n",
        "    email: hoa.pt@@batu\n",
        "people[12].email: value is not a valid email address",
    ),
    "telegram_not_numeric": (
        "    telegram_chat_id: 710000041\n",
        "    telegram_chat_id: '@bui_thu'\n",
        "không phải là mã cuộc trò chuyện Telegram; cần một số",
    ),
}


def _break(config_dir: Path, old: str, new: str) -> int:
    path = config_dir / "directory.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    index = text.index(old)
    path.write_text(text[:index] + new + text[index + len(old) :], encoding="utf-8")
    return text[:index].count("\n") + 1  # line of the change


@pytest.mark.parametrize("case", sorted(BAD_DIRECTORY))
def test_bad_directory_exits_2_naming_line_and_leaves_database_untouched(
    cli: Cli, config_dir: Path, tmp_path: Path, case: str
) -> None:
    db = tmp_path / "n.db"
    base = ("--config", config_dir, "--db", f"sqlite:///{db}")
    assert cli(*base, "init").code == 0
    before = _db_bytes(db)
    old, new, expected = BAD_DIRECTORY[case]
    line = _break(config_dir, old, new)
    for command in ("init", "sync"):
        result = cli(*base, command)
        assert result.code == 2, result.out + result.err
        assert expected in result.err
        assert "directory.yaml:" in result.err
        if case == "yaml_syntax":  # the parser notices a little after the mistake
            assert any(f"directory.yaml:{n}:" in result.err for n in range(line, line + 3))
        else:
            assert f"directory.yaml:{line}:" in result.err
    assert _db_bytes(db) == before


def test_bad_config_on_fresh_machine_creates_no_database(
    cli: Cli, config_dir: Path, tmp_path: Path
) -> None:
    _break(config_dir, "    email: hoa.pt@batu.example\n", "    email: not-an-email\n")
    db = tmp_path / "fresh.db"
    result = cli("--config", config_dir, "--db", f"sqlite:///{db}", "init")
    assert result.code == 2
    assert not db.exists()


def test_secret_in_settings_file_is_refused(cli: Cli, config_dir: Path, tmp_path: Path) -> None:
    path = config_dir / "notifier.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "  username: null", "  username: null\n  password: hunter2"
        ),
        encoding="utf-8",
    )
    result = cli("--config", config_dir, "--db", f"sqlite:///{tmp_path / 'x.db'}", "init")
    assert result.code == 2
    assert "'email.password' là thông tin bí mật" in result.err


def test_commands_before_init_say_to_run_init(cli: Cli, config_dir: Path, tmp_path: Path) -> None:
    result = cli("--config", config_dir, "--db", f"sqlite:///{tmp_path / 'x.db'}", "agency", "list")
    assert result.code == 2 and "notifier init" in result.err


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.code == 0 and result.out.startswith("notifier ")
