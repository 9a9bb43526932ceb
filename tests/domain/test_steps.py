"""Planned steps: the worked example from the issue, skips, repeats, reports, send window."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from notifier.clock import VN_TZ
from notifier.domain.calendar import WorkingCalendar
from notifier.domain.policy import Policy, load_policy
from notifier.domain.steps import (
    AgencyTarget,
    MessageKind,
    OccurrenceKind,
    Role,
    TaskRoles,
    apply_send_window,
    next_step_after,
    plan_steps,
    report_dates,
)

CONFIG = Path(__file__).resolve().parents[2] / "config"
CAL = WorkingCalendar.from_yaml(CONFIG / "calendar.yaml")
POLICY = load_policy(CONFIG / "policy.yaml")

VP, UBND, TCKH = "vp-hdnd-ubnd", "ubnd-huyen", "phong-tckh"
# Sample plan task II.1: lead = monitor = Văn phòng HĐND và UBND huyện
SAMPLE = TaskRoles(lead=(VP,), directing=(UBND,), monitor=(VP,), compiler=(TCKH,))
HEAD_FOCAL = ("head", "focal_point")


def vn(y: int, m: int, d: int, hh: int = 8, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


def test_worked_example_task_ii_1_april_2024() -> None:
    steps = plan_steps(OccurrenceKind.DEADLINE, date(2024, 4, 30), SAMPLE, POLICY, CAL)
    lead = (AgencyTarget(VP, Role.LEAD, False, HEAD_FOCAL),)
    level2 = (
        AgencyTarget(UBND, Role.DIRECTING, False, ("head",)),
        AgencyTarget(TCKH, Role.COMPILER, True, ("head",)),
    )
    assert [(s.key, s.kind, s.level, s.at, s.targets) for s in steps] == [
        ("reminder-5", MessageKind.REMINDER, 0, vn(2024, 4, 22), lead),
        ("reminder-2", MessageKind.REMINDER, 0, vn(2024, 4, 25), lead),
        ("due_today", MessageKind.DUE_TODAY, 0, vn(2024, 5, 2), lead),
        ("overdue", MessageKind.OVERDUE, 0, vn(2024, 5, 3), lead),
        ("escalation-2", MessageKind.ESCALATION, 2, vn(2024, 5, 8), level2),
        ("escalation-2-r1", MessageKind.ESCALATION, 2, vn(2024, 5, 15), level2),
        ("escalation-2-r2", MessageKind.ESCALATION, 2, vn(2024, 5, 22), level2),
        ("escalation-2-r3", MessageKind.ESCALATION, 2, vn(2024, 5, 29), level2),
    ]
    assert {s.deadline for s in steps} == {date(2024, 5, 2)}
    assert steps[0].reason.startswith("Còn 5 ngày làm việc đến hạn")


def test_level_1_goes_to_the_monitor_when_it_is_not_the_lead() -> None:
    roles = TaskRoles(lead=("phong-vh",), monitor=(VP,), directing=(UBND,), compiler=(TCKH,))
    steps = plan_steps(OccurrenceKind.DEADLINE, date(2024, 4, 30), roles, POLICY, CAL)
    esc1 = next(s for s in steps if s.key == "escalation-1")
    assert esc1.at == vn(2024, 5, 4)  # 2 working days after 2/5, Saturday 4/5 worked
    assert esc1.targets == (AgencyTarget(VP, Role.MONITOR, False, HEAD_FOCAL),)
    overdue = next(s for s in steps if s.key == "overdue")
    assert overdue.targets == (
        AgencyTarget("phong-vh", Role.LEAD, False, HEAD_FOCAL),
        AgencyTarget(VP, Role.MONITOR, True, HEAD_FOCAL),
    )


def test_reminder_5_informs_coordinating_agencies_as_copies() -> None:
    roles = TaskRoles(lead=(VP,), coordinating=("phong-vh", "cong-an"))
    steps = plan_steps(OccurrenceKind.DEADLINE, date(2024, 6, 28), roles, POLICY, CAL)
    first = steps[0]
    assert first.key == "reminder-5"
    assert [(t.agency, t.role, t.copy) for t in first.targets] == [
        (VP, Role.LEAD, False),
        ("phong-vh", Role.COORDINATING, True),
        ("cong-an", Role.COORDINATING, True),
    ]


def test_a_level_with_only_copies_left_is_skipped_and_the_last_kept_level_repeats() -> None:
    # no directing agency: level 2 would only carry a copy to the compiler
    roles = TaskRoles(lead=("phong-vh",), monitor=(VP,), compiler=(TCKH,))
    steps = plan_steps(OccurrenceKind.DEADLINE, date(2024, 4, 30), roles, POLICY, CAL)
    keys = [s.key for s in steps if s.kind == MessageKind.ESCALATION]
    assert keys == ["escalation-1", "escalation-1-r1", "escalation-1-r2", "escalation-1-r3"]


def test_repeats_follow_policy_interval_and_limit() -> None:
    policy = POLICY.merged({"escalation": {"repeat_every_working_days": 2, "max_repeats": 1}})
    steps = plan_steps(OccurrenceKind.DEADLINE, date(2024, 4, 30), SAMPLE, policy, CAL)
    assert [(s.key, s.at.date()) for s in steps if s.kind == MessageKind.ESCALATION] == [
        ("escalation-2", date(2024, 5, 8)),
        ("escalation-2-r1", date(2024, 5, 10)),
    ]


def test_six_month_report_2024_ends_monday_17_june_and_feeds_the_compiler() -> None:
    steps = plan_steps(OccurrenceKind.REPORT, date(2024, 6, 15), SAMPLE, POLICY, CAL)
    by_key = {s.key: s for s in steps}
    assert by_key["due_today"].at == vn(2024, 6, 17)
    assert by_key["reminder-5"].kind == MessageKind.REPORT_REQUEST
    assert by_key["reminder-5"].at == vn(2024, 6, 10)
    assert by_key["reminder-2"].kind == MessageKind.REPORT_REQUEST
    compiled = by_key["compiled_report"]
    assert compiled.kind == MessageKind.COMPILED_REPORT
    assert compiled.at == vn(2024, 6, 18)
    assert compiled.targets == (AgencyTarget(TCKH, Role.COMPILER, False, HEAD_FOCAL),)
    assert [s.at for s in steps] == sorted(s.at for s in steps)


def test_deadline_occurrence_has_no_compiled_report_or_report_requests() -> None:
    steps = plan_steps(OccurrenceKind.DEADLINE, date(2024, 6, 15), SAMPLE, POLICY, CAL)
    assert not {MessageKind.COMPILED_REPORT, MessageKind.REPORT_REQUEST} & {s.kind for s in steps}


def test_previous_working_day_rule_moves_every_step_earlier() -> None:
    policy = POLICY.merged({"deadline_rule": "previous_working_day"})
    steps = plan_steps(OccurrenceKind.DEADLINE, date(2024, 6, 15), SAMPLE, policy, CAL)
    due = next(s for s in steps if s.key == "due_today")
    assert due.deadline == date(2024, 6, 14)
    assert due.at == vn(2024, 6, 14)


def test_exact_rule_on_a_sunday_sends_due_today_at_next_opening() -> None:
    policy = POLICY.merged({"deadline_rule": "exact"})
    steps = plan_steps(OccurrenceKind.DEADLINE, date(2024, 6, 16), SAMPLE, policy, CAL)
    due = next(s for s in steps if s.key == "due_today")
    assert due.deadline == date(2024, 6, 16)
    assert due.at == vn(2024, 6, 17, 7, 30)
    assert next(s for s in steps if s.key == "overdue").at == vn(2024, 6, 17)


def test_disabled_due_today_is_not_planned() -> None:
    policy = POLICY.merged({"due_today": {"enabled": False}})
    steps = plan_steps(OccurrenceKind.DEADLINE, date(2024, 6, 14), SAMPLE, policy, CAL)
    assert "due_today" not in [s.key for s in steps]


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (vn(2024, 6, 14, 8, 0), vn(2024, 6, 14, 8, 0)),  # inside
        (vn(2024, 6, 14, 7, 29), vn(2024, 6, 14, 7, 30)),  # before opening: same day
        (vn(2024, 6, 14, 18, 0), vn(2024, 6, 17, 7, 30)),  # Friday evening: Monday
        (vn(2024, 6, 14, 17, 0), vn(2024, 6, 17, 7, 30)),  # the window closes at 17:00
        (vn(2024, 6, 15, 10, 0), vn(2024, 6, 17, 7, 30)),  # Saturday
        (vn(2024, 5, 3, 18, 0), vn(2024, 5, 4, 7, 30)),  # make-up Saturday 4/5/2024 counts
        (vn(2024, 4, 26, 18, 0), vn(2024, 5, 2, 7, 30)),  # across 29/4 - 1/5
        (vn(2025, 1, 24, 20, 0), vn(2025, 2, 3, 7, 30)),  # across Tết 2025
        (datetime.fromisoformat("2024-06-14T01:00:00+00:00"), vn(2024, 6, 14, 8, 0)),  # UTC in
    ],
)
def test_send_window(at: datetime, expected: datetime) -> None:
    moved = apply_send_window(at, POLICY, CAL)
    assert moved == expected
    assert moved.utcoffset() == expected.utcoffset()


def test_a_step_planned_at_18h_moves_to_next_working_day_0730() -> None:
    policy = POLICY.merged({"remind_at": "18:00"})
    steps = plan_steps(OccurrenceKind.DEADLINE, date(2024, 5, 2), SAMPLE, policy, CAL)
    due = next(s for s in steps if s.key == "due_today")
    assert due.at == vn(2024, 5, 3, 7, 30)


def test_next_step_after() -> None:
    steps = plan_steps(OccurrenceKind.DEADLINE, date(2024, 4, 30), SAMPLE, POLICY, CAL)
    assert next_step_after(steps, vn(2024, 4, 1)) is steps[0]
    step = next_step_after(steps, vn(2024, 4, 22))  # exactly at reminder-5: strictly after
    assert step is not None and step.key == "reminder-2"
    step = next_step_after(steps, vn(2024, 5, 2, 12))
    assert step is not None and step.key == "overdue"
    assert next_step_after(steps, vn(2024, 5, 29)) is None


def test_step_keys_are_unique_within_an_occurrence() -> None:
    roles = TaskRoles(lead=("a",), monitor=("m",), directing=("d",), compiler=("c",))
    steps = plan_steps(OccurrenceKind.REPORT, date(2025, 12, 15), roles, POLICY, CAL)
    keys = [s.key for s in steps]
    assert len(keys) == len(set(keys)) == 10


def test_report_dates_default_and_plan_override() -> None:
    dates = report_dates(2024, 2025, POLICY)
    assert [(r.period, r.nominal) for r in dates] == [
        ("6 tháng đầu năm 2024", date(2024, 6, 15)),
        ("Năm 2024", date(2024, 12, 15)),
        ("6 tháng đầu năm 2025", date(2025, 6, 15)),
        ("Năm 2025", date(2025, 12, 15)),
    ]
    assert (dates[0].data_from, dates[0].data_to) == (date(2023, 12, 15), date(2024, 6, 14))
    assert (dates[1].data_from, dates[1].data_to) == (date(2023, 12, 15), date(2024, 12, 14))
    plan = Policy().merged(
        {
            "reporting": {
                "periods": [
                    {"period": "q1", "due": "5/3"},
                    {"period": "year", "due": "10/01", "due_next_year": True},
                ]
            }
        }
    )
    assert [(r.period, r.nominal) for r in report_dates(2024, 2024, plan)] == [
        ("Quý I/2024", date(2024, 3, 5)),
        ("Năm 2024", date(2025, 1, 10)),
    ]
