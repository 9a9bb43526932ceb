"""`notifier plan import`: resolution against the directory, idempotent updates, moved deadlines."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from notifier.clock import SystemClock
from notifier.store.db import make_engine
from notifier.store.deadlines import horizon_until
from notifier.store.models import (
    Deadline,
    Event,
    Notification,
    Person,
    Plan,
    PlanRole,
    Task,
    TaskRole,
)
from tests.conftest import SEED_PLAN, CliResult

Cli = Callable[..., CliResult]


def _setup(cli: Cli, config_dir: Path, db_url: str) -> tuple[str, ...]:
    base = ("--config", config_dir, "--db", db_url)
    assert cli(*base, "init").code == 0
    return base


def _counts(db_url: str) -> dict[str, int]:
    engine = make_engine(db_url)
    with Session(engine) as session:
        out = {
            model.__name__: len(session.exec(select(model)).all())
            for model in (Plan, Task, TaskRole, PlanRole, Deadline, Event, Notification)
        }
    engine.dispose()
    return out


def test_seed_plan_imports_with_every_name_resolved(
    cli: Cli, config_dir: Path, db_url: str
) -> None:
    base = _setup(cli, config_dir, db_url)
    result = cli(*base, "plan", "import", SEED_PLAN)
    assert result.code == 0, result.err
    assert "Đã tạo kế hoạch" in result.out
    engine = make_engine(db_url)
    with Session(engine) as session:
        plan = session.exec(select(Plan)).one()
        assert plan.number == "/KH-UBND" and plan.issuer == "UBND huyện Ba Tơ"
        roles = {(r.role, r.written) for r in session.exec(select(PlanRole))}
        assert ("monitor", "Văn phòng HĐND và UBND huyện") in roles
        assert ("compiler", "Phòng Tài chính – Kế hoạch") in roles
        assert ("obstacle_to", "UBND huyện") in roles
        tasks = {t.ref: t for t in session.exec(select(Task))}
        assert set(tasks) == {"II.1", "II.2"}
        deadlines = session.exec(select(Deadline).order_by(col(Deadline.id))).all()
        ii1 = [d for d in deadlines if d.task_id == tasks["II.1"].id]
        assert [(d.kind, d.nominal_date, d.effective_date) for d in ii1] == [
            ("deadline", date(2024, 4, 30), date(2024, 5, 2))
        ]
        # first reminder 22/4/2024 08:00 (+07:00) is the next action
        assert ii1[0].next_action_at == datetime(2024, 4, 22, 1, 0, tzinfo=UTC)
        reports = [d for d in deadlines if d.task_id == tasks["II.2"].id]
        # 6-month and year from 2024, at least 12 months ahead of the import (issue 11 §6)
        assert {d.kind for d in reports} == {"report"}
        horizon = horizon_until(SystemClock().now())
        assert max(d.nominal_date for d in reports) > horizon - timedelta(days=190)
        assert all(d.nominal_date <= horizon for d in reports)
        assert reports[0].nominal_date == date(2024, 6, 15)
        assert reports[0].effective_date == date(2024, 6, 17)
        assert (reports[0].data_from, reports[0].data_to) == (date(2023, 12, 15), date(2024, 6, 14))
    engine.dispose()


def test_reimport_updates_in_place_and_keeps_history(
    cli: Cli, config_dir: Path, db_url: str
) -> None:
    base = _setup(cli, config_dir, db_url)
    assert cli(*base, "plan", "import", SEED_PLAN).code == 0
    before = _counts(db_url)
    again = cli(*base, "plan", "import", SEED_PLAN)
    assert again.code == 0 and "Đã cập nhật" in again.out
    after = _counts(db_url)
    assert {k: v for k, v in after.items() if k != "Event"} == {
        k: v for k, v in before.items() if k != "Event"
    }
    assert after["Event"] == before["Event"] + 1  # each import is logged


def test_changed_deadline_moves_and_cancels_pending_messages(
    cli: Cli, config_dir: Path, db_url: str, tmp_path: Path
) -> None:
    base = _setup(cli, config_dir, db_url)
    engine = make_engine(db_url)
    # plans without a number are recognised by content; give both versions the same number
    numbered = SEED_PLAN.read_text(encoding="utf-8").replace("Số: /KH-UBND", "Số: 24/KH-UBND")
    first, second = tmp_path / "v1.md", tmp_path / "v2.md"
    first.write_text(numbered, encoding="utf-8")
    second.write_text(
        numbered.replace(
            "Thời gian thực hiện: Tháng 4 năm 2024", "Thời gian thực hiện: Tháng 5 năm 2024"
        ),
        encoding="utf-8",
    )
    assert cli(*base, "plan", "import", first).code == 0
    with Session(engine) as session:
        plan = session.exec(select(Plan).where(Plan.key == "UBND huyện Ba Tơ|24/KH-UBND")).one()
        task = session.exec(select(Task).where(Task.plan_id == plan.id, Task.ref == "II.1")).one()
        row = session.exec(select(Deadline).where(Deadline.task_id == task.id)).one()
        person = session.exec(select(Person)).first()
        assert person is not None and row.id is not None and person.id is not None
        session.add(
            Notification(
                occurrence=f"d{row.id}@2024-05-02",
                step="reminder-2",
                person_id=person.id,
                channel="email",
                deadline_id=row.id,
                kind="reminder",
                due_at=datetime(2024, 4, 25, 1, tzinfo=UTC),
                created_at=datetime(2024, 4, 20, tzinfo=UTC),
            )
        )
        session.commit()
        row_id = row.id
    moved = cli(*base, "plan", "import", second)
    assert moved.code == 0, moved.err
    assert "đổi hạn II.1: 02/5/2024 → 31/5/2024" in moved.out
    with Session(engine) as session:
        row = session.get(Deadline, row_id)
        assert row is not None
        assert (row.nominal_date, row.effective_date) == (date(2024, 5, 31), date(2024, 5, 31))
        message = session.exec(select(Notification).where(Notification.deadline_id == row_id)).one()
        assert message.status == "cancelled"
        assert row.next_action_at == datetime(2024, 5, 24, 1, 0, tzinfo=UTC)  # 5 wd before 31/5
    engine.dispose()


def test_unresolved_names_are_listed_with_lines_and_nothing_is_written(
    cli: Cli, config_dir: Path, db_url: str, tmp_path: Path
) -> None:
    base = _setup(cli, config_dir, db_url)
    before = _counts(db_url)
    bad = tmp_path / "bad.md"
    bad.write_text(
        SEED_PLAN.read_text(encoding="utf-8")
        .replace(
            "- Cơ quan tham mưu: Văn phòng HĐND và UBND huyện.",
            "- Cơ quan tham mưu: Phòng Tài chánh huyện.",
            1,
        )
        .replace("Ủy ban nhân dân huyện.", "Ủy ban nhân dân quận.", 1),
        encoding="utf-8",
    )
    result = cli(*base, "plan", "import", bad)
    assert result.code == 2
    assert (
        "bad.md:27: II.1 lead: không tìm thấy cơ quan, đơn vị 'Phòng Tài chánh huyện'" in result.err
    )
    assert "gần nhất: Phòng Tài chính – Kế hoạch huyện Ba Tơ (phong-tckh)" in result.err
    assert "'Ủy ban nhân dân quận'" in result.err
    assert _counts(db_url) == before


def test_dry_run_writes_nothing(cli: Cli, config_dir: Path, db_url: str) -> None:
    base = _setup(cli, config_dir, db_url)
    before = _counts(db_url)
    result = cli(*base, "plan", "import", SEED_PLAN, "--dry-run")
    assert result.code == 0 and "không ghi" in result.out
    assert _counts(db_url) == before


def test_empty_group_is_a_loud_warning(cli: Cli, config_dir: Path, db_url: str) -> None:
    path = config_dir / "directory.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "    members: [phong-tckh, phong-vhtt, phong-ktht, phong-nnptnt, ubnd-thai-hoa, "
        "phong-tckh-thai-hoa]",
        "    members: []",
    )
    path.write_text(text, encoding="utf-8")
    base = _setup(cli, config_dir, db_url)
    result = cli(*base, "plan", "import", SEED_PLAN)
    assert result.code == 0
    assert "NHÓM RỖNG" in result.out and "lien-quan-ba-to-thai-hoa" in result.out


def test_plan_parse_json_touches_no_database(cli: Cli, tmp_path: Path) -> None:
    result = cli("--db", f"sqlite:///{tmp_path / 'none.db'}", "plan", "parse", SEED_PLAN, "--json")
    assert result.code == 0
    data = json.loads(result.out)
    assert [t["ref"] for t in data["tasks"]] == ["II.1", "II.2"]
    assert not (tmp_path / "none.db").exists()


def test_plan_parse_missing_file_exits_2(cli: Cli, tmp_path: Path) -> None:
    result = cli("plan", "parse", tmp_path / "khong-co.docx")
    assert result.code == 2 and "khong-co.docx" in result.err
