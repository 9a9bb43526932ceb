"""The compiled report as a file: its formats, content types, names and bytes.

One place for what the CLI (``notifier report``), the web board's plan page, the signed
download links and the compiled-report message's attachments share, so a file has the
same name and content type wherever it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from enum import StrEnum

from notifier.clock import VN_TZ, as_utc
from notifier.reports.csv import csv_bytes
from notifier.reports.model import CompiledReport
from notifier.reports.periods import PeriodKind, ReportingPeriod, fold


class ReportFormat(StrEnum):
    DOCX = "docx"
    XLSX = "xlsx"
    CSV = "csv"


FORMAT_NAMES = {
    ReportFormat.DOCX: "báo cáo Word",
    ReportFormat.XLSX: "biểu tổng hợp Excel",
    ReportFormat.CSV: "biểu tổng hợp CSV",
}
# What a link or an attachment line calls the file (web page, messages).
FILE_LABELS = {
    ReportFormat.DOCX: "Tải báo cáo (Word)",
    ReportFormat.XLSX: "Biểu tổng hợp (Excel)",
    ReportFormat.CSV: "CSV",
}
MIME_TYPES = {
    ReportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.CSV: "text/csv",
}


def _docx_bytes(report: CompiledReport) -> bytes:
    from notifier.reports.docx import docx_bytes  # python-docx loads only when used

    return docx_bytes(report)


def _xlsx_bytes(report: CompiledReport) -> bytes:
    from notifier.reports.xlsx import xlsx_bytes  # openpyxl (and numpy) load only when used

    return xlsx_bytes(report)


_BYTES: dict[ReportFormat, Callable[[CompiledReport], bytes]] = {
    ReportFormat.DOCX: _docx_bytes,
    ReportFormat.XLSX: _xlsx_bytes,
    ReportFormat.CSV: csv_bytes,
}
# The files the compiled-report message carries (email attachments, chat links).
MESSAGE_FORMATS = (ReportFormat.DOCX, ReportFormat.XLSX)


def report_bytes(report: CompiledReport, fmt: ReportFormat) -> bytes:
    return _BYTES[fmt](report)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def default_name(report: CompiledReport, fmt: ReportFormat) -> str:
    """ "bao-cao-ke-hoach-24-kh-ubnd-6-thang-dau-nam-2024.docx" (plan id when unnumbered;
    "den-2024-05-08" for a report without a period)."""
    plan = report.plan
    number = _slug(plan.number) if re.search(r"\d", plan.number) else str(plan.id)
    when = report.period.label if report.period else f"den {report.at.astimezone(VN_TZ):%Y-%m-%d}"
    kind = "bao-cao" if fmt == ReportFormat.DOCX else "bieu-tong-hop"
    return f"{kind}-ke-hoach-{number}-{_slug(when)}.{fmt.value}"


def default_at(now: datetime, period: ReportingPeriod | None) -> datetime:
    """Now; for a period already over, the end of its data window (the figures' cut-off)."""
    if period is None:
        return now
    end = datetime.combine(period.data_window[1] + timedelta(days=1), time(0), tzinfo=VN_TZ)
    return min(as_utc(now), as_utc(end) - timedelta(seconds=1))


_CODES = {
    PeriodKind.YEAR: "{y}",
    PeriodKind.FIRST_HALF: "{y}-H1",
    PeriodKind.SECOND_HALF: "{y}-H2",
    PeriodKind.NINE_MONTHS: "{y}-9T",
    PeriodKind.QUARTER: "{y}-Q{i}",
    PeriodKind.MONTH: "{y}-{i:02d}",
}


def period_code(period: ReportingPeriod) -> str:
    """The short form ``parse_period`` reads back ("2024-H1", "2024-Q2"): for URLs."""
    return _CODES[period.kind].format(y=period.year, i=period.index)
