"""Find the deadline a task reference means on the command line."""

from __future__ import annotations

from sqlmodel import Session, col, select

from notifier.errors import NotFound
from notifier.services.common import TaskMatch
from notifier.store.models import Deadline, Plan, Task
from notifier.textfmt import vn_date
from notifier.vocab import DeadlineStatus


def find_task(
    session: Session, ref: str, plan_key: str | None = None, *, open_only: bool = True
) -> TaskMatch:
    """The deadline a CLI task reference means: the earliest open occurrence of the task
    (with ``open_only=False`` and none open: the latest done one, so callers can say so).

    Ambiguous across plans -> NotFound asking for --plan; unknown -> NotFound.
    """
    query = select(Task, Plan).where(Task.plan_id == Plan.id, Task.ref == ref.strip())
    query = query.where(Task.active == True)  # noqa: E712
    if plan_key is not None:
        query = query.where(Plan.key == plan_key)
    matches = session.exec(query).all()
    if not matches:
        where = f" trong kế hoạch '{plan_key}'" if plan_key else ""
        raise NotFound(f"Không có nhiệm vụ '{ref}'{where}. Xem `notifier status`.")
    if len(matches) > 1:
        plans = ", ".join(sorted(p.key for _, p in matches))
        raise NotFound(f"Nhiệm vụ '{ref}' có trong nhiều kế hoạch ({plans}): hãy chỉ rõ --plan.")
    task, plan = matches[0]
    rows = _deadlines(session, task.id, DeadlineStatus.OPEN)
    if not rows and not open_only:
        # Nothing open: the latest done occurrence, so the service can say it is done.
        rows = _deadlines(session, task.id, DeadlineStatus.DONE)[::-1]
    if not rows:
        raise NotFound(f"Nhiệm vụ {ref} của kế hoạch '{plan.key}' không còn hạn nào đang mở.")
    first = rows[0]
    note = ""
    if len(rows) > 1 and first.status == DeadlineStatus.OPEN:
        what = first.period or vn_date(first.effective_date)
        note = f"Nhiệm vụ {ref} có {len(rows)} kỳ đang mở; chọn kỳ sớm nhất: {what}."
    assert first.id is not None
    return TaskMatch(first.id, plan.key, task.ref, note)


def _deadlines(session: Session, task_id: int | None, status: DeadlineStatus) -> list[Deadline]:
    return list(
        session.exec(
            select(Deadline)
            .where(Deadline.task_id == task_id, Deadline.status == status)
            .order_by(col(Deadline.effective_date), col(Deadline.id))
        ).all()
    )
