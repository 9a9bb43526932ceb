"""A plan never silently replaces another; a document without tasks is not imported.

Plans without issuer and number are keyed by the hash of their text: five different
header-less documents are five plans; a changed version of one stops and asks for
``--replace``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, select

from notifier.plans.acceptance import EmptyPlanError, check_importable
from notifier.plans.parse import parse_plan_text
from notifier.store.db import make_engine
from notifier.store.models import Plan, Task
from tests.conftest import CliResult

Cli = Callable[..., CliResult]
AGENCIES = [
    "Phòng Nội vụ",
    "Phòng Dân tộc",
    "Phòng Văn hóa và Thông tin",  # "tin" once ended the name: "in" is a verb
    "Phòng Kinh tế và Hạ tầng",
]


def headerless(i: int) -> str:
    """A short assignment note with no issuer, number or date, as clerks pass around."""
    return (
        f"Giao {AGENCIES[i % 4]} chủ trì rà soát hồ sơ đợt {i}; hoàn thành trước ngày "
        f"{10 + i}/12/2024.\n"
    )


def _plans(db_url: str) -> list[Plan]:
    engine = make_engine(db_url)
    with Session(engine) as session:
        plans = list(session.exec(select(Plan).order_by(Plan.id)))  # type: ignore[arg-type]
    engine.dispose()
    return plans


@pytest.fixture
def base(cli: Cli, config_dir: Path, db_url: str) -> tuple[str, ...]:
    args = ("--config", str(config_dir), "--db", db_url)
    assert cli(*args, "init").code == 0
    return args


def test_five_headerless_documents_are_five_plans(
    cli: Cli, base: tuple[str, ...], db_url: str, tmp_path: Path
) -> None:
    for i in range(5):
        path = tmp_path / f"giao-viec-{i}.txt"
        path.write_text(headerless(i), "utf-8")
        result = cli(*base, "plan", "import", path)
        assert result.code == 0, result.err
        assert "Đã tạo kế hoạch" in result.out
    plans = _plans(db_url)
    assert len(plans) == 5
    assert len({p.key for p in plans}) == 5
    assert all(p.key.startswith("sha256:") for p in plans)


def test_the_same_text_again_updates_its_own_plan(
    cli: Cli, base: tuple[str, ...], db_url: str, tmp_path: Path
) -> None:
    first, copy = tmp_path / "a.txt", tmp_path / "ban-sao.md"
    first.write_text(headerless(1), "utf-8")
    copy.write_text(headerless(1).replace("\n", "\r\n"), "utf-8")  # other name, other endings
    assert cli(*base, "plan", "import", first).code == 0
    again = cli(*base, "plan", "import", copy)
    assert again.code == 0 and "Đã cập nhật" in again.out
    assert len(_plans(db_url)) == 1


def test_a_changed_unnumbered_document_asks_for_replace(
    cli: Cli, base: tuple[str, ...], db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "giao-viec.txt"
    path.write_text(headerless(1), "utf-8")
    assert cli(*base, "plan", "import", path).code == 0
    (old,) = _plans(db_url)
    path.write_text(headerless(1).replace("11/12/2024", "20/12/2024"), "utf-8")
    refused = cli(*base, "plan", "import", path)
    assert refused.code == 2
    assert f"--replace {old.key}" in refused.err and "--new" in refused.err
    assert [p.key for p in _plans(db_url)] == [old.key]  # nothing written

    replaced = cli(*base, "plan", "import", path, "--replace", str(old.id))
    assert replaced.code == 0, replaced.err
    (plan,) = _plans(db_url)
    assert plan.id == old.id and plan.key != old.key  # the plan now has the new text's key
    again = cli(*base, "plan", "import", path)
    assert again.code == 0 and "Đã cập nhật" in again.out


def test_new_keeps_both_and_a_wrong_replace_is_refused(
    cli: Cli, base: tuple[str, ...], db_url: str, tmp_path: Path
) -> None:
    one, two = tmp_path / "mot.txt", tmp_path / "hai.txt"
    one.write_text(headerless(1), "utf-8")
    two.write_text(headerless(2), "utf-8")
    assert cli(*base, "plan", "import", one).code == 0
    assert cli(*base, "plan", "import", two).code == 0
    first, second = _plans(db_url)
    wrong = cli(*base, "plan", "import", one, "--replace", second.key)
    assert wrong.code == 2 and f"đã được nhập là kế hoạch {first.key}" in wrong.err
    one.write_text(headerless(3), "utf-8")
    assert cli(*base, "plan", "import", one).code == 2  # same file name: asks
    assert cli(*base, "plan", "import", one, "--new").code == 0
    assert len(_plans(db_url)) == 3


def test_a_document_without_tasks_is_refused_unless_allowed(
    cli: Cli, base: tuple[str, ...], db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "thong-bao.md"
    path.write_text("UBND HUYỆN BA TƠ\nSố: 5/TB-UBND\nThông báo lịch họp giao ban tháng 5.\n")
    refused = cli(*base, "plan", "import", path)
    assert refused.code == 2
    assert "không tìm thấy nhiệm vụ nào" in refused.err
    assert "Cơ quan chủ trì" in refused.err and "Giao Sở X chủ trì" in refused.err
    assert "--allow-empty" in refused.err
    assert _plans(db_url) == []
    allowed = cli(*base, "plan", "import", path, "--allow-empty")
    assert allowed.code == 0, allowed.err
    (plan,) = _plans(db_url)
    engine = make_engine(db_url)
    with Session(engine) as session:
        assert session.exec(select(Task).where(Task.plan_id == plan.id)).all() == []
    engine.dispose()


def test_the_check_is_one_function_a_web_page_can_call() -> None:
    plan = parse_plan_text("Một đoạn văn không giao việc cho ai.", source="tai-len.md")
    with pytest.raises(EmptyPlanError) as raised:
        check_importable(plan, how_to_allow="bấm 'Vẫn nhập' để nhập kế hoạch không có nhiệm vụ")
    assert "tai-len.md" in str(raised.value) and "Vẫn nhập" in str(raised.value)
    check_importable(plan, allow_empty=True)
    check_importable(parse_plan_text(headerless(1)))


def test_a_plan_keyed_by_an_earlier_version_is_found_again(
    cli: Cli, base: tuple[str, ...], db_url: str, tmp_path: Path
) -> None:
    """Databases made before keys came from the source text keep their unnumbered plans."""
    from notifier.plans.importer import legacy_key

    path = tmp_path / "giao-viec.txt"
    path.write_text(headerless(1), "utf-8")
    assert cli(*base, "plan", "import", path).code == 0
    (plan,) = _plans(db_url)
    old = legacy_key(parse_plan_text(headerless(1), source=str(path)))
    engine = make_engine(db_url)
    with Session(engine) as session:
        row = session.get(Plan, plan.id)
        assert row is not None
        row.key = old  # as the previous version stored it
        session.commit()
    engine.dispose()
    again = cli(*base, "plan", "import", path)
    assert again.code == 0 and "Đã cập nhật" in again.out, again.err
    (updated,) = _plans(db_url)
    assert updated.id == plan.id and updated.key == plan.key
