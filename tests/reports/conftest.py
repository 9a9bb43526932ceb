"""The sample plan's story, replayed once per test session through the real sweep and dispatch.

15/4/2024 08:00  the plan is imported (II.1 "Tháng 4 năm 2024": effective deadline 02/5;
                 II.2 "Thường xuyên": report periods 6 tháng đầu năm 2024 due 17/6, Năm 2024
                 due 16/12, ...)
08/5/2024 16:00  the office records II.1 done, with a result note (late: overdue since 03/5)
10/6/2024 09:00  Trần Văn Minh (Văn phòng, the lead) reports an obstacle on II.2's
                 six-month report; the message goes to UBND huyện, copy to Phòng TC-KH
18/6/2024 10:00  II.2's six-month report is recorded done (late: due 17/6)

The reports are then built at several instants: status as of each instant, whatever
happened later.
"""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlmodel import Session, col, select

from notifier.clock import VN_TZ, VirtualClock, as_utc
from notifier.engine.channels import build_channels
from notifier.engine.service import simulate
from notifier.runtime import Runtime
from notifier.services import complete, report_obstacle
from notifier.store.models import Deadline, Person, Plan, Task
from notifier.vocab import Via
from tests.conftest import EXAMPLE_CONFIG
from tests.interact.test_services import seed

IMPORTED = datetime(2024, 4, 15, 8, 0, tzinfo=VN_TZ)
II1_DONE = datetime(2024, 5, 8, 16, 0, tzinfo=VN_TZ)
OBSTACLE_AT = datetime(2024, 6, 10, 9, 0, tzinfo=VN_TZ)
H1_DONE = datetime(2024, 6, 18, 10, 0, tzinfo=VN_TZ)
END = datetime(2024, 6, 20, 17, 0, tzinfo=VN_TZ)
II1_NOTE = "Đã tổ chức đoàn tham quan, học tập kinh nghiệm tại thị xã Thái Hòa từ ngày 06/5/2024"
REASON = "Chưa nhận được số liệu của thị xã Thái Hòa để tổng hợp báo cáo"
H1_NOTE = "Đã gửi báo cáo 6 tháng đầu năm 2024"


@dataclasses.dataclass
class Story:
    runtime: Runtime
    clock: VirtualClock
    db_url: str
    config_dir: str
    plan_key: str
    ii1: int
    h1: int
    year: int


def _deadline(session: Session, ref: str, period: str | None = None) -> int:
    query = select(Deadline).where(Deadline.task_id == Task.id, Task.ref == ref)
    if period is not None:
        query = query.where(Deadline.period == period)
    found = session.exec(query.order_by(col(Deadline.effective_date))).first()
    assert found is not None and found.id is not None
    return found.id


async def _replay(runtime: Runtime, start: datetime, end: datetime) -> None:
    channels = build_channels(runtime.settings, runtime.clock, echo=False)
    try:
        await simulate(runtime, channels, as_utc(start), as_utc(end), "story")
    finally:
        await channels.aclose()


async def _play(story: Story) -> None:
    runtime, clock = story.runtime, story.clock
    await _replay(runtime, IMPORTED, II1_DONE)
    clock.set(II1_DONE)
    complete(runtime, deadline_id=story.ii1, person_id=None, via=Via.CLI, note=II1_NOTE)
    await _replay(runtime, II1_DONE, OBSTACLE_AT)
    clock.set(OBSTACLE_AT)
    with Session(runtime.engine) as session:
        minh = session.exec(select(Person).where(Person.key == "vp.chanh")).one()
    report_obstacle(runtime, deadline_id=story.h1, person_id=minh.id, via=Via.WEB, reason=REASON)
    await _replay(runtime, OBSTACLE_AT, H1_DONE)
    clock.set(H1_DONE)
    complete(runtime, deadline_id=story.h1, person_id=minh.id, via=Via.WEB, note=H1_NOTE)
    await _replay(runtime, H1_DONE, END)


@pytest.fixture(scope="session")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    root = tmp_path_factory.mktemp("story")
    config_dir = root / "config"
    shutil.copytree(EXAMPLE_CONFIG, config_dir)
    settings = config_dir / "notifier.yaml"
    text = settings.read_text(encoding="utf-8")
    for key, name in (("console_path", "outbox.log"), ("secret_key_file", "secret.key")):
        text = text.replace(f"{key}: var/{name}", f"{key}: {root / 'var' / name}")
    settings.write_text(text, encoding="utf-8")
    clock = VirtualClock(IMPORTED)
    db_url = f"sqlite:///{root / 'story.db'}"
    runtime = seed(config_dir, db_url, clock)
    with Session(runtime.engine) as session:
        key = session.exec(select(Plan.key)).one()
        ids = (
            _deadline(session, "II.1"),
            _deadline(session, "II.2", "6 tháng đầu năm 2024"),
            _deadline(session, "II.2", "Năm 2024"),
        )
    played = Story(runtime, clock, db_url, str(config_dir), key, *ids)
    asyncio.run(_play(played))
    yield played
    runtime.engine.dispose()


def vn(day: str, hhmm: str = "23:59:59") -> datetime:
    """'2024-05-08', '12:00' -> that instant in Vietnam."""
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=VN_TZ)


def local(d: datetime) -> date:
    return d.astimezone(VN_TZ).date()
