"""The compiled report of the sample plan at several instants of its story (conftest.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from notifier.domain.status import Bucket
from notifier.reports import CompiledReport, build_report, parse_period
from notifier.vocab import OccurrenceKind
from tests.reports.conftest import II1_NOTE, REASON, Story, local, vn


def report(story: Story, at: datetime, period: str | None = None) -> CompiledReport:
    runtime = story.runtime
    with Session(runtime.engine) as session:
        return build_report(
            session,
            plan_key=story.plan_key,
            at=at,
            calendar=runtime.calendar,
            policy=runtime.policy,
            period=parse_period(period) if period else None,
        )


def test_header_reads_the_plan_and_the_directory(story: Story) -> None:
    plan = report(story, vn("2024-04-20")).plan
    assert plan.issuer == "UBND huyện Ba Tơ"
    assert plan.issuer_name == "Ủy ban nhân dân huyện Ba Tơ"
    assert plan.number_text == ".../KH-UBND"  # the sample is a draft without a number
    assert plan.date_text == "tháng 4/2024"
    assert plan.reference == "Kế hoạch số .../KH-UBND tháng 4/2024 của UBND huyện Ba Tơ"
    assert plan.subject.startswith("triển khai thực hiện Bản Ghi nhớ giữa tỉnh Nghệ An")
    assert (plan.signer_capacity, plan.signer_title) == ("TM. Ủy ban nhân dân", "Chủ tịch")
    assert plan.report_recipients == ("UBND tỉnh", "TT Huyện ủy")
    assert plan.archive == "VT, TCKH"


def test_before_the_deadline_one_task_in_time_and_no_report_period_yet(story: Story) -> None:
    r = report(story, vn("2024-04-20"))
    assert r.task_total == 2
    assert r.tasks.counts == (0, 0, 1, 0)
    assert r.reports.counts == (0, 0, 0, 0)  # 17/6 is more than 5 working days away
    [item] = r.items
    assert (item.ref, item.kind, item.deadline, item.nominal) == (
        "II.1",
        OccurrenceKind.DEADLINE,
        date(2024, 5, 2),
        date(2024, 4, 30),
    )
    # 22-26/4, then 29/4 (swap), 30/4 and 1/5 are off: 2/5 is the 6th working day
    assert item.working_days == 6 and item.bucket == Bucket.OPEN_IN_TIME
    assert item.lead == ("Văn phòng HĐND và UBND huyện Ba Tơ",)
    assert item.coordinating == (
        "Các cơ quan, đơn vị có liên quan của huyện Ba Tơ và thị xã Thái Hòa",
    )
    assert item.timeframe == "Tháng 4 năm 2024" and item.section == "II"


def test_a_completion_after_the_instant_does_not_count(story: Story) -> None:
    noon = report(story, vn("2024-05-08", "12:00"))
    [item] = noon.items
    assert item.bucket == Bucket.OPEN_OVERDUE and item.done_at is None and item.note == ""
    assert item.working_days == -5  # 3/5, 4/5 (make-up Saturday), 6/5, 7/5, 8/5
    assert noon.tasks.counts == (0, 0, 0, 1) and noon.tasks.rate(Bucket.OPEN_OVERDUE) == "100%"
    evening = report(story, vn("2024-05-08"))
    [done] = evening.items
    assert done.bucket == Bucket.DONE_LATE and local(done.done_at) == date(2024, 5, 8)  # type: ignore[arg-type]
    assert done.note == II1_NOTE
    assert evening.completed == (done,) and evening.open_items == ()


def test_six_month_period_counts_tasks_and_report_periods_separately(story: Story) -> None:
    r = report(story, vn("2024-06-14"), "6 tháng đầu năm 2024")
    assert r.period is not None and r.period.data_window == (date(2023, 12, 15), date(2024, 6, 14))
    assert [(i.ref, i.kind, i.period) for i in r.items] == [
        ("II.1", OccurrenceKind.DEADLINE, "Tháng 4/2024"),
        ("II.2", OccurrenceKind.REPORT, "6 tháng đầu năm 2024"),
    ]
    assert r.tasks.counts == (0, 1, 0, 0)
    assert r.reports.counts == (0, 0, 1, 0)
    [h1] = r.in_time
    assert h1.deadline == date(2024, 6, 17) and h1.nominal == date(2024, 6, 15)
    assert h1.working_days == 1
    [agency] = r.agencies
    assert agency.agency == "Văn phòng HĐND và UBND huyện Ba Tơ"
    assert (agency.tasks.counts, agency.reports.counts) == ((0, 1, 0, 0), (0, 0, 1, 0))


def test_obstacle_lists_reporter_reason_and_where_it_went(story: Story) -> None:
    before = report(story, vn("2024-06-10", "08:59"), "2024-H1")
    assert before.obstacles == ()
    [o] = report(story, vn("2024-06-14"), "2024-H1").obstacles
    assert (o.ref, o.kind, o.period) == ("II.2", OccurrenceKind.REPORT, "6 tháng đầu năm 2024")
    assert (o.reporter, o.reporter_agency) == (
        "Trần Văn Minh",
        "Văn phòng HĐND và UBND huyện Ba Tơ",
    )
    assert o.reason == REASON and local(o.at) == date(2024, 6, 10)
    assert [(r.person, r.agency, r.delivered) for r in o.sent_to] == [
        ("Phạm Xuân Vinh", "Ủy ban nhân dân huyện Ba Tơ", True)
    ]
    assert [(r.person, r.agency) for r in o.copied_to] == [
        ("Võ Thị Mai", "Phòng Tài chính – Kế hoạch huyện Ba Tơ"),
        ("Phạm Văn Đức", "Phòng Tài chính – Kế hoạch huyện Ba Tơ"),
    ]
    # Not inside the second half's data window (15/6 - 14/12/2024).
    assert report(story, vn("2024-12-31"), "2024-H2").obstacles == ()


def test_year_report_holds_both_periods_and_the_task(story: Story) -> None:
    r = report(story, vn("2024-12-31"), "2024")
    assert [(i.ref, i.period, i.bucket) for i in r.items] == [
        ("II.1", "Tháng 4/2024", Bucket.DONE_LATE),
        ("II.2", "6 tháng đầu năm 2024", Bucket.DONE_LATE),  # due 17/6, reported 18/6
        ("II.2", "Năm 2024", Bucket.OPEN_OVERDUE),  # due 16/12, nobody reported
    ]
    assert r.tasks.counts == (0, 1, 0, 0) and r.reports.counts == (0, 1, 0, 1)
    assert r.reports.rate(Bucket.DONE_LATE) == "50%"
    assert len(r.obstacles) == 1
    [agency] = r.agencies
    assert agency.reports.counts == (0, 1, 0, 1)


def test_quarter_holds_the_six_month_period_that_closes_in_it(story: Story) -> None:
    q2 = report(story, vn("2024-06-30"), "Quý II/2024")
    assert [(i.ref, i.period) for i in q2.items] == [
        ("II.1", "Tháng 4/2024"),
        ("II.2", "6 tháng đầu năm 2024"),
    ]
    q3 = report(story, vn("2024-09-30"), "2024-Q3")  # data 15/6 - 14/9: nothing falls due
    assert q3.items == () and q3.tasks.total == 0 and q3.agencies == ()
