"""One-time invite codes that link a chat (Telegram, Zalo) to a person.

An office clerk runs ``notifier contact invite PERSON`` and passes the code to the
person, who sends ``/start CODE`` to a bot. Only a SHA-256 hash of the code is
stored, so a database dump does not hand out working codes. A code works once,
for 7 days, on whichever chat platform it is sent from.

Guessing is bounded (every attempt is recorded in the append-only ``link_attempt``):
5 failed codes per chat and 30 overall in one hour. A limited attempt is refused before
the code is looked at and does not count as a failure, so a lock ends one hour after the
last real failure. An attacker therefore gets at most 30 × 24 = 720 guesses a day, however
many chats they open, against 31^10 ≈ 8.2 × 10^14 codes: with 100 live codes, one hit
every 3.1 × 10^7 years on average (``benchmarks/bench_guessing.py`` prints the figures).
The price: while the overall limit holds, nobody can link by code for up to an hour; the
office can still write the chat id into directory.yaml.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from notifier.admin import log_event
from notifier.clock import as_utc
from notifier.errors import Refused
from notifier.store.addresses import link_chat
from notifier.store.models import LinkAttempt, LinkCode, Person
from notifier.textfmt import vn_date_time
from notifier.vocab import EventKind, LinkOutcome

CODE_LIFETIME = timedelta(days=7)
CODE_LENGTH = 10
# No 0/O, 1/I/L: codes are read aloud and typed on phones.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LIMIT_WINDOW = timedelta(hours=1)
PER_CHAT = 5  # failed codes per chat in LIMIT_WINDOW
OVERALL = 30  # failed codes from all chats in LIMIT_WINDOW
FAILURES = (LinkOutcome.WRONG, LinkOutcome.USED, LinkOutcome.EXPIRED, LinkOutcome.INACTIVE)


def normalise_code(code: str) -> str:
    """What a person may type: any case, spaces or dashes between groups."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def looks_like_code(text: str) -> bool:
    """A text that can only be a code sent alone (no "/start"): exactly the code's
    letters and digits, at least one digit, so no Vietnamese word is taken for one."""
    code = normalise_code(text)
    if len(code) != CODE_LENGTH or len(text.strip()) > CODE_LENGTH + 4:
        return False
    return all(ch in ALPHABET for ch in code) and any(ch.isdigit() for ch in code)


def new_code() -> str:
    """A random code with at least one digit, so it can also be sent alone
    (:func:`looks_like_code`); one in twenty draws has none and is drawn again."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if looks_like_code(code):
            return code


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "replace")).hexdigest()


def issue_code(session: Session, person: Person, now: datetime) -> tuple[str, datetime]:
    """A fresh code for ``person`` and its expiry; only the hash is stored."""
    if person.id is None:
        raise ValueError("person must be flushed before a code can be issued")
    code = new_code()
    expires = as_utc(now) + CODE_LIFETIME
    session.add(
        LinkCode(
            code_hash=hash_code(code),
            person_id=person.id,
            created_at=now,
            expires_at=expires,
        )
    )
    log_event(
        session, now, EventKind.CHAT_INVITE, f"invite code issued for {person.key}",
        person_id=person.id,
    )  # fmt: skip
    return code, expires


class LinkRefused(Refused):
    """A code refused; ``outcome`` says why (recorded in ``link_attempt``)."""

    def __init__(self, message: str, outcome: LinkOutcome) -> None:
        self.outcome = outcome
        super().__init__(message)


def _failures(session: Session, since: datetime, *where: object) -> tuple[int, datetime | None]:
    row = session.exec(
        select(func.count(), func.max(LinkAttempt.at)).where(
            col(LinkAttempt.at) > since,
            col(LinkAttempt.outcome).in_([str(o) for o in FAILURES]),
            *where,  # type: ignore[arg-type]
        )
    ).one()
    return int(row[0]), row[1]


def limited_until(session: Session, platform: str, chat_id: str, now: datetime) -> datetime | None:
    """When this chat may try a code again, if a limit is reached now."""
    since = as_utc(now) - LIMIT_WINDOW
    chat = (LinkAttempt.platform == platform, LinkAttempt.chat_id == chat_id)
    for where, limit in ((chat, PER_CHAT), ((), OVERALL)):
        count, last = _failures(session, since, *where)
        if count >= limit and last is not None:
            return as_utc(last) + LIMIT_WINDOW
    return None


def redeem_code(session: Session, code: str, platform: str, chat_id: str, now: datetime) -> Person:
    """Link ``chat_id`` on ``platform`` to the code's person; LinkRefused for an unknown,
    used or expired code, or while the guessing limits hold. Every attempt is recorded
    and stays recorded when the caller commits after a refusal (see record_refusal).
    """
    chat_id = str(chat_id)[:64]
    retry_at = limited_until(session, platform, chat_id, now)
    if retry_at is not None:
        raise LinkRefused(
            "Đã nhập sai mã quá nhiều lần. Vui lòng thử lại sau "
            f"{vn_date_time(retry_at)} hoặc liên hệ văn phòng để được cấp mã mới.",
            LinkOutcome.LIMITED,
        )
    person = _check(session, code, now)
    previous = link_chat(person, platform, chat_id)
    session.add(LinkAttempt(platform=platform, chat_id=chat_id, outcome=LinkOutcome.OK, at=now))
    log_event(
        session,
        now,
        EventKind.CHAT_LINK,
        f"{platform} chat {chat_id} linked to {person.key}",
        person_id=person.id,
        platform=platform,
        chat_id=chat_id,
        previous_chat_id=previous or None,
    )
    return person


def record_refusal(
    session: Session, refused: LinkRefused, platform: str, chat_id: str, now: datetime
) -> None:
    """Record a refused attempt (in its own transaction: the refused one was rolled back)."""
    session.add(
        LinkAttempt(platform=platform, chat_id=str(chat_id)[:64], outcome=refused.outcome, at=now)
    )


def _check(session: Session, code: str, now: datetime) -> Person:
    """The code's person, or LinkRefused; the lookup is by hash (unique), so nothing
    about other codes leaks through timing."""
    row = session.exec(select(LinkCode).where(LinkCode.code_hash == hash_code(code))).first()
    if row is None:
        raise LinkRefused("Mã liên kết không đúng.", LinkOutcome.WRONG)
    if row.used_at is not None:
        raise LinkRefused("Mã liên kết này đã được dùng. Vui lòng xin mã mới.", LinkOutcome.USED)
    if as_utc(now) >= row.expires_at:
        raise LinkRefused(
            "Mã liên kết đã hết hạn (quá 7 ngày). Vui lòng xin mã mới.", LinkOutcome.EXPIRED
        )
    person = session.get(Person, row.person_id)
    if person is None or not person.active:
        raise LinkRefused("Người được mời không còn trong danh bạ.", LinkOutcome.INACTIVE)
    row.used_at = now
    return person
