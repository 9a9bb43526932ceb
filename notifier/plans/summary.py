"""A rich renderable that shows what was read from a plan, for ``notifier plan check``.

Dates are shown dd/mm/yyyy; the time column keeps the plan's own wording.
"""

from __future__ import annotations

from datetime import date

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from notifier.domain.timeframe import Timeframe, TimeframeKind
from notifier.plans.model import ParsedPlan

KIND_LABELS = {
    TimeframeKind.DEADLINE: "hạn",
    TimeframeKind.WINDOW: "khoảng",
    TimeframeKind.RECURRING: "định kỳ",
    TimeframeKind.ONGOING: "thường xuyên",
    TimeframeKind.ON_DEMAND: "khi có yêu cầu",
    TimeframeKind.UNKNOWN: "không rõ",
}


def _d(value: date) -> str:
    return value.strftime("%d/%m/%Y")


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
        Text(f"Kế hoạch {h.number or '(chưa có số)'} — {h.issuer or '?'}", style="bold"),
        Text(f"{h.place or '?'}, {h.date or '?'}: {h.title or ''}"),
        Text(f"Theo dõi, đôn đốc: {', '.join(plan.agencies_with_role('monitor')) or '—'}"),
        Text(f"Tổng hợp: {', '.join(plan.agencies_with_role('compile')) or '—'}"),
    ]
    route = plan.obstacle_route
    if route.to:
        cc = f" (đồng gửi {', '.join(route.cc)})" if route.cc else ""
        lines.append(Text(f"Khó khăn, vướng mắc gửi: {', '.join(route.to)}{cc}"))
    table = Table(title=f"{len(plan.tasks)} nhiệm vụ", show_lines=False)
    for column in ("Mục", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Thời hạn", "Dòng"):
        table.add_column(column)
    for task in plan.tasks:
        table.add_row(
            task.ref,
            task.title,
            "; ".join(task.lead) or "—",
            "; ".join(task.coordinating) or "—",
            describe_timeframe(task.timeframe),
            str(task.line),
        )
    parts: list[RenderableType] = [*lines, table]
    signer = h.signer
    if signer.name:
        parts.append(Text(f"Ký: {signer.capacity or ''} {signer.title or ''} {signer.name}"))
    parts.append(Text(f"Nơi nhận: {len(plan.recipients)}"))
    for warning in plan.warnings:
        parts.append(Text(f"Cảnh báo dòng {warning.line}: {warning.message}", style="yellow"))
    return Group(*parts)
