"""The Word report through LibreOffice: it converts to an A4 PDF whose first page carries the
Vietnamese head in a Times New Roman-metric font, and page 1 is rendered to PNG for a person
to look at (the path is printed). Skipped, saying why, where LibreOffice or poppler is missing;
`.ci/run` installs both."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from notifier.cli import run_cli
from notifier.cli.common import AppState
from tests.reports.conftest import Story

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = all(shutil.which(t) for t in ("pdftoppm", "pdftotext", "pdfinfo", "pdffonts"))


def _tool(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=120).stdout


def test_docx_converts_to_a4_pdf_and_page_one_renders_to_png(
    story: Story, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if SOFFICE is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    if not POPPLER:
        pytest.skip("poppler-utils is not installed (apt-get install poppler-utils)")
    docx = tmp_path / "bao-cao-6-thang.docx"
    argv = ["--config", story.config_dir, "--db", story.db_url, "report", "--plan", story.plan_key,
            "--period", "2024-H1", "--format", "docx", "-o", str(docx)]  # fmt: skip
    assert run_cli(argv, AppState(clock=story.clock)) == 0
    profile = (tmp_path / "lo-profile").as_uri()  # private profile: parallel runs don't collide
    _tool(SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
          "--outdir", str(tmp_path), str(docx))  # fmt: skip
    pdf = tmp_path / "bao-cao-6-thang.pdf"
    info = _tool("pdfinfo", str(pdf))
    assert "(A4)" in info
    page_one = _tool("pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-")
    for text in ("ỦY BAN NHÂN DÂN", "HUYỆN BA TƠ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO", "Kết quả 6 tháng đầu năm 2024",
                 "Chưa hoàn thành, quá hạn"):  # fmt: skip
        assert text in page_one, text
    fonts = _tool("pdffonts", str(pdf))
    assert "LiberationSerif" in fonts or "TimesNewRoman" in fonts, fonts
    _tool("pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page"))
    [png] = sorted(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 10_000
    with capsys.disabled():
        print(f"\nTrang 1 của báo cáo (PNG): {png}")
