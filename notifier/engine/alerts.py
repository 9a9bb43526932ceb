"""Telling the administrators: a delivery gave up or an address died.

An alert is an ordinary outbox row (kind ``admin_alert``, occurrence
``alert:{notification_id}``) for every person listed in ``admins``; it goes through the
same dispatch, so it is retried, rate-limited and audited like any other message. A
failed alert never raises another alert (no loops); it is only logged as an Event.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlmodel import Session, col, select

from notifier.store.addresses import choose_channel
from notifier.store.contexts import NoteContext
from notifier.store.models import Event, Notification, Person
from notifier.store.outbox import insert_rows, new_row
from notifier.vocab import EventKind, MessageKind


def alert_admins(
    session: Session,
    admins: Collection[str],
    configured: Collection[str],
    about: Notification,
    problem: str,
    now: datetime,
) -> int:
    """Queue one admin_alert per admin about ``about``; returns the rows created."""
    session.add(
        Event(
            at=now,
            kind=EventKind.DELIVERY_PROBLEM,
            message=problem,
            deadline_id=about.deadline_id,
            person_id=about.person_id,
            data={"notification_id": about.id, "channel": about.channel},
        )
    )
    if about.kind == MessageKind.ADMIN_ALERT or not admins:
        return 0
    target = session.get(Person, about.person_id)
    who = f"{target.name} ({target.key})" if target else f"#{about.person_id}"
    note = (
        f"Tin số {about.id} ({about.kind}, {about.occurrence} / {about.step}) gửi {who} "
        f"qua kênh {about.channel}: {problem}"
    )
    created = 0
    people = session.exec(select(Person).where(col(Person.key).in_(list(admins)))).all()
    for admin in people:
        if not admin.active:
            continue
        row = new_row(
            occurrence=f"alert:{about.id}",
            step=MessageKind.ADMIN_ALERT,
            person=admin,
            channel=choose_channel(admin, configured),
            kind=MessageKind.ADMIN_ALERT,
            due_at=now,
            now=now,
            deadline_id=about.deadline_id,
            context=NoteContext(note),
        )
        created += len(insert_rows(session, [row]))
    return created
