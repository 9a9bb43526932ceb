"""Agency cells split per agency but keep sets and vague groups whole; summary renders."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from notifier.plans.agencies import org_case, split_agencies
from notifier.plans.parse import parse_plan_file, parse_plan_text
from notifier.plans.summary import plan_summary


@pytest.mark.parametrize(
    ("cell", "agencies"),
    [
        (
            "Phòng Tài chính – Kế hoạch, Phòng Nội vụ",
            ["Phòng Tài chính – Kế hoạch", "Phòng Nội vụ"],
        ),
        (
            "Các cơ quan, đơn vị có liên quan của huyện Ba Tơ và thị xã Thái Hòa.",
            ["Các cơ quan, đơn vị có liên quan của huyện Ba Tơ và thị xã Thái Hòa"],
        ),
        ("UBND các xã, thị trấn", ["UBND các xã, thị trấn"]),
        ("Văn phòng HĐND và UBND huyện", ["Văn phòng HĐND và UBND huyện"]),
        ("Sở Giáo dục và Đào tạo", ["Sở Giáo dục và Đào tạo"]),
        ("Phòng Kinh tế và Phòng Văn hóa - Xã hội", ["Phòng Kinh tế", "Phòng Văn hóa - Xã hội"]),
        ("Công an xã\nBan Chỉ huy Quân sự xã;", ["Công an xã", "Ban Chỉ huy Quân sự xã"]),
        ("", []),
    ],
)
def test_split_agencies(cell: str, agencies: list[str]) -> None:
    assert split_agencies(cell) == agencies


@pytest.mark.parametrize(
    ("upper", "cased"),
    [
        ("ỦY BAN NHÂN DÂN", "Ủy ban nhân dân"),
        ("SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", "Sở Nông nghiệp và Môi trường"),
        ("SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "Sở Văn hóa, Thể thao và Du lịch"),
        ("PHÓ CHỦ TỊCH", "Phó Chủ tịch"),
        ("Chủ tịch", "Chủ tịch"),
    ],
)
def test_org_case(upper: str, cased: str) -> None:
    assert org_case(upper) == cased


def test_word_table_with_merged_two_row_header_is_read() -> None:
    path = Path(__file__).parent / "corpus" / "so-tai-chinh-du-toan-2025.docx"
    plan = parse_plan_file(path)
    first = plan.tasks[0]
    assert first.ref == "II.I.1"
    assert first.lead == ["Phòng Quản lý ngân sách"]
    assert first.coordinating == ["Thuế tỉnh", "Kho bạc Nhà nước khu vực XIII"]
    assert first.group == "Theo dõi thu, chi"


def test_orphan_label_and_unreadable_table_become_warnings() -> None:
    text = "\n".join(
        [
            "II. NỘI DUNG",
            "- Cơ quan chủ trì: Phòng Kinh tế",
            "| Cột A | Cột B |",
            "|---|---|",
            "| x | y |",
        ]
    )
    messages = [w.message for w in parse_plan_text(text).warnings]
    assert any("không thuộc nhiệm vụ nào" in m for m in messages)
    assert any("bảng không nhận dạng được cột" in m for m in messages)


def test_summary_renders_tasks_and_dates_in_vietnamese_format() -> None:
    plan = parse_plan_file(Path(__file__).parent / "corpus" / "tinh-quang-ngai-dat-dai-2023.md")
    console = Console(width=200, record=True)
    console.print(plan_summary(plan))
    out = console.export_text()
    assert "10/12/2023" in out
    assert "01/11/2023 – 09/11/2023" in out
    assert "Cảnh báo dòng 36" in out
