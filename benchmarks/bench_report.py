"""Time to build one compiled report and write it as Word, Excel and CSV, for a large plan.

A synthetic plan in SQLite: TASKS tasks with one deadline each across 12 Roman sections,
ONGOING ongoing tasks with 4 report periods each, 40 lead agencies; about half the rows
done with a result note; OBSTACLES obstacles, each sent to 2 people. Prints the median of
RUNS runs for building the report (the database reads) and for each writer.

    .venv/bin/python benchmarks/bench_report.py [--tasks N] [--ongoing N] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from notifier.clock import VN_TZ  # noqa: E402
from notifier.domain.calendar import WorkingCalendar  # noqa: E402
from notifier.domain.policy import load_policy  # noqa: E402
from notifier.reports import build_report, parse_period  # noqa: E402
from notifier.reports.csv import csv_bytes  # noqa: E402
from notifier.reports.docx import docx_bytes  # noqa: E402
from notifier.reports.xlsx import xlsx_bytes  # noqa: E402
from notifier.store.db import make_engine, upgrade  # noqa: E402
from notifier.store.models import (  # noqa: E402
    Acknowledgement,
    Agency,
    Deadline,
    Notification,
    Person,
    Plan,
    Task,
    TaskRole,
)
from notifier.vocab import (  # noqa: E402
    AckAction,
    ChannelName,
    DeadlineStatus,
    DeliveryStatus,
    MessageKind,
    OccurrenceKind,
    Role,
)

AT = datetime(2024, 12, 31, 17, 0, tzinfo=VN_TZ)
T0 = datetime(2024, 1, 2, tzinfo=UTC)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
PERIODS = ("6 tháng đầu năm 2024", "Năm 2024", "6 tháng đầu năm 2025", "Năm 2025")


def _agencies(session: Session) -> list[Person]:
    people = []
    for i in range(40):
        agency = Agency(code=f"a{i}", name=f"Phòng chuyên môn số {i} huyện Ba Tơ")
        session.add(agency)
        session.flush()
        assert agency.id is not None
        person = Person(key=f"p{i}", agency_id=agency.id, name=f"Nguyễn Văn {i}", role="head")
        session.add(person)
        people.append(person)
    session.flush()
    return people


def _task(session: Session, plan_id: int, ref: str, lead: Person, kind: str) -> Task:
    task = Task(plan_id=plan_id, ref=ref, title=f"Nhiệm vụ {ref}: triển khai nội dung " * 3,
                timeframe_text="Quý II/2024", timeframe_kind=kind)  # fmt: skip
    session.add(task)
    session.flush()
    assert task.id is not None
    session.add(TaskRole(task_id=task.id, role=Role.LEAD, written="x", agency_id=lead.agency_id))
    return task


def _deadline(session: Session, task: Task, n: int, kind: str, seq: int, period: str) -> Deadline:
    due = date(2024, 1, 15) + timedelta(days=(n * 7) % 700)
    done = n % 2 == 0
    row = Deadline(task_id=task.id or 0, kind=kind, seq=seq, period=period, nominal_date=due,
                   effective_date=due, status=DeadlineStatus.DONE if done else DeadlineStatus.OPEN,
                   completed_at=T0 + timedelta(days=n % 400) if done else None,
                   completion_note="Đã hoàn thành, báo cáo kết quả" if done else "")  # fmt: skip
    session.add(row)
    return row


def populate(url: str, tasks: int, ongoing: int, obstacles: int) -> str:
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        people = _agencies(session)
        plan = Plan(key="bench", issuer="UBND huyện Ba Tơ", number="1/KH-UBND", place="Ba Tơ",
                    plan_date="2024-01-02", title="Kế hoạch thử tải", content_hash="h",
                    imported_at=T0, updated_at=T0)  # fmt: skip
        session.add(plan)
        session.flush()
        assert plan.id is not None
        rows = []
        for n in range(tasks):
            task = _task(
                session, plan.id, f"{ROMAN[n % 12]}.{n}", people[n % 40], OccurrenceKind.DEADLINE
            )
            rows.append(_deadline(session, task, n, OccurrenceKind.DEADLINE, 0, ""))
        for n in range(ongoing):
            task = _task(session, plan.id, f"XII.{tasks + n}", people[n % 40], "ongoing")
            rows += [
                _deadline(session, task, n, OccurrenceKind.REPORT, s, p)
                for s, p in enumerate(PERIODS)
            ]
        session.flush()
        for n in range(obstacles):
            ack = Acknowledgement(
                deadline_id=rows[n].id or 0, person_id=people[n % 40].id, action=AckAction.BLOCKED,
                via="web", note="Thiếu kinh phí", at=T0,
            )  # fmt: skip
            session.add(ack)
            session.flush()
            for copy, person in ((False, people[0]), (True, people[1])):
                row = Notification(
                    occurrence=f"obstacle:{ack.id}", step=MessageKind.OBSTACLE,
                    person_id=person.id or 0, channel=ChannelName.EMAIL, kind=MessageKind.OBSTACLE,
                    due_at=T0, created_at=T0, status=DeliveryStatus.SENT, sent_at=T0,
                    copy_only=copy,
                )  # fmt: skip
                session.add(row)
        session.commit()
    engine.dispose()
    return "bench"


def _median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--ongoing", type=int, default=100)
    parser.add_argument("--obstacles", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        key = populate(url, args.tasks, args.ongoing, args.obstacles)
        engine = make_engine(url)
        calendar = WorkingCalendar.from_yaml(ROOT / "config" / "calendar.yaml")
        policy = load_policy(ROOT / "config" / "policy.yaml")
        period = parse_period("2024")

        def build():  # type: ignore[no-untyped-def]
            with Session(engine) as session:
                return build_report(session, plan_key=key, at=AT, calendar=calendar,
                                    policy=policy, period=period)  # fmt: skip

        report = build()
        print(f"plan: {args.tasks} deadline rows + {4 * args.ongoing} report periods; "
              f"report 'Năm 2024' holds {len(report.items)} items, "
              f"{len(report.obstacles)} obstacles, {len(report.agencies)} agencies")  # fmt: skip
        print(f"build_report: {_median(build, args.runs):.2f} s (median of {args.runs})")
        for name, writer in (("docx", docx_bytes), ("xlsx", xlsx_bytes), ("csv", csv_bytes)):
            seconds = _median(lambda w=writer: w(report), args.runs)  # type: ignore[misc]
            print(f"{name}: {seconds:.2f} s, {len(writer(report)) / 1024:.0f} KiB")
        engine.dispose()


if __name__ == "__main__":
    main()
