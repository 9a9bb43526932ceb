"""Telling the administrators: a delivery gave up, an address died, a channel's server is down.

An alert is an ordinary outbox row (kind ``admin_alert``, occurrence
``alert:{notification_id}``) for every person listed in ``admins``; it goes through the
same dispatch, so it is retried, rate-limited and audited like any other message. A
failed alert never raises another alert (no loops); it is only logged as an Event. A
server that stops answering raises one alert per outage (:func:`alert_outage`, occurrence
``outage:{channel}:{since}``), not one per waiting message.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlmodel import Session, col, select

from notifier.clock import as_utc
from notifier.store.addresses import choose_channel
from notifier.store.contexts import NoteContext
from notifier.store.models import Event, Notification, Person
from notifier.store.outbox import insert_rows, new_row
from notifier.textfmt import vn_datetime
from notifier.vocab import ChannelName, EventKind, MessageKind


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
    return _queue_for_admins(
        session, admins, configured, f"alert:{about.id}", note, now, about.deadline_id
    )


def alert_outage(
    session: Session,
    admins: Collection[str],
    configured: Collection[str],
    channel: str,
    problem: str,
    now: datetime,
) -> int:
    """One admin_alert per admin when a channel's server stops answering (once per outage).

    The alert goes by the admin's first usable channel other than the broken one.
    """
    session.add(
        Event(
            at=now,
            kind=EventKind.CHANNEL_OUTAGE,
            message=f"{channel}: {problem}",
            data={"channel": channel},
        )
    )
    if not admins:
        return 0
    try:
        label = ChannelName(channel).label
    except ValueError:  # a plug-in channel: its own name
        label = channel
    note = (
        f"Kênh {label} không gửi được tin từ {vn_datetime(now)}: {problem}. Các tin gửi qua "
        "kênh này đang được giữ lại và sẽ tự động gửi khi máy chủ hoạt động trở lại; "
        "đề nghị kiểm tra máy chủ và cấu hình của kênh."
    )
    others = [name for name in configured if name != channel] or list(configured)
    occurrence = f"outage:{channel}:{as_utc(now).isoformat()}"
    return _queue_for_admins(session, admins, others, occurrence, note, now)


def _queue_for_admins(
    session: Session,
    admins: Collection[str],
    channels: Collection[str],
    occurrence: str,
    note: str,
    now: datetime,
    deadline_id: int | None = None,
) -> int:
    """One admin_alert row per active admin, on the first of ``channels`` each can use."""
    created = 0
    people = session.exec(select(Person).where(col(Person.key).in_(list(admins)))).all()
    for admin in people:
        if not admin.active:
            continue
        row = new_row(
            occurrence=occurrence,
            step=MessageKind.ADMIN_ALERT,
            person=admin,
            channel=choose_channel(admin, channels),
            kind=MessageKind.ADMIN_ALERT,
            due_at=now,
            now=now,
            deadline_id=deadline_id,
            context=NoteContext(note),
        )
        created += len(insert_rows(session, [row]))
    return created


def note_recovery(session: Session, channel: str, since: datetime, now: datetime) -> None:
    """An Event when a channel's server answers again after an outage."""
    session.add(
        Event(
            at=now,
            kind=EventKind.CHANNEL_RECOVERED,
            message=f"{channel}: answering again (outage since {as_utc(since).isoformat()})",
            data={"channel": channel},
        )
    )
