"""Parse generated plans and print medians: a 300-task plan (mixed layouts) as Markdown and
as .docx, a 50-page text PDF, and a 5-page scan (image-only PDF, read through OCR).

Run: .venv/bin/python -m benchmarks.bench_parse [--runs 7] [--scan-runs 3]

The PDFs are drawn with fpdf2 and DejaVu Sans (fonts-dejavu-core); the scan is that PDF
rasterised at 200 dpi. The scan figure needs Tesseract with Vietnamese data installed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import docx

from notifier.plans import ocr
from notifier.plans.parse import parse_plan_file

AGENCIES = ["Phòng Kinh tế", "Phòng Văn hóa - Xã hội", "Văn phòng HĐND và UBND xã", "Công an xã"]
TIMES = [
    "Quý II/2025",
    "Thường xuyên",
    "trước ngày 15/12/2025",
    "hằng tháng (trước ngày 20)",
    "định kỳ 6 tháng và hằng năm",
    "từ ngày 01/11/2025 đến ngày 09/11/2025",
]
HEAD = [
    "ỦY BAN NHÂN DÂN",
    "XÃ ĐỨC PHỔ",
    "Số: 1/KH-UBND",
    "Đức Phổ, ngày 02 tháng 8 năm 2025",
    "KẾ HOẠCH",
    "Kế hoạch thử tải",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "Nội dung.",
    "II. NỘI DUNG",
]
TAIL = [
    "III. TỔ CHỨC THỰC HIỆN",
    "1. Văn phòng HĐND và UBND xã theo dõi, đôn đốc.",
    "2. Các cơ quan báo cáo về UBND xã (qua Phòng Kinh tế) trước ngày 20 hằng tháng.",
    "Nơi nhận:",
    "- UBND tỉnh (B/c);",
    "- Lưu: VT.",
    "TM. ỦY BAN NHÂN DÂN",
    "CHỦ TỊCH",
    "Nguyễn Văn A",
]


def task_lines(i: int) -> list[str]:
    agency, time_text = AGENCIES[i % len(AGENCIES)], TIMES[i % len(TIMES)]
    title = f"Thực hiện nhiệm vụ số {i} về chuyển đổi số và cải cách hành chính"
    if i % 3 == 0:
        return [
            f"{i}. {title}.",
            f"- Cơ quan chủ trì: {agency}.",
            "- Cơ quan phối hợp: Phòng Kinh tế, Công an xã.",
            f"- Thời gian thực hiện: {time_text}.",
        ]
    if i % 3 == 1:
        return [
            f"{i}. {agency}: chủ trì, phối hợp với Công an xã {title.lower()}; "
            f"thời gian: {time_text}."
        ]
    return [f"{i}. Giao {agency} chủ trì {title.lower()}; hoàn thành {time_text}."]


def table_rows(n: int) -> list[list[str]]:
    rows = [
        ["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
    ]
    for i in range(1, n + 1):
        rows.append(
            [
                str(i),
                f"Nhiệm vụ bảng {i}",
                AGENCIES[i % 4],
                "UBND các xã, thị trấn",
                TIMES[i % len(TIMES)],
            ]
        )
    return rows


def write_md(path: Path, n_lines: int, n_table: int) -> None:
    lines = HEAD[:]
    for i in range(1, n_lines + 1):
        lines += task_lines(i)
    lines.append("")
    lines += ["| " + " | ".join(r) + " |" for r in table_rows(n_table)[:1]]
    lines.append("|---|---|---|---|---|")
    lines += ["| " + " | ".join(r) + " |" for r in table_rows(n_table)[1:]]
    lines.append("")
    path.write_text("\n".join(lines + [""] + TAIL), "utf-8")


def write_docx(path: Path, n_lines: int, n_table: int) -> None:
    document = docx.Document()
    for line in HEAD:
        document.add_paragraph(line)
    for i in range(1, n_lines + 1):
        for line in task_lines(i):
            document.add_paragraph(line)
    rows = table_rows(n_table)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    for line in TAIL:
        document.add_paragraph(line)
    document.save(str(path))


def median_seconds(path: Path, runs: int) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        count = len(parse_plan_file(path).tasks)
        times.append(time.perf_counter() - start)
    return statistics.median(times), count


def write_pdf(path: Path, pages: int) -> Path:
    """A text PDF of about ``pages`` pages: the test plan's task table repeated."""
    import pypdfium2

    from tests.plans.documents import fpdf_plan

    copies = pages * 2
    for _ in range(4):  # the number of table copies that fills ``pages`` pages, by ratio
        fpdf_plan(path, pages=copies)
        got = len(pypdfium2.PdfDocument(str(path)))
        if got == pages:
            break
        copies = max(1, copies + round((pages - got) * copies / got))
    return path


def page_count(path: Path) -> int:
    import pypdfium2

    return len(pypdfium2.PdfDocument(str(path)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scan-runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        md, dx = Path(tmp) / "plan.md", Path(tmp) / "plan.docx"
        write_md(md, 200, 100)
        write_docx(dx, 200, 100)
        for path in (md, dx):
            seconds, count = median_seconds(path, args.runs)
            print(f"{path.suffix:6} {count} tasks  median {seconds:.3f} s/parse ({args.runs} runs)")
        pdf = write_pdf(Path(tmp) / "plan-50.pdf", 50)
        seconds, count = median_seconds(pdf, args.runs)
        pages = page_count(pdf)
        print(
            f"pdf    {pages} pages, {count} tasks  median {seconds:.3f} s/parse ({args.runs} runs)"
        )
        why = ocr.available()
        if why is not None:
            print(f"scan   skipped: {why}")
            return
        from tests.plans.documents import scan

        five = write_pdf(Path(tmp) / "plan-5.pdf", 5)
        scanned = scan(five, Path(tmp) / "scan-5.pdf", dpi=200)
        seconds, count = median_seconds(scanned, args.scan_runs)
        pages = page_count(scanned)
        print(
            f"scan   {pages} pages, {count} tasks  median {seconds:.2f} s/parse "
            f"({args.scan_runs} runs, {seconds / pages:.2f} s/page, OCR at {ocr.DPI} dpi)"
        )


if __name__ == "__main__":
    main()
