"""The summary table as CSV: the same rows as the Excel sheet "Tổng hợp".

UTF-8 with a byte-order mark so that Excel opens the Vietnamese text correctly; comma
separated, CRLF line ends (RFC 4180); dates as official documents write them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from notifier.reports.model import CompiledReport
from notifier.reports.table import COLUMNS, summary_rows
from notifier.textfmt import vn_date

ENCODING = "utf-8-sig"


def csv_text(report: CompiledReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in summary_rows(report):
        deadline = vn_date(row.deadline) if row.deadline is not None else ""
        writer.writerow(
            [row.stt, row.task, row.lead, row.coordinating, deadline, row.output, row.note,
             row.status]
        )  # fmt: skip
    return buffer.getvalue()


def csv_bytes(report: CompiledReport) -> bytes:
    return csv_text(report).encode(ENCODING)


def write_csv(report: CompiledReport, target: Path) -> None:
    target.write_bytes(csv_bytes(report))
