"""Escalations say who was reminded and has not answered, name the level by who receives
it, count what that recipient got, and offer only the answers the role allows (issue 11 §1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from notifier import services
from notifier.engine.channels import build_channels
from notifier.engine.context import build_context
from notifier.engine.dispatch import Dispatcher
from notifier.errors import Refused
from notifier.store.models import Notification
from notifier.vocab import AckAction, ChannelName, MessageKind, Via
from tests.engine.test_sweep_world import World, make_world, vn


def _world(engine: Engine, config_dir: Path, db_url: str) -> World:
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))
    world.import_plan()
    world.simulate(vn("2024-04-15", "07:00"), vn("2024-05-16", "17:00"))
    return world


def test_escalations_to_the_chairman_read_as_reports_counted_per_recipient(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = _world(engine, config_dir, db_url)
    people = world.person_keys()
    chairman = [r for r in world.sent(MessageKind.ESCALATION)
                if people[r.person_id] == "ubnd-huyen.chu-tich"]  # fmt: skip
    assert [r.step for r in chairman] == ["escalation-2", "escalation-2-r1"]
    first, second = chairman
    # level 1 (the office itself, also the lead) was skipped: no "lần 2" for a first report
    assert first.subject.startswith(
        "[Báo cáo Chủ tịch UBND huyện] Nhiệm vụ II.1 quá hạn 5 ngày làm việc: "
    )
    assert second.subject.startswith(
        "[Báo cáo Chủ tịch UBND huyện] Nhiệm vụ II.1 quá hạn 10 ngày làm việc (lần thứ 2): "
    )
    assert all(len(r.subject) <= 120 for r in world.sent())
    assert "Đã nhắc nhưng chưa phản hồi:" in first.body_text
    assert (
        "Văn phòng HĐND và UBND huyện Ba Tơ: đồng chí Trần Văn Minh (Chánh Văn phòng HĐND và "
        "UBND huyện): 6 lần nhắc, từ 22/4/2024 đến 03/5/2024"
    ) in first.body_text
    # the Chairman acknowledges; he does not report the office's task done
    assert "Đã nhận: http" not in first.body_text  # one link only: "xác nhận đã nhận"
    assert "xác nhận đã nhận thông báo bằng liên kết: http" in first.body_text
    assert "Đã hoàn thành" not in first.body_text
    copies = [r for r in world.sent(MessageKind.ESCALATION) if r.copy_only]
    assert copies and all(r.subject.startswith("[Đồng gửi: Báo cáo Chủ tịch UBND huyện]")
                          for r in copies)  # fmt: skip


def test_the_chairman_is_offered_one_button_and_cannot_report_done(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = _world(engine, config_dir, db_url)
    people = {key: pid for pid, key in world.person_keys().items()}
    row = next(r for r in world.sent(MessageKind.ESCALATION)
               if r.person_id == people["ubnd-huyen.chu-tich"])  # fmt: skip
    channels = build_channels(world.runtime.settings, world.clock, echo=False)
    dispatcher = Dispatcher(world.runtime, channels, "test")
    with Session(world.engine) as session:
        found = session.get(Notification, row.id)
        assert found is not None and found.id is not None
        ctx = build_context(session, found, world.runtime, vn("2024-05-08", "08:00"))
        _, buttons = dispatcher._answer_surface(
            ctx, ChannelName.TELEGRAM, found.id, people["ubnd-huyen.chu-tich"], world.clock.now()
        )
    assert [b.label for b in buttons] == ["Đã nhận"]
    with pytest.raises(Refused, match="vai trò chỉ đạo"):
        services.complete(
            world.runtime, notification_id=row.id, person_id=people["ubnd-huyen.chu-tich"],
            via=Via.WEB,
        )  # fmt: skip
    result = services.acknowledge(
        world.runtime, notification_id=row.id, person_id=people["ubnd-huyen.chu-tich"],
        via=Via.WEB,
    )  # fmt: skip
    assert result.changed and result.action == AckAction.RECEIVED
