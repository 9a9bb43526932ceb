"""Signing in: the failed-login limits, the password check, and the login record.

Limits (both over the last 15 minutes, counted from the append-only record):
5 failures for one login, 20 for one client address. A limited attempt is refused
before the password is looked at, and is recorded (outcome ``limited``) without
counting as a failure, so the lock ends 15 minutes after the last real failure.
Unknown logins are verified against a dummy hash so that they take as long as
known ones, and get the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from notifier.accounts.manage import normal_login
from notifier.accounts.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from notifier.store.models import Account, LoginAttempt
from notifier.vocab import LoginOutcome

WINDOW = timedelta(minutes=15)
PER_LOGIN = 5
PER_ADDRESS = 20


FAILURES = (LoginOutcome.BAD_PASSWORD, LoginOutcome.UNKNOWN_LOGIN, LoginOutcome.DISABLED)


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    account: Account | None = None
    retry_at: datetime | None = None  # when a limited attempt may be tried again

    @property
    def ok(self) -> bool:
        return self.outcome == LoginOutcome.OK


def _failures(session: Session, since: datetime, **where: str) -> tuple[int, datetime | None]:
    ((column, value),) = where.items()
    row = session.exec(
        select(func.count(), func.max(LoginAttempt.at)).where(
            getattr(LoginAttempt, column) == value,
            col(LoginAttempt.at) > since,
            col(LoginAttempt.outcome).in_([str(o) for o in FAILURES]),
        )
    ).one()
    return int(row[0]), row[1]


def _limited(session: Session, login: str, address: str, now: datetime) -> datetime | None:
    """When the attempt may be tried again, if a limit is reached now."""
    since = now - WINDOW
    for column, value, limit in (("login", login, PER_LOGIN), ("address", address, PER_ADDRESS)):
        count, last = _failures(session, since, **{column: value})
        if count >= limit and last is not None:
            return last + WINDOW
    return None


def _check(session: Session, login: str, password: str) -> tuple[LoginOutcome, Account | None]:
    account = session.exec(select(Account).where(Account.login == login)).first()
    if account is None:
        verify_password(dummy_hash(), password)
        return LoginOutcome.UNKNOWN_LOGIN, None
    if not verify_password(account.password_hash, password):
        return LoginOutcome.BAD_PASSWORD, None
    if not account.active:
        return LoginOutcome.DISABLED, None
    return LoginOutcome.OK, account


def authenticate(
    session: Session, login: str, password: str, address: str, now: datetime
) -> LoginResult:
    """Check one sign-in and record it (the caller commits)."""
    login = normal_login(login)[:64]
    address = address[:64]
    retry_at = _limited(session, login, address, now)
    if retry_at is not None:
        outcome, account = LoginOutcome.LIMITED, None
    else:
        outcome, account = _check(session, login, password)
    session.add(
        LoginAttempt(login=login, address=address, success=outcome == LoginOutcome.OK,
                     outcome=outcome, at=now)
    )  # fmt: skip
    if account is not None:
        if needs_rehash(account.password_hash):
            account.password_hash = hash_password(password)
        account.last_login_at = now
        session.add(account)
    return LoginResult(outcome, account, retry_at)
