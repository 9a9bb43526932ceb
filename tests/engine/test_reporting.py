"""Reporting periods of ongoing work: a rolling horizon kept by the sweep, and each report
request stating its data period (issue 11 §6)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from notifier.store.models import Deadline, Task
from tests.engine.test_sweep_world import World, make_world, vn


def _reports(world: World) -> list[Deadline]:
    with Session(world.engine) as session:
        task = session.exec(select(Task).where(Task.ref == "II.2")).one()
        rows = session.exec(select(Deadline).where(Deadline.task_id == task.id)).all()
        return sorted(rows, key=lambda d: d.nominal_date)


def test_an_ongoing_task_still_gets_its_2027_report_requests(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    """The sample plan ("năm 2024 và những năm tiếp theo", task II.2 "Thường xuyên"),
    imported in April 2024 with deadlines up to 31/12/2025, replayed into 2027."""
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))
    assert world.cli("plan", "import", str(_seed()), "--until", "2025-12-31") == 0
    assert max(d.nominal_date for d in _reports(world)) == date(2025, 12, 15)

    world.simulate(vn("2024-04-15", "07:00"), vn("2024-04-22", "09:00"))
    world.simulate(vn("2027-05-31", "07:00"), vn("2027-06-30", "17:00"))
    world.simulate(vn("2027-12-01", "07:00"), vn("2027-12-31", "23:59"))

    periods = {d.period: d for d in _reports(world)}
    assert {"6 tháng đầu năm 2027", "Năm 2027", "6 tháng đầu năm 2028"} <= set(periods)
    assert max(d.nominal_date for d in _reports(world)) >= date(2028, 6, 15)  # 12 months ahead
    for period in ("6 tháng đầu năm 2027", "Năm 2027"):
        wanted = periods[period].id
        requests = [r for r in world.sent("report_request") if r.deadline_id == wanted]
        on_time = [r for r in requests if not r.late]
        assert on_time, f"no report request for {period}"
        assert all("(số liệu từ " in r.body_text for r in on_time)
    year = periods["Năm 2027"]
    assert (year.data_from, year.data_to) == (date(2026, 12, 15), date(2027, 12, 14))
    text = next(r.body_text for r in world.sent("report_request") if r.deadline_id == year.id)
    assert "kỳ báo cáo năm 2027 (số liệu từ 15/12/2026 đến 14/12/2027)" in text


def test_report_request_of_the_first_half_states_its_data_period(
    engine: Engine, config_dir: Path, db_url: str
) -> None:
    world = make_world(engine, config_dir, db_url, vn("2024-04-15", "07:00"))
    world.import_plan(_seed())
    world.simulate(vn("2024-06-07", "07:00"), vn("2024-06-10", "09:00"))
    [request, *_] = [r for r in world.sent("report_request") if not r.copy_only]
    assert "(số liệu từ 15/12/2023 đến 14/6/2024)" in request.body_text
    assert request.subject.startswith("[Đề nghị báo cáo] 6 tháng đầu năm 2024, hạn 17/6/2024: ")


def _seed() -> Path:
    from tests.conftest import SEED_PLAN

    return SEED_PLAN
