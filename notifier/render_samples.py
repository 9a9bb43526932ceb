"""Realistic message contexts from the sample plan, for ``Renderer.check`` and the tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from notifier.clock import VN_TZ
from notifier.domain.status import Bucket
from notifier.render import OFFICIAL_BUCKETS, CatchUpLine, MessageContext, TaskLine
from notifier.reports.model import (
    AgencyRow,
    BucketCounts,
    CompiledReport,
    Obstacle,
    ObstacleRecipient,
    PlanHeader,
    ReportItem,
)
from notifier.reports.periods import parse_period
from notifier.store.readmodel import Answer, Unanswered
from notifier.vocab import (
    RECIPIENT_ANSWERS,
    AckAction,
    DeliveryStatus,
    MessageKind,
    OccurrenceKind,
    Role,
    Via,
)


def sample_context(kind: MessageKind) -> MessageContext:
    """A realistic context from the sample plan (Ba Tơ – Thái Hòa 2024), for checks and tests.

    "Now" is 08:00 Tuesday 07/5/2024; working-day counts honour the 2024 holidays
    (29/4 swapped off, 30/4 and 1/5).
    """
    lines = (
        TaskLine("24/KH-UBND", "1", "Tham quan, học tập kinh nghiệm tại thị xã Thái Hòa",
                 "Văn phòng HĐND và UBND huyện", date(2024, 5, 2), -3, "Đã nhận", 1),
        TaskLine("24/KH-UBND", "2", "Chia sẻ thông tin, kinh nghiệm phát triển kinh tế - xã hội",
                 "Phòng Tài chính – Kế hoạch", date(2024, 5, 9), 2),
        TaskLine("24/KH-UBND", "3", "Tổng kết, đánh giá kết quả hợp tác năm 2024",
                 "Phòng Tài chính – Kế hoạch", date(2024, 5, 31), 18),
    )  # fmt: skip
    deadline, days = {
        MessageKind.DUE_TODAY: (date(2024, 5, 7), 0), MessageKind.OVERDUE: (date(2024, 5, 2), -3),
        MessageKind.ESCALATION: (date(2024, 4, 25), -5),
    }.get(kind, (date(2024, 5, 9), 2))  # fmt: skip
    role = {
        MessageKind.ESCALATION: Role.DIRECTING, MessageKind.COMPILED_REPORT: Role.COMPILER,
        MessageKind.DIGEST: Role.MONITOR, MessageKind.OBSTACLE: Role.DIRECTING,
    }.get(kind, Role.LEAD)  # fmt: skip
    reminded = (
        Unanswered("Trần Văn Minh", "Văn phòng HĐND và UBND huyện", 4,
                   datetime(2024, 4, 22, 8, 0, tzinfo=VN_TZ),
                   datetime(2024, 5, 3, 8, 0, tzinfo=VN_TZ), "Chánh Văn phòng"),
    )  # fmt: skip
    reporting = kind in (MessageKind.REPORT_REQUEST, MessageKind.COMPILED_REPORT)
    return MessageContext(
        kind=kind,
        recipient_name="Nguyễn Văn An",
        recipient_position="Chánh Văn phòng",
        recipient_agency="Văn phòng HĐND và UBND huyện",
        role=role,
        plan_number="24/KH-UBND",
        plan_date="05/4/2024",
        plan_title="Triển khai thực hiện Bản Ghi nhớ giữa tỉnh Nghệ An và tỉnh Quảng Ngãi",
        task_ref="1",
        task_title="Tham quan, học tập kinh nghiệm tại thị xã Thái Hòa",
        lead_agencies="Văn phòng HĐND và UBND huyện",
        period="Quý II/2024" if reporting else "",
        deadline=deadline,
        working_days=days,
        level=2 if kind == MessageKind.ESCALATION else 0,
        acks=(
            Answer(
                AckAction.RECEIVED,
                "Trần Thị Bình",
                "Phòng Tài chính – Kế hoạch",
                Via.TELEGRAM,
                datetime(2024, 4, 26, 8, 15, tzinfo=VN_TZ),
            ),
        ),  # fmt: skip
        note=(
            "Chưa bố trí được kinh phí đi lại"
            if kind in (MessageKind.OBSTACLE, MessageKind.ESCALATION)
            else ""
        ),
        reporter="Lê Văn Cường – Văn phòng HĐND và UBND huyện",
        counts=((OFFICIAL_BUCKETS[0], 3), (OFFICIAL_BUCKETS[2], 4), (OFFICIAL_BUCKETS[3], 1)),
        overdue=lines[:1],
        due_soon=lines[1:2],
        open_items=lines[2:],
        links={a.value: f"https://notifier.example.vn/a/{a}?t=abc&x=1" for a in RECIPIENT_ANSWERS},
        now=datetime(2024, 5, 7, 8, 0, tzinfo=VN_TZ),
        nominal=date(2024, 4, 30) if kind == MessageKind.OVERDUE else None,
        nominal_off="Ngày Chiến thắng" if kind == MessageKind.OVERDUE else "",
        level_title="Chủ tịch UBND huyện" if kind == MessageKind.ESCALATION else "",
        nth=2 if kind == MessageKind.ESCALATION else 0,
        unanswered=reminded if kind == MessageKind.ESCALATION else (),
        data_from=date(2024, 3, 15) if reporting else None,
        data_to=date(2024, 6, 14) if reporting else None,
        items=_items(lines) if kind == MessageKind.CATCH_UP else (),
        report=sample_report() if kind == MessageKind.COMPILED_REPORT else None,
        office="Văn phòng HĐND và UBND huyện Ba Tơ",
        contact="đồng chí Hồ Văn Tâm, Chuyên viên theo dõi kế hoạch, điện thoại 0255 3862 345",
    )


def _items(lines: tuple[TaskLine, ...]) -> tuple[CatchUpLine, ...]:
    links = {a.value: f"https://notifier.example.vn/a/{a}?t=item" for a in RECIPIENT_ANSWERS}
    return (
        CatchUpLine(lines[0], "quá hạn, chưa báo cáo hoàn thành", Role.LEAD, 7,
                    RECIPIENT_ANSWERS, links),
        CatchUpLine(replace(lines[1], period="6 tháng đầu năm 2024"), "đề nghị báo cáo",
                    Role.LEAD, 8, RECIPIENT_ANSWERS, links),
    )  # fmt: skip


def sample_contexts(kind: MessageKind) -> list[MessageContext]:
    """The full sample plus the awkward cases: a copy sent late, and a bare draft plan."""
    full = sample_context(kind)
    late_copy = replace(full, copy=True, late_news=True, links={}, acks=())
    bare = replace(
        full, plan_number="/KH-UBND", plan_date="tháng 4/2024", plan_title="", deadline=None,
        recipient_name="", recipient_position="", counts=(), overdue=(), due_soon=(),
        open_items=(), links={}, now=None, note="", reporter="", period="", level=0,
        office="", contact="", level_title="", nth=0, unanswered=(), items=(),
    )  # fmt: skip
    return [full, late_copy, bare]


def sample_report() -> CompiledReport:
    """A compiled report of the sample plan for the first half of 2024: one task done late,
    one report period overdue, one obstacle, one lead agency."""
    at = datetime(2024, 6, 18, 8, 0, tzinfo=VN_TZ)
    header = PlanHeader(
        1, "sample", "UBND huyện Ba Tơ", "Ủy ban nhân dân huyện Ba Tơ", "24/KH-UBND",
        "2024-04-05", "Triển khai thực hiện Bản Ghi nhớ giữa tỉnh Nghệ An và tỉnh Quảng Ngãi",
        "Ba Tơ", "TM. Ủy ban nhân dân", "Chủ tịch", ("UBND tỉnh",), "VT, TCKH",
    )  # fmt: skip
    lead = ("Văn phòng HĐND và UBND huyện Ba Tơ",)
    done = ReportItem(
        1, OccurrenceKind.DEADLINE, "II.1", "Tham quan, học tập kinh nghiệm tại thị xã Thái Hòa",
        "II", "", lead, lead, (), "", "Tháng 4/2024", "Tháng 4 năm 2024", date(2024, 4, 30),
        date(2024, 5, 2), Bucket.DONE_LATE, datetime(2024, 5, 8, 9, 0, tzinfo=VN_TZ),
        "Đoàn đã đi ngày 07/5/2024, có báo cáo số 15/BC-VP", -28,
    )  # fmt: skip
    report = replace(
        done, deadline_id=2, kind=OccurrenceKind.REPORT, ref="II.2",
        title="Phối hợp, chia sẻ thông tin, kinh nghiệm", period="6 tháng đầu năm 2024",
        timeframe="Thường xuyên", nominal=date(2024, 6, 15), deadline=date(2024, 6, 17),
        bucket=Bucket.OPEN_OVERDUE, done_at=None, note="", working_days=-1,
    )  # fmt: skip
    obstacle = Obstacle(
        1, "II.1", done.title, "", OccurrenceKind.DEADLINE, "Trần Văn Minh", lead[0],
        datetime(2024, 5, 3, 10, 0, tzinfo=VN_TZ), "Chưa bố trí được xe đi Thái Hòa",
        (ObstacleRecipient("Phạm Xuân Vinh", "Ủy ban nhân dân huyện Ba Tơ", False,
                           DeliveryStatus.SENT),),
    )  # fmt: skip
    tasks = BucketCounts.of_buckets([done.bucket])
    reports = BucketCounts.of_buckets([report.bucket])
    return CompiledReport(
        header, at, parse_period("6 tháng đầu năm 2024"), 2, (done, report), tasks, reports,
        (obstacle,), (AgencyRow(lead[0], tasks, reports),),
    )  # fmt: skip
