"""One-time invite codes that link a chat (Telegram, Zalo) to a person.

An office clerk runs ``notifier contact invite PERSON`` and passes the code to the
person, who sends ``/start CODE`` to a bot. Only a SHA-256 hash of the code is
stored, so a database dump does not hand out working codes. A code works once,
for 7 days, on whichever chat platform it is sent from.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from notifier.admin import log_event
from notifier.clock import as_utc
from notifier.errors import Refused
from notifier.store.addresses import link_chat
from notifier.store.models import LinkCode, Person
from notifier.vocab import EventKind

CODE_LIFETIME = timedelta(days=7)
CODE_LENGTH = 10
# No 0/O, 1/I/L: codes are read aloud and typed on phones.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


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


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "replace")).hexdigest()


def issue_code(session: Session, person: Person, now: datetime) -> tuple[str, datetime]:
    """A fresh code for ``person`` and its expiry; only the hash is stored."""
    if person.id is None:
        raise ValueError("person must be flushed before a code can be issued")
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
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


def redeem_code(session: Session, code: str, platform: str, chat_id: str, now: datetime) -> Person:
    """Link ``chat_id`` on ``platform`` to the code's person; Refused for an unknown, used
    or expired code.

    The lookup is by hash (unique), so nothing about other codes leaks through timing.
    """
    row = session.exec(select(LinkCode).where(LinkCode.code_hash == hash_code(code))).first()
    if row is None:
        raise Refused("Mã liên kết không đúng.")
    if row.used_at is not None:
        raise Refused("Mã liên kết này đã được dùng. Vui lòng xin mã mới.")
    if as_utc(now) >= row.expires_at:
        raise Refused("Mã liên kết đã hết hạn (quá 7 ngày). Vui lòng xin mã mới.")
    person = session.get(Person, row.person_id)
    if person is None or not person.active:
        raise Refused("Người được mời không còn trong danh bạ.")
    previous = link_chat(person, platform, chat_id)
    row.used_at = now
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
