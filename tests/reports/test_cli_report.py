"""`notifier report`: bad options exit 2 naming what is valid and write nothing; without -o a
named file lands in the current folder, never over an earlier draft; nothing in the
database changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from notifier.cli import run_cli
from notifier.cli.common import AppState
from notifier.store.models import Acknowledgement, Event, Notification
from tests.reports.conftest import Story


def run(story: Story, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    argv = ["--config", story.config_dir, "--db", story.db_url, "report", *args]
    code = run_cli(argv, AppState(clock=story.clock))
    out = capsys.readouterr()
    return code, out.out, " ".join(out.err.split())


def counts(story: Story) -> tuple[int, ...]:
    with Session(story.runtime.engine) as session:
        return tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Event, Acknowledgement, Notification)
        )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "--format 'pdf' không hợp lệ. Chọn một trong: docx (báo cáo Word), "
         "xlsx (biểu tổng hợp Excel), csv (biểu tổng hợp CSV)."),
        ([], "Thiếu --format."),
        (["--format", "docx", "--period", "quý 5/2024"], "--period: Kỳ báo cáo 'quý 5/2024' "
         "không hợp lệ. Các cách viết được chấp nhận: năm: 2024, Năm 2024; 6 tháng đầu năm: "
         "2024-H1"),
        (["--format", "xlsx", "--at", "08/5/2024"], "--at '08/5/2024' không hợp lệ. Ghi ngày "
         "YYYY-MM-DD (tình hình đến hết ngày đó) hoặc thời điểm YYYY-MM-DDTHH:MM"),
        (["--format", "csv", "-o", "/khong/co/thu-muc/x.csv"], "thư mục '/khong/co/thu-muc' "
         "không tồn tại."),
    ],
)  # fmt: skip
def test_bad_options_exit_2_with_what_is_valid(
    story: Story,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    before = counts(story)
    code, out, err = run(story, capsys, "--plan", story.plan_key, *args)
    assert code == 2 and message in err and out == ""
    assert list(tmp_path.iterdir()) == [] and counts(story) == before


def test_missing_plan_lists_the_plans(story: Story, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(story, capsys, "--format", "docx")
    assert code == 2
    assert f"Thiếu --plan. Các kế hoạch: 1: /KH-UBND ({story.plan_key})." in err


def test_unknown_plan_is_refused(story: Story, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(story, capsys, "--plan", "99/KH-UBND", "--format", "docx")
    assert code == 1 and "Không rõ kế hoạch '99/KH-UBND'" in err


def test_default_names_in_the_current_folder_never_overwrite(
    story: Story,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    before = counts(story)
    code, out, _ = run(story, capsys, "--plan", "1", "--period", "Quý II/2024", "--format", "docx")
    first = tmp_path / "bao-cao-ke-hoach-1-quy-ii-2024.docx"
    assert code == 0 and out.strip() == str(first) and first.stat().st_size > 0
    code, out, _ = run(story, capsys, "--plan", "1", "--period", "2024-Q2", "--format", "docx")
    assert code == 0 and out.strip() == str(tmp_path / "bao-cao-ke-hoach-1-quy-ii-2024-2.docx")
    code, out, _ = run(story, capsys, "--plan", "1", "--at", "2024-05-08", "--format", "XLSX")
    assert code == 0 and out.strip() == str(
        tmp_path / "bieu-tong-hop-ke-hoach-1-den-2024-05-08.xlsx"
    )
    code, out, _ = run(story, capsys, "--plan", "1", "--format", "csv")  # now: 20/6/2024
    assert code == 0 and out.strip() == str(
        tmp_path / "bieu-tong-hop-ke-hoach-1-den-2024-06-20.csv"
    )
    assert counts(story) == before
