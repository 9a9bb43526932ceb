"""A sweep that runs outside the send window (after downtime, a late import) queues its
messages for the next opening instead of sending them at night or on a Sunday."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from notifier.engine.sweep import sweep
from notifier.vocab import DeliveryStatus
from tests.engine.test_sweep_world import make_world, vn


def test_late_sweep_on_a_sunday_morning_waits_for_monday_0730(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    sunday = vn("2024-05-12", "06:14")
    world = make_world(engine, config_dir, db_url, sunday)
    world.import_plan()
    sweep(world.runtime, sunday)
    pending = [r for r in world.rows() if r.status == DeliveryStatus.PENDING]
    assert pending and all(r.late for r in pending)
    assert {r.next_attempt_at for r in pending} == {vn("2024-05-13", "07:30")}


def test_sweep_inside_the_window_sends_at_once(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    at = vn("2024-04-22", "08:00")
    world = make_world(engine, config_dir, db_url, at)
    world.import_plan()
    sweep(world.runtime, at)
    pending = [r for r in world.rows() if r.status == DeliveryStatus.PENDING]
    assert pending and {r.next_attempt_at for r in pending} == {at}
