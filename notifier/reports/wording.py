"""The Vietnamese sentences the report files share, in the office's voice.

The Word report and the Excel/CSV table say the same thing about an item in the same
words; dates go through :mod:`notifier.textfmt`, never formatted here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from notifier.clock import VN_TZ, as_utc
from notifier.domain.status import Bucket
from notifier.reports.model import (
    CompiledReport,
    Obstacle,
    ObstacleRecipient,
    ReportItem,
)
from notifier.reports.periods import ReportingPeriod
from notifier.textfmt import capfirst, days_phrase, vn_date, vn_datetime
from notifier.vocab import OccurrenceKind

NO_LEAD = "chưa xác định cơ quan chủ trì"


def local_day_text(instant: datetime) -> str:
    """The Vietnam-time day of an instant, as official documents write it."""
    return vn_date(as_utc(instant).astimezone(VN_TZ).date())


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def period_phrase(period: ReportingPeriod | None) -> str:
    """ " 6 tháng đầu năm 2024", " năm 2024", " quý II/2024"; "" without a period."""
    return f" {lower_first(period.label)}" if period is not None else ""


def results_of(report: CompiledReport) -> str:
    """ "kết quả 6 tháng đầu năm 2024 thực hiện" (the period first: plan titles often end
    in a year of their own), or "kết quả thực hiện" without a period."""
    return f"kết quả{period_phrase(report.period)} thực hiện"


def subject_line(report: CompiledReport) -> str:
    """The "trích yếu": "Kết quả 6 tháng đầu năm 2024 thực hiện Kế hoạch số ... về ..."."""
    plan = report.plan
    about = f" về {plan.subject}" if plan.subject else ""
    return f"{capfirst(results_of(report))} {plan.reference}{about}"


def status_instant(report: CompiledReport) -> str:
    """ "Kỳ báo cáo 6 tháng đầu năm 2024 (số liệu từ ... đến ...); tình hình tính đến ..."."""
    when = f"tình hình thực hiện tính đến {vn_datetime(report.at)}"
    if report.period is None:
        return f"Số liệu tổng hợp từ hệ thống theo dõi nhiệm vụ; {when}."
    window = lower_first(report.period.data_text)
    return f"Kỳ báo cáo {lower_first(report.period.label)} ({window}); {when}."


def result_word(item: ReportItem) -> str:
    """ "đúng hạn" / "quá hạn" for a done item."""
    return "đúng hạn" if item.bucket == Bucket.DONE_ON_TIME else "quá hạn"


def deadline_phrase(item: ReportItem) -> str:
    """ "thời hạn: Tháng 4 năm 2024, hạn cuối 02/5/2024 do ngày 30/4/2024 là ngày nghỉ"."""
    moved = (
        f" do ngày {vn_date(item.nominal)} là ngày nghỉ" if item.nominal != item.deadline else ""
    )
    if item.original is not None:
        moved += f", {extension_text(item)}"
    if item.kind == OccurrenceKind.REPORT:
        return f"hạn báo cáo {vn_date(item.deadline)}{moved}"
    if item.timeframe and item.timeframe.strip() != vn_date(item.deadline):
        return f"thời hạn: {item.timeframe}, hạn cuối {vn_date(item.deadline)}{moved}"
    return f"thời hạn {vn_date(item.deadline)}{moved}"


def item_name(item: ReportItem) -> str:
    """ "Nhiệm vụ II.1 “Tham quan ...”" plus ", kỳ báo cáo 6 tháng đầu năm 2024"."""
    name = f"Nhiệm vụ {item.ref} “{item.title}”"
    if item.kind == OccurrenceKind.REPORT and item.period:
        name += f", kỳ báo cáo {lower_first(item.period)}"
    return name


def lead_phrase(item: ReportItem) -> str:
    return f"cơ quan chủ trì: {item.lead_text or NO_LEAD}"


def extension_text(item: ReportItem) -> str:
    """ "đã gia hạn (hạn ban đầu 02/5/2024)": an extended item says so in every report."""
    assert item.original is not None
    return f"đã gia hạn (hạn ban đầu {vn_date(item.original)})"


def done_text(item: ReportItem) -> str:
    """ "hoàn thành ngày 08/5/2024, quá hạn. Kết quả: ..." (a report period: "đã báo cáo")."""
    assert item.done_at is not None
    verb = "đã báo cáo ngày" if item.kind == OccurrenceKind.REPORT else "hoàn thành ngày"
    day = local_day_text(item.done_at)
    text = f"{verb} {day}, {result_word(item)}."
    note = item.note.strip().rstrip(".")
    return f"{text} Kết quả: {note}." if note else text


def done_line(item: ReportItem) -> str:
    return f"{item_name(item)} ({lead_phrase(item)}; {deadline_phrase(item)}): {done_text(item)}"


def open_text(item: ReportItem) -> str:
    """ "còn 3 ngày làm việc" / "hết hạn hôm nay" / "quá hạn 5 ngày làm việc"."""
    return days_phrase(item.working_days, item.deadline)


def open_line(item: ReportItem) -> str:
    return f"{item_name(item)} ({lead_phrase(item)}; {deadline_phrase(item)}): {open_text(item)}."


def _people(recipients: Sequence[ObstacleRecipient]) -> str:
    """ "Ủy ban nhân dân huyện Ba Tơ (Phạm Xuân Vinh)"; a message not delivered is marked."""
    by_agency: dict[str, list[str]] = {}
    for r in recipients:
        person = r.person if r.delivered else f"{r.person} – {r.status.label}"
        by_agency.setdefault(r.agency, []).append(person)
    return "; ".join(f"{agency} ({', '.join(people)})" for agency, people in by_agency.items())


def obstacle_line(obstacle: Obstacle) -> str:
    """Who reported what, when, and where it was sent."""
    who = obstacle.reporter
    if obstacle.reporter_agency:
        who = f"đồng chí {who} ({obstacle.reporter_agency})"
    task = f"nhiệm vụ {obstacle.ref}"
    if obstacle.kind == OccurrenceKind.REPORT and obstacle.period:
        task += f" (kỳ báo cáo {lower_first(obstacle.period)})"
    day = local_day_text(obstacle.at)
    text = f"Ngày {day}, {who} báo cáo vướng mắc khi thực hiện {task}: “{obstacle.reason}”."
    if obstacle.sent_to:
        text += f" Đã chuyển đến {_people(obstacle.sent_to)}"
        text += f"; đồng gửi {_people(obstacle.copied_to)}." if obstacle.copied_to else "."
    else:
        text += " Chưa có nơi nhận (kế hoạch chưa xác định nơi tiếp nhận vướng mắc)."
    return text


def no_obstacles(report: CompiledReport) -> str:
    when = "Trong kỳ báo cáo" if report.period is not None else "Đến thời điểm báo cáo"
    return f"{when}, các cơ quan, đơn vị chưa báo cáo khó khăn, vướng mắc qua hệ thống."


def table_note(item: ReportItem, obstacles: Sequence[Obstacle]) -> str:
    """The "Kết quả / ghi chú" cell: result, or time left, plus obstacles on this item."""
    parts = [done_text(item) if item.done else f"{capfirst(open_text(item))}."]
    if item.kind == OccurrenceKind.DEADLINE and item.timeframe:
        parts.append(f"Thời hạn theo Kế hoạch: {item.timeframe}.")
    if item.original is not None:
        parts.append(f"{extension_text(item)}.")
    for o in obstacles:
        if o.deadline_id == item.deadline_id:
            day = local_day_text(o.at)
            parts.append(f"Vướng mắc ({day}, {o.reporter}): {o.reason}")
    return "\n".join(capfirst(p) for p in parts)
