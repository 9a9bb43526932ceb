"""A rich renderable that shows what was read from a plan, for ``notifier plan parse``.

Dates are shown as official documents write them (textfmt: "ngày 05/4/2024",
"tháng 4/2024"); the time column keeps the plan's own wording. For a scan,
every line read through OCR is listed with its confidence.
"""

from __future__ import annotations

from datetime import date

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from notifier.domain.timeframe import Timeframe, TimeframeKind
from notifier.plans.model import OcrReview, ParsedPlan
from notifier.textfmt import plan_number, vn_date, vn_plan_date

KIND_LABELS = {
    TimeframeKind.DEADLINE: "hạn",
    TimeframeKind.WINDOW: "khoảng",
    TimeframeKind.RECURRING: "định kỳ",
    TimeframeKind.ONGOING: "thường xuyên",
    TimeframeKind.ON_DEMAND: "khi có yêu cầu",
    TimeframeKind.UNKNOWN: "không rõ",
}


def _d(value: date) -> str:
    return vn_date(value)


def describe_timeframe(tf: Timeframe, limit: int = 3) -> str:
    """ "Quý II/2024 → 30/06/2024"; recurring lists the first dates and a count."""
    dates = [_d(d) for d in tf.due_dates]
    if tf.kind is TimeframeKind.WINDOW and tf.start:
        shown = f"{_d(tf.start)} – {dates[0]}"
    elif len(dates) > limit:
        shown = ", ".join(dates[:limit]) + f" … ({len(dates)} lần)"
    else:
        shown = ", ".join(dates) or KIND_LABELS[tf.kind]
    note = f" [{tf.note}]" if tf.note else ""
    return f"{tf.text or '—'} → {shown}{note}"


def plan_summary(plan: ParsedPlan) -> RenderableType:
    """Header lines, the task table, section III roles, recipients and warnings."""
    h = plan.header
    lines = [
        Text(f"Kế hoạch {plan_number(h.number or '')} — {h.issuer or '?'}", style="bold"),
        Text(f"{h.place or '?'}, {vn_plan_date(h.date) if h.date else '?'}: {h.title or ''}"),
        Text(f"Theo dõi, đôn đốc: {', '.join(plan.agencies_with_role('monitor')) or '—'}"),
        Text(f"Tổng hợp: {', '.join(plan.agencies_with_role('compile')) or '—'}"),
    ]
    route = plan.obstacle_route
    if route.to:
        cc = f" (đồng gửi {', '.join(route.cc)})" if route.cc else ""
        lines.append(Text(f"Khó khăn, vướng mắc gửi: {', '.join(route.to)}{cc}"))
    table = Table(title=f"{len(plan.tasks)} nhiệm vụ", show_lines=False)
    columns = ["Mục", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Thời hạn", "Dòng"]
    for column in columns + (["OCR"] if plan.ocr else []):
        table.add_column(column)
    for task in plan.tasks:
        row = [
            task.ref,
            task.title,
            "; ".join(task.lead) or "—",
            "; ".join(task.coordinating) or "—",
            describe_timeframe(task.timeframe),
            str(task.line),
        ]
        if plan.ocr:
            row.append(_percent(plan.ocr.confidence_of(task.line)))
        table.add_row(*row)
    parts: list[RenderableType] = [*lines, table]
    if plan.ocr:
        parts.append(ocr_table(plan.ocr))
    signer = h.signer
    if signer.name:
        parts.append(Text(f"Ký: {signer.capacity or ''} {signer.title or ''} {signer.name}"))
    parts.append(Text(f"Nơi nhận: {len(plan.recipients)}"))
    for warning in plan.warnings:
        parts.append(Text(f"Cảnh báo dòng {warning.line}: {warning.message}", style="yellow"))
    return Group(*parts)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def ocr_table(review: OcrReview) -> Table:
    """Every line read through OCR with its confidence; those under the threshold marked."""
    table = Table(
        title=f"Chữ nhận dạng (OCR, {review.engine}): ngưỡng đối chiếu {review.threshold:.0f}%",
        title_justify="left",
    )
    for column in ("Dòng", "Trang", "Tin cậy", "Nội dung"):
        table.add_column(column)
    for line in review.lines:
        low = (line.confidence or 0) < review.threshold
        table.add_row(
            str(line.line),
            str(line.page),
            _percent(line.confidence) + (" ⚠ cần đối chiếu" if low else ""),
            line.text,
            style="yellow" if low else None,
        )
    return table
