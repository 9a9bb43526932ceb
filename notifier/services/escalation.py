"""Escalate now: the office pushes an item to the next level."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from notifier.clock import as_utc
from notifier.domain.steps import StepKind
from notifier.errors import Refused
from notifier.runtime import Runtime
from notifier.services.common import (
    AckKind,
    Outcome,
    ReasonRequired,
    Via,
    _deadline,
    _done_msg,
    _label,
    _occurrence,
    _people,
    _queue,
    _record,
    _Row,
    _who,
    authorize_deadline,
)
from notifier.store.db import session_scope
from notifier.store.facts import Occurrence
from notifier.store.models import (
    DeadlineStatus,
    Notification,
)


def _escalation_levels(occ: Occurrence, runtime: Runtime) -> dict[int, Any]:
    """Policy escalation levels kept for this occurrence: level -> targets."""
    levels: dict[int, Any] = {}
    for step in occ.steps(runtime.calendar):
        if step.kind == StepKind.ESCALATION and step.level not in levels:
            levels[step.level] = step.targets
    return levels


def current_level(session: Session, deadline_id: int) -> int:
    """Highest escalation level already queued or sent for the deadline (0 if none)."""
    levels = session.exec(
        select(Notification.level).where(
            Notification.deadline_id == deadline_id,
            Notification.kind == "escalation",
            col(Notification.status).in_(["pending", "claimed", "sent"]),
        )
    ).all()
    return max(levels, default=0)


def escalate_now(
    runtime: Runtime,
    *,
    deadline_id: int,
    note: str,
    by: str = "",
    person_id: int | None = None,
    via: str = Via.CLI,
    now: datetime | None = None,
) -> Outcome:
    """The office pushes an open item to the next escalation level at once, with a note."""
    note = " ".join(note.split())
    if not note:
        raise ReasonRequired("Vui lòng ghi ý kiến kèm theo khi chuyển cấp (--note).")
    now = as_utc(now or runtime.clock.now())
    with session_scope(runtime.engine) as session:
        person = authorize_deadline(session, deadline_id, person_id) if person_id else None
        deadline = _deadline(session, deadline_id)
        occ = _occurrence(session, deadline_id, runtime.policy)
        if deadline.status == DeadlineStatus.DONE:
            return Outcome(AckKind.ESCALATED, deadline_id, False, _done_msg(occ))
        levels = _escalation_levels(occ, runtime)
        if not levels:
            raise Refused("Chính sách không có cấp nào để chuyển đôn đốc nhiệm vụ này.")
        reached = current_level(session, deadline_id)
        level = min((lv for lv in levels if lv > reached), default=max(levels))
        earlier = session.exec(
            select(Notification.step).where(
                Notification.occurrence == occ.key, col(Notification.step).like("manual-%")
            )
        ).all()
        step = f"manual-{len(set(earlier)) + 1}"
        msg = f"Đã chuyển {_label(occ)} lên cấp {level} với ý kiến: {note}"
        ack = _record(
            session, deadline=deadline, action=AckKind.ESCALATED, via=via, now=now,
            person=person, note=note, message=msg,
        )  # fmt: skip
        rows = [
            _Row(p, "escalation", t.role, copy=t.copy, level=level)
            for t in levels[level]
            for p in _people(session, [t.agency], t.addressed_roles)
        ]
        context = {"note": note, "reporter": _who(person, by), "ack_id": ack.id, "manual": True}
        queued = _queue(
            session, runtime, occurrence=occ.key, step=step, deadline_id=deadline_id,
            rows=rows, now=now, context=context,
        )  # fmt: skip
        return Outcome(AckKind.ESCALATED, deadline_id, True, msg, ack.id, queued)


# ---------------------------------------------------------------- task references
