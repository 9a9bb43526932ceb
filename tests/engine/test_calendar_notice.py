"""From 1 October, next year's Tết as only the package's estimate: one alert to the admins
through the outbox, and a notice in status (issue 11 §5)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from notifier.engine.sweep import sweep
from notifier.status import status_board
from notifier.vocab import MessageKind
from tests.engine.test_sweep_world import World, make_world, vn


def _alerts(world: World) -> list[str]:
    return [r.occurrence for r in world.rows() if r.kind == MessageKind.ADMIN_ALERT]


def test_one_alert_from_the_first_of_october_until_the_year_is_confirmed(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2026-09-30", "09:00"))
    sweep(world.runtime, vn("2026-09-30", "09:00"))
    assert _alerts(world) == []
    sweep(world.runtime, vn("2026-10-01", "00:05"))
    sweep(world.runtime, vn("2026-10-02", "09:00"))
    assert _alerts(world) == ["calendar-estimate:2027"]  # one admin (vp.quan-tri), once
    [row] = [r for r in world.rows() if r.kind == MessageKind.ADMIN_ALERT]
    assert row.next_attempt_at == vn("2026-10-01", "07:30")  # in office hours
    with Session(world.engine) as session:
        board = status_board(session, world.runtime, vn("2026-10-02", "09:00"))
    assert any("Tết Nguyên Đán năm 2027" in w and "ước tính" in w for w in board.warnings)

    calendar = (config_dir / "calendar.yaml").read_text(encoding="utf-8")
    world.set_calendar(calendar + '  - year: 2027\n    source: "Thông báo lịch nghỉ Tết 2027"\n')
    with Session(world.engine) as session:
        board = status_board(session, world.runtime, vn("2026-10-03", "09:00"))
    assert not any("ước tính" in w for w in board.warnings)


def test_no_alert_when_next_year_is_confirmed(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2025-10-01", "09:00"))
    sweep(world.runtime, vn("2025-10-01", "09:00"))  # 2026 is confirmed in the example
    assert _alerts(world) == []
