"""Where assignments stand and how agencies are written: one small document per shape."""

from __future__ import annotations

import pytest

from notifier.plans.agencies import split_agencies
from notifier.plans.parse import parse_plan_text
from notifier.plans.resolve import AgencyEntry, AgencyIndex, GroupEntry

HEAD = "ỦY BAN NHÂN DÂN\nXÃ ĐỨC PHỔ\nSố: 9/KH-UBND\nĐức Phổ, ngày 02 tháng 8 năm 2025\nKẾ HOẠCH\n"


@pytest.mark.parametrize(
    ("cell", "agencies"),
    [
        ("Ban Chỉ đạo phòng, chống tội phạm xã", ["Ban Chỉ đạo phòng, chống tội phạm xã"]),
        (
            "Công an xã, Ban Chỉ huy phòng, chống thiên tai và tìm kiếm cứu nạn xã",
            ["Công an xã", "Ban Chỉ huy phòng, chống thiên tai và tìm kiếm cứu nạn xã"],
        ),
        ("Công an xã, Trưởng các thôn, tổ dân phố", ["Công an xã", "Trưởng các thôn, tổ dân phố"]),
        (
            "Ủy ban MTTQ Việt Nam xã và các đoàn thể chính trị - xã hội xã",
            ["Ủy ban MTTQ Việt Nam xã", "các đoàn thể chính trị - xã hội xã"],
        ),
        ("Đảng ủy xã, Công an xã", ["Đảng ủy xã", "Công an xã"]),
        ("Sở Văn hóa, Thể thao và Du lịch", ["Sở Văn hóa, Thể thao và Du lịch"]),
        (
            "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ và Ủy ban nhân dân các tỉnh, thành "
            "phố trực thuộc trung ương",
            [
                "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
                "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương",
            ],
        ),
        ("UBND các xã, phường, đặc khu", ["UBND các xã, phường, đặc khu"]),
    ],
)
def test_agency_phrases_split(cell: str, agencies: list[str]) -> None:
    assert split_agencies(cell) == agencies


def test_two_tier_names_resolve_against_a_post_2025_directory() -> None:
    index = AgencyIndex(
        [
            AgencyEntry("ubmttq", "Ủy ban Mặt trận Tổ quốc Việt Nam xã Đức Phổ"),
            AgencyEntry("bchqs", "Ban Chỉ huy Quân sự xã Đức Phổ", ("Ban Chỉ huy Quân sự xã",)),
            AgencyEntry("ca", "Công an xã Đức Phổ", ("Công an xã",)),
            AgencyEntry("snnmt", "Sở Nông nghiệp và Môi trường"),
            AgencyEntry("ttvh", "Trung tâm Văn hóa đặc khu Lý Sơn", ("Trung tâm Văn hóa",)),
        ],
        [GroupEntry("thon", "Trưởng các thôn, tổ dân phố")],
    )
    assert index.resolve("Ủy ban MTTQ Việt Nam xã Đức Phổ").code == "ubmttq"  # type: ignore[union-attr]
    assert index.resolve("BCHQS xã").code == "bchqs"  # type: ignore[union-attr]
    assert index.resolve("Sở NN&MT").code == "snnmt"  # type: ignore[union-attr]
    assert index.resolve("Trung tâm Văn hóa đặc khu").code == "ttvh"  # type: ignore[union-attr]
    group = index.resolve("Trưởng các thôn, TDP")
    assert group is not None and group.is_group


def test_unnumbered_agency_group_with_bullets_in_a_letter() -> None:
    text = HEAD + "\n".join(
        [
            "Chủ tịch UBND xã đề nghị:",
            "Công an xã:",
            "- Rà soát nhân khẩu tạm trú; hoàn thành trước ngày 30/8/2025.",
            "- Tuần tra bảo đảm an ninh dịp Quốc khánh; thời gian: từ ngày 01/9/2025 "
            "đến ngày 03/9/2025.",
            "Nơi nhận:",
        ]
    )
    plan = parse_plan_text(text)
    assert [(t.ref, t.lead, t.timeframe.kind) for t in plan.tasks] == [
        ("1.1", ["Công an xã"], "deadline"),
        ("1.2", ["Công an xã"], "window"),
    ]


def test_agency_alone_on_a_numbered_line_heads_its_bullets_in_a_content_section() -> None:
    text = HEAD + "\n".join(
        [
            "II. NHIỆM VỤ CỤ THỂ",
            "1. Phòng Kinh tế",
            "- Kiểm tra kênh mương; hoàn thành trước ngày 15/10/2025.",
            "- Tham mưu kế hoạch sản xuất vụ Đông; thời gian: tháng 11/2025.",
            "2. Tuyên truyền trên loa truyền thanh",
            "- Cơ quan chủ trì: Phòng Văn hóa - Xã hội.",
            "- Thời gian thực hiện: Quý IV/2025.",
        ]
    )
    tasks = parse_plan_text(text).tasks
    assert [(t.ref, t.lead) for t in tasks] == [
        ("II.1.1", ["Phòng Kinh tế"]),
        ("II.1.2", ["Phòng Kinh tế"]),
        ("II.2", ["Phòng Văn hóa - Xã hội"]),
    ]


def test_party_issuer_and_t_m_signature() -> None:
    text = "\n".join(
        [
            "ĐẢNG BỘ TỈNH QUẢNG NGÃI",
            "ĐẢNG ỦY XÃ ĐỨC PHỔ",
            "*",
            "Số 07-KH/ĐU",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "Đức Phổ, ngày 10 tháng 3 năm 2025",
            "KẾ HOẠCH",
            "Thử",
            "T/M ĐẢNG ỦY",
            "BÍ THƯ",
            "Lê Văn Tâm",
        ]
    )
    plan = parse_plan_text(text)
    assert plan.header.issuer == "Đảng ủy xã Đức Phổ"
    assert plan.header.number == "07-KH/ĐU"
    assert plan.header.signer.capacity == "T/M Đảng ủy"
    assert plan.header.signer.name == "Lê Văn Tâm"


def test_an_event_name_with_a_year_is_never_a_deadline() -> None:
    text = HEAD + (
        "II. NỘI DUNG\n"
        "1. Giao Phòng Văn hóa - Xã hội chủ trì tổ chức Đại hội TDTT xã lần thứ ba năm 2026.\n"
    )
    task = parse_plan_text(text).tasks[0]
    assert task.timeframe.kind == "unknown" and task.timeframe.due_dates == []
