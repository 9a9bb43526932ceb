"""The monitor's digest goes when its content changed, or weekly; the preview says the same
(issue 11 §4: not 53 identical digests to one person in two months)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from notifier.clock import VN_TZ
from notifier.vocab import MessageKind
from tests.engine.test_sweep_world import World, make_world, vn


def _digest_days(world: World) -> list[str]:
    return sorted(
        {r.due_at.astimezone(VN_TZ).strftime("%m-%d") for r in world.sent(MessageKind.DIGEST)}
    )


def _preview_days(world: World, first: str, last: str) -> list[str]:
    from datetime import datetime, time, timedelta

    from sqlmodel import Session

    from notifier.domain.preview import preview
    from notifier.store.facts import load_occurrences, load_people

    with Session(world.engine) as session:
        occs = [o.preview() for o in load_occurrences(session, world.runtime.policy)]
        people = load_people(session)
    start = datetime.combine(datetime.fromisoformat(first).date(), time(0), VN_TZ)
    end = datetime.combine(datetime.fromisoformat(last).date() + timedelta(days=1), time(0), VN_TZ)
    items = preview(occs, people, world.runtime.calendar, start, end, world.runtime.policy)
    return sorted({i.at.strftime("%m-%d") for i in items if i.kind == MessageKind.DIGEST})


def test_digest_goes_only_when_its_content_changed(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))
    world.import_plan()
    preview_days = _preview_days(world, "2024-04-15", "2024-05-31")
    world.simulate(vn("2024-04-15", "07:00"), vn("2024-05-31", "17:00"))
    # 22/4: II.1 is due within five working days; 03/5: it is overdue; nothing new after
    assert _digest_days(world) == ["04-22", "05-03"]
    assert preview_days == _digest_days(world)  # one rule for the preview and the engine
    assert len(world.sent(MessageKind.DIGEST)) == 4  # two people of the office, twice


def test_weekly_digest_on_the_configured_day(engine: Engine, config_dir: Path, db_url: str) -> None:
    policy = config_dir / "policy.yaml"
    text = policy.read_text(encoding="utf-8").replace("mode: daily_when_changed", "mode: weekly")
    policy.write_text(text.replace("weekday: monday", "weekday: tuesday"), encoding="utf-8")
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))
    world.import_plan()
    preview_days = _preview_days(world, "2024-04-15", "2024-05-20")
    world.simulate(vn("2024-04-15", "07:00"), vn("2024-05-20", "17:00"))
    # Tuesdays with news: 23/4; 30/4 is a holiday -> Thursday 02/5; 07/5, 14/5
    assert _digest_days(world) == ["04-23", "05-02", "05-07", "05-14"]
    assert preview_days == _digest_days(world)
    assert all(r.subject.startswith("[Tổng hợp hằng tuần]") for r in world.sent(MessageKind.DIGEST))
