"""The working calendar as the office manages it: apply a changed ``calendar.yaml``.

:func:`apply_calendar` is the one use case behind ``notifier calendar apply``, the
automatic apply of ``init``/``sync`` and the admin web page: it recomputes every open
stored deadline through :func:`notifier.store.deadlines.apply_calendar` (one
transaction), records what it did in the event log with the file's fingerprint, and
returns the "what moved" report. :func:`calendar_changed` says whether the file changed
since it was last applied.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from notifier.runtime import Runtime
from notifier.store.db import session_scope
from notifier.store.deadlines import CalendarChange
from notifier.store.deadlines import apply_calendar as recompute
from notifier.store.models import Deadline, Event
from notifier.vocab import EventKind


def file_fingerprint(path: Path) -> str:
    """The fingerprint of ``calendar.yaml`` (a missing file has one too)."""
    data = path.read_bytes() if path.exists() else b""
    return hashlib.sha256(data).hexdigest()[:16]


def last_applied(session: Session) -> str | None:
    """The fingerprint of the calendar file last applied, or None."""
    event = session.exec(
        select(Event)
        .where(Event.kind == EventKind.CALENDAR_APPLY)
        .order_by(col(Event.at).desc(), col(Event.id).desc())
        .limit(1)
    ).first()
    return str(event.data.get("fingerprint")) if event is not None else None


def calendar_changed(runtime: Runtime) -> bool:
    """Whether ``calendar.yaml`` differs from the one last applied to stored deadlines."""
    current = file_fingerprint(runtime.settings.calendar_path)
    with Session(runtime.engine) as session:
        return last_applied(session) != current


def apply_calendar(runtime: Runtime, now: datetime | None = None) -> CalendarChange:
    """Recompute every open deadline with the runtime's calendar; record and report it."""
    now = now or runtime.clock.now()
    fingerprint = file_fingerprint(runtime.settings.calendar_path)
    with session_scope(runtime.engine) as session:
        change = recompute(session, runtime.calendar, runtime.policy, now)
        moved = [
            {"task": m.task_ref, "plan": m.plan_key, "period": m.period,
             "from": m.old.isoformat(), "to": m.new.isoformat()}
            for m in change.moved
        ]  # fmt: skip
        session.add(
            Event(
                at=now,
                kind=EventKind.CALENDAR_APPLY,
                message=f"calendar applied: {len(moved)} deadline(s) moved",
                data={
                    "fingerprint": fingerprint,
                    "moved": moved,
                    "rescheduled": change.rescheduled,
                    "messages_cancelled": change.messages_cancelled,
                },
            )
        )
    return change


def has_deadlines(runtime: Runtime) -> bool:
    with Session(runtime.engine) as session:
        return session.exec(select(Deadline.id).limit(1)).first() is not None
