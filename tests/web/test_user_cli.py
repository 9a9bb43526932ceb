"""`notifier user ...`: passwords never on the command line, weak ones refused (exit 2,
nothing written), roles and agencies checked, disable and set-password end sessions."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from notifier.accounts.login import authenticate
from notifier.accounts.passwords import verify_password
from notifier.clock import SystemClock
from notifier.store.db import make_engine
from notifier.store.models import Account, Event

GOOD = "Mot-cum-tu-kha-dai-2024"


@pytest.fixture
def db(cli, config_dir: Path, db_url: str) -> list[str]:  # type: ignore[no-untyped-def]
    base = ["--config", str(config_dir), "--db", db_url]
    assert cli(*base, "init").code == 0
    return base


def add(cli, monkeypatch, base, *args: str, password: str = GOOD):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    return cli(*base, "user", "add", *args, "--password-stdin")


def accounts(db_url: str) -> list[Account]:
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(Account)).all())
    finally:
        engine.dispose()


def test_add_list_disable_set_password(cli, monkeypatch, db, db_url: str) -> None:  # type: ignore[no-untyped-def]
    assert add(cli, monkeypatch, db, "Quan.Tri", "--role", "admin").code == 0
    result = add(cli, monkeypatch, db, "vhtt", "--role", "agency", "--agency", "phong-vhtt")
    assert result.code == 0 and "Cơ quan, đơn vị" in result.out
    listed = cli(*db, "user", "list", "--json")
    rows = json.loads(listed.out)
    assert [(r["login"], r["role"], r["agency"], r["active"]) for r in rows] == [
        ("quan.tri", "admin", None, True),
        ("vhtt", "agency", "phong-vhtt", True),
    ]
    assert "password" not in listed.out and "argon2" not in listed.out
    stored = {a.login: a for a in accounts(db_url)}
    assert stored["vhtt"].password_hash.startswith("$argon2id$")
    assert verify_password(stored["vhtt"].password_hash, GOOD)
    version = stored["vhtt"].session_version
    assert cli(*db, "user", "disable", "vhtt").code == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("Mat-khau-moi-rat-dai-9\n"))
    assert cli(*db, "user", "set-password", "vhtt", "--password-stdin").code == 0
    after = {a.login: a for a in accounts(db_url)}["vhtt"]
    assert not after.active and after.session_version == version + 2
    assert verify_password(after.password_hash, "Mat-khau-moi-rat-dai-9")
    engine = make_engine(db_url)
    with Session(engine) as session:
        kinds = [e.message for e in session.exec(select(Event)) if e.kind.startswith("account.")]
        disabled = authenticate(session, "vhtt", "Mat-khau-moi-rat-dai-9", "x", SystemClock().now())
    engine.dispose()
    assert disabled.outcome == "disabled"
    assert kinds == [
        "Thêm tài khoản quan.tri (admin)",
        "Thêm tài khoản vhtt (agency)",
        "Khóa tài khoản vhtt",
        "Đổi mật khẩu tài khoản vhtt",
    ]


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("", "không được để trống"),
        ("ngan", "quá ngắn"),
        ("1234567890", "liên tiếp"),
        ("aaaaaaaaaaaa", "dễ đoán"),
        ("vanphong-2024-x", "tên đăng nhập"),
    ],
)
def test_weak_password_is_bad_input_and_writes_nothing(  # type: ignore[no-untyped-def]
    cli, monkeypatch, db, db_url: str, password: str, why: str
) -> None:
    result = add(cli, monkeypatch, db, "vanphong", "--role", "office", password=password)
    assert result.code == 2 and why in result.err
    assert accounts(db_url) == []


def test_bad_role_agency_and_login_are_refused(cli, monkeypatch, db, db_url: str) -> None:  # type: ignore[no-untyped-def]
    assert add(cli, monkeypatch, db, "x1", "--role", "agency").code == 2
    assert add(cli, monkeypatch, db, "x2", "--role", "agency", "--agency", "khong-co").code == 2
    assert add(cli, monkeypatch, db, "x3", "--role", "office", "--agency", "phong-vhtt").code == 2
    assert add(cli, monkeypatch, db, "x4", "--role", "chief").code == 2
    assert add(cli, monkeypatch, db, "tên có dấu", "--role", "viewer").code == 2
    assert add(cli, monkeypatch, db, "x5", "--role", "viewer").code == 0
    assert add(cli, monkeypatch, db, "X5", "--role", "viewer").code == 2  # taken
    assert [a.login for a in accounts(db_url)] == ["x5"]


def test_password_is_never_an_argument(cli, db) -> None:  # type: ignore[no-untyped-def]
    result = cli(*db, "user", "add", "x", "--role", "office", "--password", GOOD)
    assert result.code == 2 and "Không có tùy chọn --password." in result.err


def test_prompt_asks_twice(config_dir: Path, tmp_path: Path) -> None:
    """Without --password-stdin the password is prompted for, hidden, and confirmed."""
    url = f"sqlite:///{tmp_path / 'p.db'}"
    base = [sys.executable, "-m", "notifier", "--config", str(config_dir), "--db", url]
    env = {**os.environ, "NOTIFIER_CONFIG": str(config_dir)}
    subprocess.run([*base, "init"], check=True, capture_output=True, env=env)
    run = subprocess.run(
        [*base, "user", "add", "lanhdao", "--role", "viewer"],
        input=f"{GOOD}\nkhac-han-mat-khau\n{GOOD}\n{GOOD}\n",
        capture_output=True, text=True, env=env, start_new_session=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Đã tạo tài khoản lanhdao" in run.stdout
    assert GOOD not in run.stdout
    assert "Hai lần nhập mật khẩu không khớp; xin nhập lại." in run.stderr
    assert "Error" not in run.stderr and "do not match" not in run.stderr + run.stdout
    assert [a.login for a in accounts(url)] == ["lanhdao"]
