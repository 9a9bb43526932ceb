"""What will be sent in the coming days: the ``preview`` command's data path, shared by
the command and the web board's forward preview page (``/preview``).

Occurrences and people are read from the store exactly as the sweep reads them, then
:func:`notifier.domain.preview.preview` plans every message of the window assuming
nobody answers (the policy's view; nothing is sent or written).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from notifier.clock import VN_TZ
from notifier.domain.preview import PreviewItem, iter_preview
from notifier.runtime import Runtime
from notifier.store.facts import Occurrence, load_occurrences, load_people
from notifier.store.outbox import configured_channels


def forward_items(
    session: Session,
    runtime: Runtime,
    start: datetime,
    end: datetime,
    *,
    plan_key: str | None = None,
    task_ref: str | None = None,
    where: Callable[[Occurrence], bool] | None = None,
) -> list[PreviewItem]:
    """Every message the policy would send in [start, end), in time order."""
    return list(
        iter_forward_items(
            session, runtime, start, end, plan_key=plan_key, task_ref=task_ref, where=where
        )
    )


def iter_forward_items(
    session: Session,
    runtime: Runtime,
    start: datetime,
    end: datetime,
    *,
    plan_key: str | None = None,
    task_ref: str | None = None,
    where: Callable[[Occurrence], bool] | None = None,
) -> Iterator[PreviewItem]:
    """:func:`forward_items` as a stream (the command prints it as it comes, memory flat).

    ``where`` keeps only the occurrences it accepts (the web page: what the account
    sees); the monitors' digests are planned only when nothing is left out. Everything is
    read before the first item, so the session may close while the stream is consumed.
    """
    occurrences = load_occurrences(session, runtime.policy, plan_key=plan_key, task_ref=task_ref)
    kept = [o.preview() for o in occurrences if where is None or where(o)]
    complete = len(kept) == len(occurrences)
    del occurrences
    people = load_people(session, configured_channels(runtime.settings))
    digest = runtime.policy if complete else None
    return iter_preview(kept, people, runtime.calendar, start, end, digest_policy=digest)


def day_window(first: date, last: date) -> tuple[datetime, datetime]:
    """[00:00 of ``first``, 00:00 after ``last``) in Vietnam time."""
    start = datetime.combine(first, time(0), VN_TZ)
    return start, datetime.combine(last + timedelta(days=1), time(0), VN_TZ)
