"""The working calendar as the office manages it: apply a changed ``calendar.yaml``, add or
remove a day on the calendar page.

:func:`apply_calendar` is the one use case behind ``notifier calendar apply``, the
automatic apply of ``init``/``sync`` and the calendar page (:func:`add_local_day`,
:func:`remove_local_day` write the ``calendar_day`` row and apply in the same
transaction): it recomputes every open stored deadline through
:func:`notifier.store.deadlines.apply_calendar`, records what it did in the event log
with the calendar's fingerprint (file + local days), and returns the "what moved"
report. :func:`calendar_changed` says whether the calendar changed since it was last
applied.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from notifier.domain.calendar import WorkingCalendar
from notifier.errors import Refused
from notifier.runtime import Runtime
from notifier.store.calendar_days import local_days, local_fingerprint
from notifier.store.db import session_scope
from notifier.store.deadlines import CalendarChange
from notifier.store.deadlines import apply_calendar as recompute
from notifier.store.models import CalendarDay, Deadline, Event
from notifier.textfmt import vn_date
from notifier.vocab import EventKind

REASON_MAX = 300
YEARS = (2000, 2100)


class CalendarInputError(Refused, ValueError):
    """A day the calendar page cannot add or remove; the message says why and what is valid."""


def file_fingerprint(path: Path, local: dict[date, tuple[bool, str]] | None = None) -> str:
    """The fingerprint of ``calendar.yaml`` (a missing file has one too) and of the days
    added on the calendar page (none: the file's alone, as before they existed)."""
    data = path.read_bytes() if path.exists() else b""
    if local:
        data += b"\0" + local_fingerprint(local).encode()
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
    current = file_fingerprint(runtime.settings.calendar_path, local_days(runtime.engine))
    with Session(runtime.engine) as session:
        return last_applied(session) != current


def apply_calendar(runtime: Runtime, now: datetime | None = None) -> CalendarChange:
    """Recompute every open deadline with the runtime's calendar; record and report it."""
    now = now or runtime.clock.now()
    with session_scope(runtime.engine) as session:
        return _apply(session, runtime, runtime.calendar, local_days(runtime.engine), now)


def _apply(
    session: Session,
    runtime: Runtime,
    calendar: WorkingCalendar,
    local: dict[date, tuple[bool, str]],
    now: datetime,
    **extra: object,
) -> CalendarChange:
    change = recompute(session, calendar, runtime.policy, now)
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
                "fingerprint": file_fingerprint(runtime.settings.calendar_path, local),
                "moved": moved,
                "rescheduled": change.rescheduled,
                "messages_cancelled": change.messages_cancelled,
                **extra,
            },
        )
    )
    return change


def parse_day(text: str) -> date:
    """A date typed on the page: dd/mm/yyyy (as documents write it) or yyyy-mm-dd."""
    raw = text.strip()
    try:
        if "/" in raw:
            d, m, y = (int(part) for part in raw.split("/"))
            value = date(y, m, d)
        else:
            value = date.fromisoformat(raw)
    except ValueError:
        raise CalendarInputError(
            f"Ngày {raw!r} không hợp lệ; ghi theo dạng ngày/tháng/năm, ví dụ 30/6/2026."
        ) from None
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise CalendarInputError(f"Năm {value.year} nằm ngoài khoảng {YEARS[0]}–{YEARS[1]}.")
    return value


def add_local_day(
    runtime: Runtime, day: date, working: bool, reason: str, login: str, now: datetime
) -> CalendarChange:
    """Add a day off (``working`` False) or a make-up working day; apply it to every open
    deadline in the same transaction. Refused when it would change nothing."""
    reason = " ".join(reason.split())
    if not reason:
        raise CalendarInputError("Chưa ghi lý do (căn cứ: thông báo, công văn nào).")
    if len(reason) > REASON_MAX:
        raise CalendarInputError(f"Lý do dài quá {REASON_MAX} ký tự.")
    local = local_days(runtime.engine)
    if day in local:
        raise CalendarInputError(
            f"Ngày {vn_date(day)} đã được thêm trên trang này; bỏ ngày đó trước rồi thêm lại."
        )
    if runtime.calendar.is_working_day(day) == working:
        what = "ngày làm việc" if working else "ngày nghỉ"
        raise CalendarInputError(f"Ngày {vn_date(day)} đã là {what}; không có gì thay đổi.")
    local[day] = (working, reason)
    return _change(runtime, local, now, added=day, working=working, reason=reason, login=login)


def remove_local_day(runtime: Runtime, day: date, login: str, now: datetime) -> CalendarChange:
    """Remove a day added on the calendar page; the file's and the package's rule apply again."""
    local = local_days(runtime.engine)
    if day not in local:
        raise CalendarInputError(
            f"Ngày {vn_date(day)} không phải ngày thêm trên trang này; ngày của gói holidays "
            "hoặc của config/calendar.yaml chỉ sửa được trong tệp đó."
        )
    del local[day]
    return _change(runtime, local, now, removed=day, login=login)


def _change(
    runtime: Runtime,
    local: dict[date, tuple[bool, str]],
    now: datetime,
    *,
    login: str,
    added: date | None = None,
    removed: date | None = None,
    working: bool = False,
    reason: str = "",
) -> CalendarChange:
    calendar = WorkingCalendar.from_yaml(runtime.settings.calendar_path).with_local_days(local)
    day = added or removed
    assert day is not None
    with session_scope(runtime.engine) as session:
        if added is not None:
            session.add(
                CalendarDay(day=added, working=working, reason=reason, created_at=now,
                            created_by=login)
            )  # fmt: skip
        else:
            row = session.get(CalendarDay, day)
            if row is not None:
                session.delete(row)
        session.flush()
        kind = EventKind.CALENDAR_DAY_ADD if added else EventKind.CALENDAR_DAY_REMOVE
        session.add(
            Event(
                at=now,
                kind=kind,
                message=f"{kind.label} {vn_date(day)}" + (f": {reason}" if reason else ""),
                data={"day": day.isoformat(), "working": working, "reason": reason,
                      "login": login},
            )
        )  # fmt: skip
        change = _apply(session, runtime, calendar, local, now, login=login)
    runtime.calendar = calendar  # the running service (sweep, dispatch) decides with it now
    return change


def has_deadlines(runtime: Runtime) -> bool:
    with Session(runtime.engine) as session:
        return session.exec(select(Deadline.id).limit(1)).first() is not None
