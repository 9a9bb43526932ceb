"""Creating and changing accounts: what `notifier user add|list|disable|enable|set-password` call.

There is no default account and no default password: the first admin is made with
`notifier user add LOGIN --role admin`. Every change is an Event in the append-only
log (kinds ``account.*``); password hashes never leave this module's callers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from notifier.accounts.passwords import check_strength, hash_password
from notifier.accounts.roles import AccountRole
from notifier.clock import VN_TZ
from notifier.errors import ConfigError, NotFound
from notifier.store.models import Account, Agency, Event
from notifier.vocab import EventKind

LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def normal_login(login: str) -> str:
    return login.strip().lower()


def check_login(login: str) -> str:
    """The login as stored, or a ConfigError (bad input) saying what is valid."""
    value = normal_login(login)
    if not LOGIN_RE.match(value):
        raise ConfigError(
            [
                f"tên đăng nhập {login!r} không hợp lệ: 2-64 ký tự gồm chữ thường không dấu, "
                "chữ số, dấu chấm, gạch ngang, gạch dưới; bắt đầu bằng chữ hoặc số"
            ]
        )
    return value


def _agency_for(session: Session, role: AccountRole, code: str | None) -> Agency | None:
    if role != AccountRole.AGENCY:
        if code:
            raise ConfigError([f"--agency chỉ dùng cho vai trò agency (không dùng cho {role})"])
        return None
    if not code:
        raise ConfigError(["vai trò agency cần --agency MÃ_CƠ_QUAN (xem: notifier agency list)"])
    agency = session.exec(select(Agency).where(Agency.code == code)).first()
    if agency is None or not agency.active:
        raise ConfigError(
            [f"không có cơ quan đang hoạt động mã {code!r} (xem: notifier agency list)"]
        )
    return agency


def _record(
    session: Session, now: datetime, kind: EventKind, message: str, account: Account
) -> None:
    session.add(Event(at=now, kind=kind, message=message, data={"login": account.login}))


def add_account(
    session: Session, login: str, role: AccountRole, agency_code: str | None, password: str,
    now: datetime,
) -> Account:  # fmt: skip
    """A new active account; refuses a taken login, a weak password, a wrong agency."""
    value = check_login(login)
    agency = _agency_for(session, role, agency_code)
    if session.exec(select(Account).where(Account.login == value)).first() is not None:
        raise ConfigError([f"tên đăng nhập {value!r} đã có (đổi mật khẩu: user set-password)"])
    check_strength(password, value)
    account = Account(
        login=value, password_hash=hash_password(password), role=role,
        agency_id=agency.id if agency else None, created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(account)
    session.flush()
    _record(session, now, EventKind.ACCOUNT_ADD, f"Thêm tài khoản {value} ({role})", account)
    return account


def get_account(session: Session, login: str) -> Account:
    found = session.exec(select(Account).where(Account.login == normal_login(login))).first()
    if found is None:
        raise NotFound(f"Không có tài khoản '{login}'. Xem: notifier user list")
    return found


def set_active(session: Session, login: str, active: bool, now: datetime) -> Account:
    """Disable (every open session ends at once) or enable an account."""
    account = get_account(session, login)
    account.active = active
    account.session_version += 1
    account.updated_at = now
    session.add(account)
    verb = "Mở lại" if active else "Khóa"
    kind = EventKind.ACCOUNT_ENABLE if active else EventKind.ACCOUNT_DISABLE
    _record(session, now, kind, f"{verb} tài khoản {account.login}", account)
    return account


def set_password(session: Session, login: str, password: str, now: datetime) -> Account:
    """A new password; sessions opened with the old one end."""
    account = get_account(session, login)
    check_strength(password, account.login)
    account.password_hash = hash_password(password)
    account.session_version += 1
    account.updated_at = now
    session.add(account)
    _record(
        session, now, EventKind.ACCOUNT_PASSWORD, f"Đổi mật khẩu tài khoản {account.login}", account
    )
    return account


@dataclass(frozen=True)
class AccountRow:
    login: str
    role: AccountRole
    agency: str | None
    active: bool
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.astimezone(VN_TZ).isoformat() if value else None

        return {
            "login": self.login,
            "role": str(self.role),
            "agency": self.agency,
            "active": self.active,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "last_login_at": iso(self.last_login_at),
        }


def list_accounts(session: Session) -> list[AccountRow]:
    codes = {a.id: a.code for a in session.exec(select(Agency))}
    return [
        AccountRow(
            login=a.login,
            role=AccountRole(a.role),
            agency=codes.get(a.agency_id),
            active=a.active,
            created_at=a.created_at,
            updated_at=a.updated_at,
            last_login_at=a.last_login_at,
        )  # fmt: skip
        for a in session.exec(select(Account).order_by(col(Account.login)))
    ]
