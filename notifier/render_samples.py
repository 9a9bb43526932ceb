"""Realistic message contexts from the sample plan, for ``Renderer.check`` and the tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from notifier.clock import VN_TZ
from notifier.render import OFFICIAL_BUCKETS, MessageContext, TaskLine
from notifier.store.readmodel import Answer
from notifier.vocab import RECIPIENT_ANSWERS, AckAction, MessageKind, Role, Via


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
        MessageKind.ESCALATION: Role.MONITOR, MessageKind.COMPILED_REPORT: Role.COMPILER,
        MessageKind.DIGEST: Role.MONITOR, MessageKind.OBSTACLE: Role.DIRECTING,
    }.get(kind, Role.LEAD)  # fmt: skip
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
    )


def sample_contexts(kind: MessageKind) -> list[MessageContext]:
    """The full sample plus the awkward cases: a copy sent late, and a bare draft plan."""
    full = sample_context(kind)
    late_copy = replace(full, copy=True, late_news=True, links={}, acks=())
    bare = replace(
        full, plan_number="/KH-UBND", plan_date="tháng 4/2024", plan_title="", deadline=None,
        recipient_name="", recipient_position="", counts=(), overdue=(), due_soon=(),
        open_items=(), links={}, now=None, note="", reporter="", period="", level=0,
    )  # fmt: skip
    return [full, late_copy, bare]
