# ruff: noqa: E501  (plan text is data: lines as a clerk would type them)
"""Documents built by the tests: a Word plan with a header table and merged group rows, the
PDF a clerk would export from it, and the scan a clerk would make of the printed PDF.

The PDF comes from LibreOffice when it is installed (as offices do: "Save as PDF"); else
fpdf2 draws the same document with DejaVu Sans (Debian's fonts-dejavu-core), which has the
Vietnamese glyphs. The scan is that PDF rasterised to images, with no text layer left.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
from docx.document import Document
from docx.shared import Cm, Pt

TITLE = "Chuyển đổi số và cải cách hành chính xã Tịnh Khê năm 2025"
TASK_HEADER = [
    "STT",
    "Nội dung nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian hoàn thành",
]
TASK_ROWS: list[list[str]] = [
    ["I", "Hạ tầng số"],  # a group row: the title cell is merged across the other columns
    [
        "1",
        "Nâng cấp mạng nội bộ Trung tâm Phục vụ hành chính công",
        "Văn phòng HĐND và UBND xã",
        "Phòng Kinh tế",
        "Quý III/2025",
    ],
    ["2", "Số hóa hồ sơ địa chính", "Phòng Kinh tế", "Công an xã", "trước ngày 15/12/2025"],
    ["II", "Kỹ năng số cho người dân"],
    [
        "1",
        "Tập huấn kỹ năng số cho tổ công nghệ số cộng đồng",
        "Phòng Văn hóa - Xã hội",
        "Đoàn Thanh niên xã",
        "tháng 10/2025",
    ],
    [
        "2",
        "Tuyên truyền trên hệ thống loa truyền thanh",
        "Phòng Văn hóa - Xã hội",
        "Trưởng các thôn, tổ dân phố",
        "Thường xuyên",
    ],
]
DUTIES = [
    "III. TỔ CHỨC THỰC HIỆN",
    "1. Văn phòng HĐND và UBND xã có trách nhiệm theo dõi, đôn đốc việc thực hiện Kế hoạch.",
    "2. Các cơ quan, đơn vị báo cáo kết quả về UBND xã (qua Phòng Kinh tế) trước ngày 20 hằng tháng.",
]


def _cells(table: object, lines: list[list[str]]) -> None:
    for cell, text in zip(table.rows[0].cells, lines, strict=True):  # type: ignore[attr-defined]
        cell.paragraphs[0].text = text[0]
        for line in text[1:]:
            cell.add_paragraph(line)


def build_docx(path: Path) -> Path:
    """The Word plan: header table, task table (borders, merged group rows), footer table."""
    document: Document = docx.Document()
    style = document.styles["Normal"]
    style.font.name, style.font.size = "DejaVu Sans", Pt(10)  # type: ignore[attr-defined]
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(1.5)
    header = document.add_table(rows=1, cols=2)
    _cells(
        header,
        [
            ["ỦY BAN NHÂN DÂN", "XÃ TỊNH KHÊ", "Số: 45/KH-UBND"],
            [
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Độc lập - Tự do - Hạnh phúc",
                "Tịnh Khê, ngày 12 tháng 8 năm 2025",
            ],
        ],
    )
    for text in [
        "KẾ HOẠCH",
        TITLE,
        "Căn cứ Kế hoạch số 112/KH-UBND ngày 04/7/2025 của UBND tỉnh;",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "Phát triển chính quyền số của xã.",
        "II. NHIỆM VỤ CỤ THỂ",
    ]:
        document.add_paragraph(text)
    table = document.add_table(rows=1 + len(TASK_ROWS), cols=5)
    table.style = "Table Grid"
    for c, text in enumerate(TASK_HEADER):
        table.cell(0, c).text = text
    for r, row in enumerate(TASK_ROWS, start=1):
        if len(row) == 2:
            table.cell(r, 0).text = row[0]
            merged = table.cell(r, 1).merge(table.cell(r, 4))
            merged.text = row[1]
            continue
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    for r, width in enumerate([Cm(1.2), Cm(6), Cm(3.6), Cm(3.4), Cm(2.8)]):
        for cell in table.columns[r].cells:
            cell.width = width
    for text in DUTIES:
        document.add_paragraph(text)
    footer = document.add_table(rows=1, cols=2)
    _cells(
        footer,
        [
            ["Nơi nhận:", "- UBND tỉnh (B/c);", "- Các thôn, tổ dân phố;", "- Lưu: VT."],
            ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn Bình"],
        ],
    )
    document.save(str(path))
    return path


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(source: Path, target_dir: Path) -> Path:
    """LibreOffice's PDF export of ``source`` (what offices publish), else :func:`fpdf_plan`."""
    office = libreoffice()
    if office is None:
        return fpdf_plan(target_dir / (source.stem + ".pdf"))
    profile = target_dir / "lo-profile"
    subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(target_dir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return target_dir / (source.stem + ".pdf")


FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def fpdf_plan(path: Path, pages: int = 1) -> Path:
    """The same plan drawn with fpdf2 (DejaVu Sans); ``pages`` > 1 repeats the task table."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(20, 15, 20)
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=11)
    pdf.add_page()
    left = ["ỦY BAN NHÂN DÂN", "XÃ TỊNH KHÊ", "Số: 45/KH-UBND"]
    right = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Tịnh Khê, ngày 12 tháng 8 năm 2025",
    ]
    for a, b in zip(left, right, strict=True):
        pdf.cell(62, 6, a)
        pdf.cell(0, 6, b, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for text in [
        "KẾ HOẠCH",
        TITLE,
        "Căn cứ Kế hoạch số 112/KH-UBND ngày 04/7/2025 của UBND tỉnh;",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "Phát triển chính quyền số của xã.",
        "II. NHIỆM VỤ CỤ THỂ",
    ]:
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    rows = [TASK_HEADER]
    for copy in range(pages):
        rows += [
            r if len(r) == 2 or copy == 0 else [r[0], f"{r[1]} (đợt {copy + 1})", *r[2:]]
            for r in TASK_ROWS
        ]
    with pdf.table(
        col_widths=(12, 60, 36, 34, 28), text_align="LEFT", first_row_as_headings=False
    ) as table:
        for row in rows:
            cells = table.row()
            if len(row) == 2:
                cells.cell(row[0])
                cells.cell(row[1], colspan=4)
            else:
                for text in row:
                    cells.cell(text)
    pdf.ln(4)
    for text in DUTIES:
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for a, b in zip(
        ["Nơi nhận:", "- UBND tỉnh (B/c);", "- Các thôn, tổ dân phố;", "- Lưu: VT."],
        ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn Bình", ""],
        strict=True,
    ):
        pdf.cell(90, 6, a)
        pdf.cell(0, 6, b, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def scan(pdf: Path, target: Path, dpi: int = 200) -> Path:
    """``pdf`` rasterised page by page (pypdfium2) into an image-only PDF (Pillow): a scan."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    images = [
        page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for page in document
    ]
    document.close()
    images[0].save(str(target), "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return target
