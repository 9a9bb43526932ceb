"""The days off and make-up working days added on the calendar page (table ``calendar_day``).

They override ``config/calendar.yaml`` and the ``holidays`` package for their date; the
runtime's calendar is the file's plus these (:func:`local_days`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, inspect
from sqlmodel import Session, col, select

from notifier.store.models import CalendarDay


def local_days(engine: Engine) -> dict[dt.date, tuple[bool, str]]:
    """date -> (working, reason); empty before the schema has the table (``init`` runs
    after the runtime is built on a fresh database)."""
    if not inspect(engine).has_table("calendar_day"):
        return {}
    with Session(engine) as session:
        return {
            row.day: (row.working, row.reason)
            for row in session.exec(select(CalendarDay).order_by(col(CalendarDay.day)))
        }


def local_fingerprint(days: dict[dt.date, tuple[bool, str]]) -> str:
    """A stable text of the local days, part of the calendar's fingerprint."""
    return ";".join(f"{d.isoformat()}:{int(w)}:{r}" for d, (w, r) in sorted(days.items()))
