"""The sample plan from Ba Tơ: the acceptance criteria of the parser, checked one by one."""

from __future__ import annotations

import pytest

from notifier.plans.parse import parse_plan_file
from tests.conftest import ROOT, SEED_PLAN

SEED = SEED_PLAN


def test_the_kept_copy_is_the_shared_seed() -> None:
    shared = ROOT.parent / "shared" / "seed" / SEED.name
    if not shared.exists():
        pytest.skip(f"{shared} not beside this checkout")
    assert SEED.read_bytes() == shared.read_bytes()


@pytest.fixture(scope="module")
def seed() -> dict:
    return parse_plan_file(SEED).to_json()


def test_seed_has_exactly_two_tasks_with_refs(seed: dict) -> None:
    assert [t["ref"] for t in seed["tasks"]] == ["II.1", "II.2"]


def test_seed_task_one_agencies_and_deadline(seed: dict) -> None:
    task = seed["tasks"][0]
    assert task["directing"] == ["Ủy ban nhân dân huyện"]
    assert task["lead"] == ["Văn phòng HĐND và UBND huyện"]
    assert task["coordinating"] == [
        "Các cơ quan, đơn vị có liên quan của huyện Ba Tơ và thị xã Thái Hòa"
    ]
    assert task["timeframe"]["kind"] == "deadline"
    assert task["timeframe"]["due_dates"] == ["2024-04-30"]
    assert task["timeframe"]["text"] == "Tháng 4 năm 2024"
    assert task["line"] == 27


def test_seed_task_two_is_ongoing(seed: dict) -> None:
    task = seed["tasks"][1]
    assert task["timeframe"]["kind"] == "ongoing"
    assert task["timeframe"]["due_dates"] == []
    assert task["lead"] == ["Văn phòng HĐND và UBND huyện"]


def test_seed_monitor_and_compiler_come_from_section_three(seed: dict) -> None:
    assert seed["plan"]["monitor"] == ["Văn phòng HĐND và UBND huyện"]
    assert seed["plan"]["compiler"] == ["Phòng Tài chính – Kế hoạch"]
    by_ref = {d["ref"]: d for d in seed["duties"]}
    assert "monitor" in by_ref["III.2"]["roles"]
    assert "compile" in by_ref["III.3"]["roles"]
    assert by_ref["III.4"]["roles"] == ["obstacle"]


def test_seed_obstacle_route_goes_to_ubnd_with_copy_to_compiler(seed: dict) -> None:
    assert seed["obstacle_route"]["to"] == ["UBND huyện"]
    assert seed["obstacle_route"]["cc"] == ["Phòng Tài chính – Kế hoạch"]


def test_seed_has_twelve_recipients_two_for_report_one_archive(seed: dict) -> None:
    recipients = seed["recipients"]
    assert len(recipients) == 12
    assert [r["name"] for r in recipients if r["for_report"]] == ["UBND tỉnh", "TT Huyện ủy"]
    assert [r["name"] for r in recipients if r["archive"]] == ["Lưu VT, TCKH"]


def test_seed_header_and_signer(seed: dict) -> None:
    plan = seed["plan"]
    assert plan["signer"] == {
        "name": "Phạm Xuân Vinh",
        "title": "Chủ tịch",
        "capacity": "TM. Ủy ban nhân dân",
    }
    assert plan["date"] == "2024-04"
    assert plan["number"] == "/KH-UBND"
    assert plan["place"] == "Ba Tơ"
    assert plan["issuer"] == "UBND huyện Ba Tơ"
    assert plan["title"].startswith("Triển khai thực hiện Bản Ghi nhớ")
    assert len(plan["legal_basis"]) == 1


def test_seed_reports_on_request_and_has_no_warnings(seed: dict) -> None:
    kinds = {r["ref"]: r["timeframe"]["kind"] for r in seed["reporting"]}
    assert kinds == {"III.1": "on_demand", "III.3": "on_demand"}
    assert seed["warnings"] == []
