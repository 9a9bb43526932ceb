"""The same report on SQLite and PostgreSQL: instants compare in UTC whatever the database,
and an obstacle whose messages are still in the outbox says so."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, select

from notifier.clock import VN_TZ, VirtualClock
from notifier.reports import build_report, parse_period
from notifier.reports.wording import obstacle_line
from notifier.services import complete, report_obstacle
from notifier.store.models import Deadline, Person, Plan, Task
from notifier.vocab import DeliveryStatus, Via
from tests.interact.test_services import seed


def test_report_on_both_databases(config_dir: Path, db_url: str) -> None:
    clock = VirtualClock(datetime(2024, 4, 15, 8, 0, tzinfo=VN_TZ))
    runtime = seed(config_dir, db_url, clock)
    with Session(runtime.engine) as session:
        key = session.exec(select(Plan.key)).one()
        ids = {
            (ref, period): d.id
            for d, ref, period in session.exec(
                select(Deadline, Task.ref, Deadline.period).where(Deadline.task_id == Task.id)
            ).all()
        }
        minh = session.exec(select(Person).where(Person.key == "vp.chanh")).one()
    clock.set(datetime(2024, 5, 2, 23, 59, tzinfo=VN_TZ))  # the last minute of the deadline
    complete(runtime, deadline_id=ids[("II.1", "Tháng 4/2024")], person_id=None, via=Via.CLI)
    clock.set(datetime(2024, 6, 3, 7, 45, tzinfo=VN_TZ))
    h1 = ids[("II.2", "6 tháng đầu năm 2024")]
    report_obstacle(runtime, deadline_id=h1, person_id=minh.id, via=Via.WEB, reason="Thiếu số liệu")

    def at(instant: datetime, period: str | None = "2024-H1"):  # type: ignore[no-untyped-def]
        with Session(runtime.engine) as session:
            return build_report(
                session, plan_key=key, at=instant, calendar=runtime.calendar,
                policy=runtime.policy, period=parse_period(period) if period else None,
            )  # fmt: skip

    r = at(datetime(2024, 6, 14, 23, 59, tzinfo=VN_TZ))
    assert r.tasks.counts == (1, 0, 0, 0)  # done at 23:59 on the effective day: on time
    assert r.reports.counts == (0, 0, 1, 0)
    [done] = r.completed
    assert done.done_at is not None and done.done_at.astimezone(VN_TZ).date() == date(2024, 5, 2)
    [o] = r.obstacles  # nothing was dispatched here: its messages are still in the outbox
    assert [(x.person, x.copy, x.status) for x in o.recipients] == [
        ("Phạm Xuân Vinh", False, DeliveryStatus.PENDING),
        ("Võ Thị Mai", True, DeliveryStatus.PENDING),
        ("Phạm Văn Đức", True, DeliveryStatus.PENDING),
    ]
    assert obstacle_line(o).endswith(
        "Đã chuyển đến Ủy ban nhân dân huyện Ba Tơ (Phạm Xuân Vinh – chờ gửi); đồng gửi "
        "Phòng Tài chính – Kế hoạch huyện Ba Tơ (Võ Thị Mai – chờ gửi, Phạm Văn Đức – "
        "chờ gửi)."
    )
    # One minute before the obstacle, there is none; before the completion, II.1 is open.
    assert at(datetime(2024, 6, 3, 7, 44, tzinfo=VN_TZ)).obstacles == ()
    assert at(datetime(2024, 5, 2, 23, 58, tzinfo=VN_TZ), None).tasks.counts == (0, 0, 1, 0)
