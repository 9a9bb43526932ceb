"""The Word report of the sample plan, opened again with python-docx: layout, fonts, text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph

from notifier.cli import run_cli
from notifier.cli.common import AppState
from tests.reports.conftest import Story

II1 = (
    "Nhiệm vụ II.1 “Tham quan, học tập kinh nghiệm về công tác chỉ đạo điều hành trong thực "
    "hiện phát triển đô thị, xây dựng kết cấu hạ tầng, thực hiện các Chương trình mục tiêu "
    "quốc gia tại thị xã Thái Hòa”"
)
II2 = (
    "Nhiệm vụ II.2 “Phối hợp, chia sẻ thông tin, kinh nghiệm trong phát triển kinh tế - xã "
    "hội, nhất là lĩnh vực công nghiệp - dịch vụ, quảng bá, xúc tiến du lịch, thu hút đầu tư”"
)
LEAD = "cơ quan chủ trì: Văn phòng HĐND và UBND huyện Ba Tơ"
PLAN = "Kế hoạch số .../KH-UBND tháng 4/2024 của UBND huyện Ba Tơ"
TITLE = (
    "triển khai thực hiện Bản Ghi nhớ giữa tỉnh Nghệ An và tỉnh Quảng Ngãi về hợp tác, kết "
    "nghĩa giữa huyện Ba Tơ với thị xã Thái Hòa năm 2024 và những năm tiếp theo"
)
OBSTACLE = (
    "- Ngày 10/6/2024, đồng chí Trần Văn Minh (Văn phòng HĐND và UBND huyện Ba Tơ) báo cáo "
    "vướng mắc khi thực hiện nhiệm vụ II.2 (kỳ báo cáo 6 tháng đầu năm 2024): “Chưa nhận "
    "được số liệu của thị xã Thái Hòa để tổng hợp báo cáo”. Đã chuyển đến Ủy ban nhân dân "
    "huyện Ba Tơ (Phạm Xuân Vinh); đồng gửi Phòng Tài chính – Kế hoạch huyện Ba Tơ (Võ Thị "
    "Mai, Phạm Văn Đức)."
)


def write(story: Story, target: Path, *args: str) -> Path:
    argv = ["--config", story.config_dir, "--db", story.db_url, "report", "--plan", story.plan_key]
    code = run_cli(
        [*argv, "--format", "docx", "-o", str(target), *args], AppState(clock=story.clock)
    )
    assert code == 0
    return target


@pytest.fixture(scope="module")
def h1(story: Story, tmp_path_factory: pytest.TempPathFactory) -> DocxDocument:
    """The six-month report, made on 20/6/2024 (status at the data cut-off, 14/6)."""
    path = tmp_path_factory.mktemp("docx") / "h1.docx"
    return Document(str(write(story, path, "--period", "6 tháng đầu năm 2024")))


def texts(doc: DocxDocument) -> list[str]:
    return [p.text for p in doc.paragraphs if p.text.strip()]


def all_paragraphs(doc: DocxDocument) -> Iterator[Paragraph]:
    yield from doc.paragraphs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def cells(table: Table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def run_style(p: Paragraph) -> tuple[float | None, bool, bool]:
    [run] = p.runs
    size = run.font.size.pt if run.font.size is not None else None
    return size, bool(run.font.bold), bool(run.font.italic)


def test_a4_page_margins_and_times_new_roman_everywhere(h1: DocxDocument) -> None:
    section = h1.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [20, 20, 30, 15]
    runs = [r for p in all_paragraphs(h1) for r in p.runs]
    assert runs and {r.font.name for r in runs} == {"Times New Roman"}
    assert {r.font.size.pt for r in runs if r.font.size} <= {11, 12, 13, 14}
    assert h1.styles["Normal"].font.name == "Times New Roman"
    assert section.different_first_page_header_footer  # page numbers from page 2


def test_head_issuer_number_national_title_motto_place_and_date(h1: DocxDocument) -> None:
    head = h1.tables[0]
    national = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
    assert cells(head) == [
        ["ỦY BAN NHÂN DÂN\nHUYỆN BA TƠ\n", national],
        ["Số:        /BC-UBND", "Ba Tơ, ngày      tháng      năm 2024"],
    ]
    agency, title = head.cell(0, 0).paragraphs, head.cell(0, 1).paragraphs
    assert run_style(agency[0]) == (12, True, False)
    assert run_style(title[0]) == (12, True, False)
    assert run_style(title[1]) == (13, True, False)
    assert run_style(head.cell(1, 0).paragraphs[0]) == (13, False, False)
    assert run_style(head.cell(1, 1).paragraphs[0]) == (14, False, True)
    rules = [agency[2], title[2]]  # the short lines under the agency name and the motto
    assert all(p.text == "" and p._p.xpath("./w:pPr/w:pBdr/w:top") for p in rules)


def test_title_subject_and_opening(h1: DocxDocument) -> None:
    body = texts(h1)
    assert body[0] == "BÁO CÁO"
    assert body[1] == f"Kết quả 6 tháng đầu năm 2024 thực hiện {PLAN} về {TITLE}"
    assert body[2] == (
        f"Thực hiện {PLAN} về {TITLE} (sau đây gọi tắt là Kế hoạch), Ủy ban nhân dân huyện "
        "Ba Tơ báo cáo kết quả 6 tháng đầu năm 2024 thực hiện Kế hoạch như sau:"
    )
    assert body[3] == (
        "Kỳ báo cáo 6 tháng đầu năm 2024 (số liệu từ 15/12/2023 đến 14/6/2024); tình hình "
        "thực hiện tính đến 23:59 Thứ Sáu, 14/6/2024."
    )
    paragraphs = [p for p in h1.paragraphs if p.text.strip()]
    assert run_style(paragraphs[0]) == (14, True, False)
    assert run_style(paragraphs[1]) == (14, True, False)
    assert run_style(paragraphs[2]) == (14, False, False)
    assert paragraphs[2].paragraph_format.first_line_indent is not None


def test_buckets_with_counts_and_rates(h1: DocxDocument) -> None:
    assert cells(h1.tables[1])[1:] == [
        ["Tình trạng", "Số lượt", "Tỷ lệ", "Số kỳ", "Tỷ lệ"],
        ["Đã hoàn thành đúng hạn", "0", "0%", "0", "0%"],
        ["Đã hoàn thành quá hạn", "1", "100%", "0", "0%"],
        ["Chưa hoàn thành, trong hạn", "0", "0%", "1", "100%"],
        ["Chưa hoàn thành, quá hạn", "0", "0%", "0", "0%"],
        ["Tổng số", "1", "100%", "1", "100%"],
    ]
    assert "Kế hoạch có 2 nhiệm vụ. Trong phạm vi báo cáo có 1 lượt nhiệm vụ có thời hạn" in (
        "\n".join(texts(h1))
    )


def test_done_open_and_obstacles_with_dates_notes_and_recipients(h1: DocxDocument) -> None:
    body = texts(h1)
    done = body.index("2. Nhiệm vụ đã hoàn thành")
    assert body[done + 1] == (
        f"- {II1} ({LEAD}; thời hạn: Tháng 4 năm 2024, hạn cuối 02/5/2024 do ngày 30/4/2024 "
        "là ngày nghỉ): hoàn thành ngày 08/5/2024, quá hạn. Kết quả: Đã tổ chức đoàn tham "
        "quan, học tập kinh nghiệm tại thị xã Thái Hòa từ ngày 06/5/2024."
    )
    overdue = body.index("a) Chưa hoàn thành, quá hạn")
    assert body[overdue + 1] == "Không có."
    in_time = body.index("b) Chưa hoàn thành, trong hạn")
    assert body[in_time + 1] == (
        f"- {II2}, kỳ báo cáo 6 tháng đầu năm 2024 ({LEAD}; hạn báo cáo 17/6/2024 do ngày "
        "15/6/2024 là ngày nghỉ): còn 1 ngày làm việc."
    )
    assert body[body.index("II. KHÓ KHĂN, VƯỚNG MẮC") + 1] == OBSTACLE
    proposals = body.index("III. ĐỀ XUẤT, KIẾN NGHỊ")
    assert set(body[proposals + 1]) == {"."}  # left for the office to write
    assert body[-1] == (f"Trên đây là báo cáo kết quả 6 tháng đầu năm 2024 thực hiện {PLAN}./.")


def test_per_agency_table(h1: DocxDocument) -> None:
    agency = "Văn phòng HĐND và UBND huyện Ba Tơ"
    assert cells(h1.tables[2]) == [
        ["STT", "Cơ quan chủ trì", "Loại", "Đã hoàn thành", "Đã hoàn thành", "Chưa hoàn thành",
         "Chưa hoàn thành", "Tổng số"],
        ["STT", "Cơ quan chủ trì", "Loại", "Đúng hạn", "Quá hạn", "Trong hạn", "Quá hạn",
         "Tổng số"],
        ["1", agency, "Nhiệm vụ có thời hạn", "0", "1", "0", "0", "1"],
        ["1", agency, "Kỳ báo cáo", "0", "0", "1", "0", "1"],
    ]  # fmt: skip


def test_recipients_and_signature_block(h1: DocxDocument) -> None:
    closing = h1.tables[-1]
    left, right = closing.cell(0, 0).paragraphs, closing.cell(0, 1).paragraphs
    assert [p.text for p in left] == [
        "Nơi nhận:",
        "- UBND tỉnh (B/c);",
        "- TT Huyện ủy (B/c);",
        "- Lưu: VT, TCKH.",
    ]
    assert run_style(left[0]) == (12, True, True)
    assert run_style(left[1]) == (11, False, False)
    assert [p.text for p in right][:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert run_style(right[0]) == (14, True, False)
    assert all(p.text == "" for p in right[2:])  # room to sign; the name is the signer's


def test_may_report_without_period_names_the_overdue_task(story: Story, tmp_path: Path) -> None:
    doc = Document(str(write(story, tmp_path / "may.docx", "--at", "2024-05-08T12:00")))
    body = texts(doc)
    assert body[1] == f"Kết quả thực hiện {PLAN} về {TITLE}"
    assert body[3] == (
        "Số liệu tổng hợp từ hệ thống theo dõi nhiệm vụ; tình hình thực hiện tính đến 12:00 "
        "Thứ Tư, 08/5/2024."
    )
    assert body[body.index("2. Nhiệm vụ đã hoàn thành") + 1] == "Chưa có nhiệm vụ nào hoàn thành."
    assert body[body.index("a) Chưa hoàn thành, quá hạn") + 1] == (
        f"- {II1} ({LEAD}; thời hạn: Tháng 4 năm 2024, hạn cuối 02/5/2024 do ngày 30/4/2024 "
        "là ngày nghỉ): quá hạn 5 ngày làm việc."
    )
    assert body[body.index("II. KHÓ KHĂN, VƯỚNG MẮC") + 1] == (
        "Đến thời điểm báo cáo, các cơ quan, đơn vị chưa báo cáo khó khăn, vướng mắc qua hệ thống."
    )
    assert cells(doc.tables[1])[-1] == ["Tổng số", "1", "100%", "0", "-"]
    assert body[-1] == f"Trên đây là báo cáo kết quả thực hiện {PLAN}./."


def test_year_report_counts_two_report_periods(story: Story, tmp_path: Path) -> None:
    doc = Document(str(write(story, tmp_path / "y.docx", "--period", "2024", "--at", "2024-12-31")))
    rows = cells(doc.tables[1])
    assert rows[3] == ["Đã hoàn thành quá hạn", "1", "100%", "1", "50%"]
    assert rows[5] == ["Chưa hoàn thành, quá hạn", "0", "0%", "1", "50%"]
    body = texts(doc)
    assert body[body.index("a) Chưa hoàn thành, quá hạn") + 1] == (
        f"- {II2}, kỳ báo cáo năm 2024 ({LEAD}; hạn báo cáo 16/12/2024 do ngày 15/12/2024 là "
        "ngày nghỉ): quá hạn 11 ngày làm việc."
    )
    assert (
        "Tỷ lệ chưa hoàn thành, quá hạn: 0% số lượt nhiệm vụ có thời hạn và 50% số kỳ báo cáo."
        in body
    )
