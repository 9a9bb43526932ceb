"""The session cookie: signed (itsdangerous), HttpOnly, SameSite=Lax, Secure under https.

It carries the account id, the account's ``session_version`` at sign-in, a CSRF
secret, and when the session was opened and last used, all read from the injected
clock. A cookie is refused (the visitor is anonymous again) when its signature is
wrong, it is older than the absolute lifetime, it was idle too long, or the account's
version moved on (logout, disable, new password) or the account is inactive.

Every visitor gets a cookie, signed-in or not, so that the login form has a CSRF token
too. Requests made by htmx (the board's polling) do not count as use: a board left open
on a screen still ends its session after the idle lifetime.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "notifier_session"
SALT = "notifier.web.session"
RENEW_AFTER = timedelta(minutes=1)  # re-issue the cookie at most once a minute


@dataclass(frozen=True)
class WebSession:
    csrf: str
    issued: float  # POSIX seconds, from the clock
    seen: float
    account_id: int | None = None
    version: int = 0

    @property
    def signed_in(self) -> bool:
        return self.account_id is not None


def new_session(now: datetime, account_id: int | None = None, version: int = 0) -> WebSession:
    """A fresh session with a fresh CSRF secret (sign-in and sign-out both rotate it)."""
    stamp = now.timestamp()
    return WebSession(secrets.token_urlsafe(24), stamp, stamp, account_id, version)


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta


class SessionCodec:
    def __init__(self, key: bytes, lifetimes: Lifetimes, secure: bool) -> None:
        self._serializer = URLSafeSerializer(key, salt=SALT)
        self.lifetimes = lifetimes
        self.secure = secure

    def dumps(self, session: WebSession) -> str:
        return str(self._serializer.dumps(asdict(session)))

    def loads(self, value: str | None, now: datetime) -> WebSession | None:
        """The session, if the cookie is authentic and not expired; else None."""
        if not value:
            return None
        try:
            data: Any = self._serializer.loads(value)
            session = WebSession(**data)
        except (BadSignature, TypeError, ValueError):
            return None
        if self.dumps(session) != value:
            # base64 decoding ignores some bit changes in the last character: only the
            # exact encoding is accepted, so any altered byte is refused
            return None
        stamp = now.timestamp()
        if session.signed_in and (
            stamp - session.issued > self.lifetimes.absolute.total_seconds()
            or stamp - session.seen > self.lifetimes.idle.total_seconds()
        ):
            return None
        return session

    def touched(self, session: WebSession, now: datetime) -> WebSession | None:
        """The session with ``seen`` moved to now, or None when not worth a new cookie."""
        if now.timestamp() - session.seen < RENEW_AFTER.total_seconds():
            return None
        return replace(session, seen=now.timestamp())

    def cookie_options(self) -> dict[str, Any]:
        return {
            "httponly": True,
            "samesite": "Lax",
            "secure": self.secure,
            "path": "/",
            "max_age": int(self.lifetimes.absolute.total_seconds()),
        }
