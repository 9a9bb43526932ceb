"""After a late import or downtime: one catch-up message per person that lists the stale
items, no copies "để biết" of stale steps, and the true reason in every late message
(issue 11 §2, issue 14 §3)."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from notifier import services
from notifier.engine.channels import build_channels
from notifier.engine.dispatch import dispatch_all
from notifier.engine.service import new_worker_id
from notifier.engine.sweep import sweep
from notifier.store.contexts import CatchUpContext, StepContext, load_context
from notifier.store.models import Deadline
from notifier.vocab import DeadlineStatus, DeliveryStatus, LateReason, MessageKind, Via
from tests.engine.test_sweep_world import World, make_world, vn


def _dispatch(world: World, day: str, hhmm: str) -> None:
    channels = build_channels(world.runtime.settings, world.clock, echo=False)

    async def go() -> None:
        try:
            await dispatch_all(world.runtime, channels, new_worker_id(), vn(day, hhmm))
        finally:
            await channels.aclose()

    asyncio.run(go())


def test_late_import_sends_one_catch_up_per_person(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2026-12-01", "09:00"))
    world.import_plan()
    report = sweep(world.runtime, vn("2026-12-01", "09:00"))
    people = world.person_keys()
    rows = world.rows()
    waiting = [r for r in rows if r.status == DeliveryStatus.PENDING]
    chasing = [r for r in waiting if r.kind not in (MessageKind.DIGEST, MessageKind.ADMIN_ALERT)]
    per_person = Counter(people[r.person_id] for r in chasing)
    # the lead and monitor (Văn phòng) and the Chairman get one catch-up each; the compiler
    # the latest compiled report only; nobody gets copies of steps 650 working days old
    assert per_person == Counter(
        {"vp.chanh": 1, "vp.theo-doi": 1, "ubnd-huyen.chu-tich": 1,
         "tckh.truong-phong": 1, "tckh.tong-hop": 1}
    )  # fmt: skip
    assert not [r for r in waiting if r.copy_only]
    assert report.catch_ups == 3
    [minh] = [r for r in chasing if people[r.person_id] == "vp.chanh"]
    assert minh.kind == MessageKind.CATCH_UP and minh.late
    data = load_context(minh.kind, minh.context)
    assert isinstance(data, CatchUpContext)
    assert len(data.items) == 6  # II.1 and five reporting periods of II.2
    assert data.late_reason == LateReason.IMPORTED_LATE
    merged = [r for r in rows if r.status == DeliveryStatus.SKIPPED and "gộp vào" in r.last_error]
    assert {people[r.person_id] for r in merged} == {
        "vp.chanh",
        "vp.theo-doi",
        "ubnd-huyen.chu-tich",
    }

    _dispatch(world, "2026-12-01", "09:01")
    sent = {r.id: r for r in world.rows()}[minh.id]
    assert sent.status == DeliveryStatus.SENT
    assert sent.subject.startswith("[Gửi bù] 6 nội dung của 2 nhiệm vụ cần đồng chí lưu ý")
    text = sent.body_text
    assert "kế hoạch được đưa vào theo dõi lúc 09:00 Thứ Ba, 01/12/2026" in text
    # "650" alone could be part of a signed link
    assert "tạm ngừng" not in text and "650 ngày" not in text
    assert "quá hạn từ 02/5/2024" in text
    assert text.count("Đã hoàn thành: http") == 6  # each item answers on its own


def test_an_item_of_the_catch_up_is_answered_through_its_own_link(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2026-12-01", "09:00"))
    world.import_plan()
    sweep(world.runtime, vn("2026-12-01", "09:00"))
    people = {key: pid for pid, key in world.person_keys().items()}
    catch_up = next(r for r in world.rows() if r.kind == MessageKind.CATCH_UP
                    and r.person_id == people["vp.chanh"])  # fmt: skip
    data = load_context(catch_up.kind, catch_up.context)
    assert isinstance(data, CatchUpContext)
    first = data.items[0]
    item_row = next(r for r in world.rows() if r.occurrence == first.occurrence
                    and r.step == first.step and r.person_id == people["vp.chanh"])  # fmt: skip
    result = services.complete(
        world.runtime, notification_id=item_row.id, person_id=people["vp.chanh"],
        via=Via.WEB, now=vn("2026-12-01", "10:00"),
    )  # fmt: skip
    assert result.changed
    with Session(world.engine) as session:
        deadline = session.get(Deadline, first.deadline_id)
        assert deadline is not None and deadline.status == DeadlineStatus.DONE


def test_downtime_is_named_with_the_time_the_service_was_last_seen(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))
    world.import_plan()
    sweep(world.runtime, vn("2024-04-19", "09:00"))  # running; then down until 06/5
    sweep(world.runtime, vn("2024-05-06", "09:00"))
    late = [r for r in world.rows() if r.kind != MessageKind.DIGEST and r.status == "pending"]
    assert late
    for row in late:
        data = load_context(row.kind, row.context)
        assert isinstance(data, StepContext | CatchUpContext)
        assert data.late_reason == LateReason.SERVICE_DOWN
        assert data.late_since == vn("2024-04-19", "09:00")
    _dispatch(world, "2024-05-06", "09:01")
    texts = [r.body_text for r in world.rows() if r.id in {x.id for x in late}]
    assert all("tạm ngừng hoạt động từ 09:00 Thứ Sáu, 19/4/2024" in t for t in texts)


def test_a_running_service_never_says_it_was_down(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))
    world.import_plan()
    world.simulate(vn("2024-04-15", "07:00"), vn("2024-05-10", "17:00"))
    for row in world.sent():
        data = load_context(row.kind, row.context)
        assert getattr(data, "late_reason", None) is None, row.step
        assert "gửi muộn" not in row.body_text and "gửi bù" not in row.body_text
