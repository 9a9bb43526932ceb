"""`notifier report`: the compiled report of a plan as a file the office can edit and sign.

Thin: check the options (a bad one exits 2 with the valid forms, before the database is
read), build the report once, hand it to one writer, print the file's path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from notifier.cli import glossary
from notifier.cli.app import app
from notifier.cli.common import CLI_YEARS, console, err_console, plan_key, state
from notifier.clock import VN_TZ, as_utc
from notifier.reports import CompiledReport, build_report
from notifier.reports.csv import write_csv
from notifier.reports.files import FORMAT_NAMES, ReportFormat, default_at, default_name
from notifier.reports.periods import PeriodError, ReportingPeriod, parse_period
from notifier.store.models import Plan


def write_docx(report: CompiledReport, path: Path) -> None:
    from notifier.reports.docx import write_docx as write  # python-docx: only when used

    write(report, path)


def write_xlsx(report: CompiledReport, path: Path) -> None:
    from notifier.reports.xlsx import write_xlsx as write  # openpyxl, numpy: only when used

    write(report, path)


WRITERS: dict[ReportFormat, Callable[[CompiledReport, Path], None]] = {
    ReportFormat.DOCX: write_docx,
    ReportFormat.XLSX: write_xlsx,
    ReportFormat.CSV: write_csv,
}


def _bad(message: str) -> NoReturn:
    err_console.print(f"[bold red]Lỗi:[/] {message}", highlight=False)
    raise typer.Exit(2)


def parse_format(text: str | None) -> ReportFormat:
    valid = ", ".join(f"{f.value} ({FORMAT_NAMES[f]})" for f in ReportFormat)
    if text is None:
        _bad(f"Thiếu --format. Chọn một trong: {valid}.")
    try:
        return ReportFormat(text.strip().lower())
    except ValueError:
        _bad(f"--format '{text}' không hợp lệ. Chọn một trong: {valid}.")


def parse_at(text: str | None) -> datetime | None:
    """A day (status at the end of it, 23:59:59) or an instant; Vietnam time if no offset."""
    if text is None:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            day = date.fromisoformat(text.strip())
            value = datetime.combine(day, time(23, 59, 59), tzinfo=VN_TZ)
        else:
            value = datetime.fromisoformat(text.strip())
    except ValueError:
        _bad(
            f"--at '{text}' không hợp lệ. Ghi ngày YYYY-MM-DD (tình hình đến hết ngày đó) "
            "hoặc thời điểm YYYY-MM-DDTHH:MM (giờ Việt Nam), ví dụ 2024-05-08 hoặc "
            "2024-05-08T16:30."
        )
    if value.year not in CLI_YEARS:
        _bad(
            f"--at '{text}': năm {value.year} nằm ngoài khoảng nhận được "
            f"({CLI_YEARS.start} đến {CLI_YEARS.stop - 1})."
        )
    return as_utc(value if value.tzinfo else value.replace(tzinfo=VN_TZ))


def parse_period_option(text: str | None) -> ReportingPeriod | None:
    if text is None:
        return None
    try:
        return parse_period(text)
    except PeriodError as exc:
        _bad(f"--period: {exc}")


def _free(path: Path) -> Path:
    """``path``, or ``name-2.ext``, ``name-3.ext`` ...: never overwrite an edited draft."""
    n, candidate = 1, path
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def _target(output: Path | None, report: CompiledReport, fmt: ReportFormat) -> Path:
    if output is None:
        return _free(Path.cwd() / default_name(report, fmt))
    if not output.parent.is_dir():
        _bad(f"-o {output}: thư mục '{output.parent}' không tồn tại.")
    return output


def _known_plans(engine: Engine) -> str:
    with Session(engine) as session:
        plans = session.exec(select(Plan).order_by(col(Plan.id))).all()
    known = "; ".join(f"{p.id}: {p.number or '(chưa có số)'} ({p.key})" for p in plans)
    return (
        f"Các kế hoạch: {known}." if known else "Chưa có kế hoạch nào: chạy `notifier plan import`."
    )


@app.command("report")
def report_command(
    ctx: typer.Context,
    plan: Annotated[str | None, typer.Option("--plan", help=glossary.PLAN)] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="Kỳ báo cáo: 2024, 2024-H1, 2024-H2, 2024-9T, 2024-Q2, 2024-05, Quý II/2024.",
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Tình hình đến hết ngày này (YYYY-MM-DD) hoặc thời điểm."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="docx (báo cáo Word), xlsx (biểu Excel) hoặc csv."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Tệp sẽ ghi (mặc định: tên tự đặt trong thư mục hiện tại)."
        ),
    ] = None,
) -> None:
    """Xuất báo cáo tổng hợp của kế hoạch: dự thảo "Báo cáo" (Word), biểu tổng hợp (Excel), CSV."""
    chosen_format = parse_format(fmt)
    chosen_period = parse_period_option(period)
    instant = parse_at(at)
    st = state(ctx)
    if plan is None:
        _bad(f"Thiếu --plan. {_known_plans(st.ready_engine())}")
    runtime = st.runtime()
    with Session(runtime.engine) as session:
        key = plan_key(session, plan)
        assert key is not None
        report = build_report(
            session, plan_key=key, at=instant or default_at(st.clock.now(), chosen_period),
            calendar=runtime.calendar, policy=runtime.policy, period=chosen_period,
        )  # fmt: skip
    path = _target(output, report, chosen_format)
    WRITERS[chosen_format](report, path)
    console.print(str(path))
