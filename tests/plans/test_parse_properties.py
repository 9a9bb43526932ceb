"""Properties: no text crashes the parser; a well-formed plan never loses a numbered task."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifier.domain.timeframe import TimeframeKind, parse_timeframe
from notifier.errors import PlanParseError
from notifier.plans.parse import parse_plan_file, parse_plan_text

AGENCIES = [
    "Phòng Kinh tế",
    "Phòng Văn hóa - Xã hội",
    "Văn phòng HĐND và UBND xã",
    "Phòng Tài chính – Kế hoạch",
    "Sở Nông nghiệp và Môi trường",
    "Công an xã",
    "UBND các xã, thị trấn",
]
TIMES = [
    "Tháng 4 năm 2024",
    "Quý II/2024",
    "Thường xuyên",
    "trước ngày 15/12/2024",
    "hằng tháng (trước ngày 20)",
    "định kỳ 6 tháng và hằng năm",
    "từ ngày 01/11/2024 đến ngày 09/11/2024",
    "đột xuất khi có yêu cầu",
]
WORDS = st.sampled_from(
    ["tổ chức", "hội nghị", "rà soát", "hồ sơ", "đất đai", "tuyên truyền", "nông thôn", "số"]
)
TITLE = st.lists(WORDS, min_size=2, max_size=8).map(lambda ws: " ".join(ws).capitalize())
TASK = st.tuples(TITLE, st.sampled_from(AGENCIES), st.sampled_from(TIMES), st.integers(0, 2))


def render(tasks: list[tuple[str, str, str, int]]) -> str:
    """A plan in one of three layouts per task: labelled bullets, agency group, prose."""
    out = ["Số: 1/KH-UBND", "", "Ba Tơ, ngày 02 tháng 4 năm 2024", "", "KẾ HOẠCH", "Thử", ""]
    out += ["I. MỤC ĐÍCH, YÊU CẦU", "Nội dung.", "II. NỘI DUNG", ""]
    for i, (title, agency, time, layout) in enumerate(tasks, start=1):
        if layout == 0:
            out += [f"{i}. {title}.", f"- Cơ quan chủ trì: {agency}.", f"- Thời gian: {time}."]
        elif layout == 1:
            out.append(f"{i}. {agency}: chủ trì {title.lower()}; thời gian thực hiện: {time}.")
        else:
            out.append(f"{i}. Giao {agency} chủ trì {title.lower()}; thời gian thực hiện: {time}.")
        out.append("")
    out += ["III. TỔ CHỨC THỰC HIỆN", "1. Phòng Kinh tế theo dõi, đôn đốc."]
    return "\n".join(out)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(max_size=600))
def test_parser_never_crashes_on_arbitrary_text(text: str) -> None:
    plan = parse_plan_text(text)
    assert isinstance(plan.to_json()["tasks"], list)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "I.",
                "1.",
                "- ",
                "Cơ quan chủ trì:",
                "Giao ",
                "| STT | Nội dung | Chủ trì |",
                "\n",
                "Quý II/2024",
                "âm lịch",
                "Nơi nhận:",
                "TM. ",
                "x",
                ":",
                "hằng tháng",
                "II. NỘI DUNG",
            ]
        ),
        max_size=60,
    ).map("".join)
)
def test_parser_never_crashes_on_plan_like_fragments(text: str) -> None:
    parse_plan_text(text).to_json()


@settings(max_examples=60, deadline=None)
@given(st.lists(TASK, min_size=1, max_size=15))
def test_no_numbered_task_is_lost(tasks: list[tuple[str, str, str, int]]) -> None:
    plan = parse_plan_text(render(tasks))
    assert [t.ref for t in plan.tasks] == [f"II.{i}" for i in range(1, len(tasks) + 1)]
    for task, (_, agency, _, _) in zip(plan.tasks, tasks, strict=True):
        assert task.lead == [agency]
        assert task.timeframe.kind is not TimeframeKind.UNKNOWN


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120), st.integers(1990, 2100))
def test_timeframe_never_raises(text: str, year: int) -> None:
    tf = parse_timeframe(text, plan_date=None, plan_year=year, until=date(year + 1, 12, 31))
    assert tf.kind in TimeframeKind


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "khong-co.md"
    try:
        parse_plan_file(missing)
    except PlanParseError as exc:
        assert "khong-co.md" in str(exc)
    else:
        raise AssertionError("expected PlanParseError")


def test_unsupported_format_and_corrupt_docx_name_the_file(tmp_path: Path) -> None:
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    bad = tmp_path / "hong.docx"
    bad.write_bytes(b"not a zip")
    for path in (pdf, bad):
        try:
            parse_plan_file(path)
        except PlanParseError as exc:
            assert path.name in str(exc)
        else:
            raise AssertionError(f"expected PlanParseError for {path}")


def test_text_without_tasks_warns_instead_of_returning_silently() -> None:
    plan = parse_plan_text("Một đoạn văn không có nhiệm vụ.")
    assert plan.tasks == []
    assert any("không tìm thấy nhiệm vụ" in w.message for w in plan.warnings)


def test_default_until_is_end_of_the_year_after_the_plan_year() -> None:
    plan = parse_plan_text(
        render([("Họp giao ban", "Phòng Kinh tế", "hằng tháng (trước ngày 20)", 0)])
    )
    assert plan.tasks[0].timeframe.due_dates[-1] == date(2025, 12, 20)


DUTY_LINES = {
    3: "{agency} có trách nhiệm theo dõi, đôn đốc việc thực hiện Kế hoạch.",
    4: "Các cơ quan, đơn vị báo cáo kết quả về UBND xã trước ngày 20 hằng tháng.",
    5: "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan báo cáo UBND xã.",
}
ITEM = st.tuples(
    st.integers(0, 6), TITLE, st.sampled_from(AGENCIES), st.sampled_from(TIMES), st.integers(1, 3)
)


def render_duties(items: list[tuple[int, str, str, str, int]]) -> tuple[str, list[str], list[str]]:
    """A plan whose assignments all sit in "Tổ chức thực hiện"; (text, task refs, duty refs)."""
    out = ["Số: 2/KH-UBND", "Đức Phổ, ngày 02 tháng 4 năm 2025", "KẾ HOẠCH", "Thử"]
    out += ["I. MỤC ĐÍCH, YÊU CẦU", "Nội dung.", "II. TỔ CHỨC THỰC HIỆN"]
    tasks: list[str] = []
    duties: list[str] = []
    for n, (shape, title, agency, time, bullets) in enumerate(items, start=1):
        title = title.lower()
        if shape == 0:
            out.append(f"{n}. {agency}: chủ trì {title}; thời gian thực hiện: {time}.")
        elif shape == 1:
            out.append(f"{n}. Giao {agency} chủ trì {title}; thời gian thực hiện: {time}.")
        elif shape == 6:
            out.append(f"{n}. {agency} - cơ quan thường trực, chủ trì {title}; thời gian: {time}.")
        elif shape == 2:
            out.append(f"{n}. {agency}:")
            out += [f"- {title.capitalize()} đợt {k}; thời gian: {time}." for k in range(bullets)]
            tasks += [f"II.{n}.{k}" for k in range(1, bullets + 1)]
            continue
        else:
            out.append(f"{n}. " + DUTY_LINES[shape].format(agency=agency))
            duties.append(f"II.{n}")
            continue
        tasks.append(f"II.{n}")
    return "\n".join(out), tasks, duties


@settings(max_examples=60, deadline=None)
@given(st.lists(ITEM, min_size=1, max_size=12))
def test_no_numbered_item_of_to_chuc_thuc_hien_is_lost(
    items: list[tuple[int, str, str, str, int]],
) -> None:
    text, task_refs, duty_refs = render_duties(items)
    plan = parse_plan_text(text)
    assert [t.ref for t in plan.tasks] == task_refs
    leads = [
        agency
        for shape, _, agency, _, k in items
        for _ in range(k if shape == 2 else 1 if shape in (0, 1, 6) else 0)
    ]
    assert [t.lead for t in plan.tasks] == [[a] for a in leads]
    assert all(t.timeframe.kind is not TimeframeKind.UNKNOWN for t in plan.tasks)
    found = {d.ref for d in plan.duties}
    assert set(duty_refs) <= found
    numbered = {f"II.{n}" for n in range(1, len(items) + 1)}
    placed = {r.rsplit(".", 1)[0] if r.count(".") == 2 else r for r in task_refs} | found
    assert numbered <= placed | {w.message.split(":")[0] for w in plan.warnings}
