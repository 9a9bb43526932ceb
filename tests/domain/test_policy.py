"""Policy: defaults, the shipped YAML, per-plan and per-task overrides, file:line errors."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from notifier.domain.calendar import DeadlineRule
from notifier.domain.policy import PeriodKind, PersonRole, Policy, Role, load_policy
from notifier.errors import ConfigError

CONFIG = Path(__file__).resolve().parents[2] / "config"


def test_shipped_policy_yaml_equals_the_documented_defaults() -> None:
    assert load_policy(CONFIG / "policy.yaml") == Policy()


def test_defaults_match_the_issue() -> None:
    p = Policy()
    assert p.deadline_rule == DeadlineRule.NEXT_WORKING_DAY
    assert p.remind_at == time(8, 0)
    assert [(r.working_days_before, r.to, r.cc) for r in p.reminders] == [
        (5, [Role.LEAD], [Role.COORDINATING]),
        (2, [Role.LEAD], []),
    ]
    assert (p.overdue.working_days_after, p.overdue.to, p.overdue.cc) == (
        1,
        [Role.LEAD],
        [Role.MONITOR],
    )
    levels = [(lv.level, lv.working_days_overdue, lv.to, lv.cc) for lv in p.escalation.levels]
    assert levels == [(1, 2, [Role.MONITOR], []), (2, 5, [Role.DIRECTING], [Role.COMPILER])]
    assert p.escalation.levels[1].addressed_roles == [PersonRole.HEAD]
    assert (p.escalation.repeat_every_working_days, p.escalation.max_repeats) == (5, 3)
    assert [(r.period, r.due) for r in p.reporting.periods] == [
        (PeriodKind.SIX_MONTHS, "15/06"),
        (PeriodKind.YEAR, "15/12"),
    ]
    assert p.addressed_roles == [PersonRole.HEAD, PersonRole.FOCAL_POINT]
    assert (p.send_window.start, p.send_window.end) == (time(7, 30), time(17, 0))
    assert p.no_answer_followup_working_days == 1
    assert p.digest_at == time(7, 30)
    assert p.catch_up_after_working_days == 1


def test_missing_policy_file_gives_defaults(tmp_path: Path) -> None:
    assert load_policy(tmp_path / "none.yaml") == Policy()


def test_plan_override_replaces_lists_and_keeps_other_defaults() -> None:
    plan = Policy().merged({"reminders": [{"working_days_before": 3, "to": ["lead"]}]})
    assert [r.working_days_before for r in plan.reminders] == [3]
    assert plan.escalation == Policy().escalation


def test_task_override_deep_merges_on_top_of_plan_override() -> None:
    plan = Policy().merged({"escalation": {"max_repeats": 1}, "remind_at": "09:15"})
    task = plan.merged({"escalation": {"repeat_every_working_days": 10}})
    assert task.escalation.max_repeats == 1
    assert task.escalation.repeat_every_working_days == 10
    assert task.escalation.levels == Policy().escalation.levels
    assert task.remind_at == time(9, 15)


def test_override_of_reporting_dates_for_one_plan() -> None:
    plan = Policy().merged(
        {"reporting": {"periods": [{"period": "year", "due": "10/01", "due_next_year": True}]}}
    )
    assert plan.reporting.periods[0].nominal(2024).isoformat() == "2025-01-10"
    assert plan.reporting.compiled_report == Policy().reporting.compiled_report


def test_merged_leaves_the_original_untouched() -> None:
    base = Policy()
    base.merged({"escalation": {"max_repeats": 0}})
    assert base.escalation.max_repeats == 3


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"remindr": []}, "khóa 'remindr' không dùng được trong (cấp ngoài cùng)"),
        (
            {"escalation": {"levels": [{"level": 1, "working_days_overdue": 2, "to": ["boss"]}]}},
            "escalation.levels[0].to[0]: 'boss' không hợp lệ; "
            "chỉ nhận một trong: lead, coordinating",
        ),
        ({"send_window": {"start": "25:00"}}, "'25:00' không phải là giờ (cần dạng HH:MM)"),
        ({"deadline_rule": "whenever"}, "'whenever' không hợp lệ"),
        (
            {"reporting": {"periods": [{"period": "year", "due": "31/02"}]}},
            "'31/02' không phải là một ngày",
        ),
    ],
)
def test_invalid_override_is_a_config_error(override: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Policy().merged(override, source="plan KH-24")
    assert any(p.startswith("plan KH-24: ") and message in p for p in caught.value.problems), (
        caught.value.problems
    )


POLICY_WITH_TYPO = """\
deadline_rule: next_working_day
remind_at: "08:00"
reminders:
  - working_days_before: 5
    to: [lead]
    remindr: oops
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            POLICY_WITH_TYPO,
            "policy.yaml:6: khóa 'remindr' không dùng được trong reminders[0]; "
            "các khóa hợp lệ: working_days_before, to, cc",
        ),
        (
            "escalation:\n  levels:\n    - level: 1\n"
            "      working_days_overdue: 2\n      to: [lead, boss]\n",
            "policy.yaml:5: escalation.levels[0].to[1]: 'boss' không hợp lệ",
        ),
        (
            "send_window:\n  start: '7h30'\n",
            "policy.yaml:2: '7h30' không phải là giờ (cần dạng HH:MM)",
        ),
        ("reminders:\n  - to: [lead]\n", "policy.yaml:2: thiếu khóa 'working_days_before'"),
        ("reminders:\n  - working_days_before: 0\n    to: [lead]\n", "policy.yaml:2: reminders[0]"),
        ("remind_at: '08:00'\nremind_at: '09:00'\n", "policy.yaml:2: khóa 'remind_at' bị lặp lại"),
        (
            "reminders:\n  - working_days_before: 5\n   to: [lead]\n",
            "policy.yaml:3: lỗi cú pháp YAML",
        ),
        (
            "escalation:\n  levels:\n    - {level: 1, working_days_overdue: 5, to: [monitor]}\n"
            "    - {level: 2, working_days_overdue: 2, to: [directing]}\n",
            "policy.yaml:3: escalation.levels: các cấp phải có số thứ tự khác nhau",
        ),
    ],
)
def test_policy_yaml_errors_name_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_policy(path)
    assert any(expected in p for p in caught.value.problems), caught.value.problems
    assert all(p.startswith(str(path)) for p in caught.value.problems)


def test_unquoted_times_are_read_as_times_not_base_60_numbers(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(
        "send_window:\n  start: 07:30\n  end: 17:00\nremind_at: 8:00\n", encoding="utf-8"
    )
    p = load_policy(path)
    assert (p.send_window.start, p.send_window.end, p.remind_at) == (
        time(7, 30),
        time(17, 0),
        time(8, 0),
    )
