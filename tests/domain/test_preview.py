"""Preview: every message in a window, per person and channel, in time order."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from notifier.clock import VN_TZ
from notifier.domain.calendar import WorkingCalendar
from notifier.domain.policy import load_policy
from notifier.domain.preview import PreviewItem, PreviewOccurrence, Recipient, preview
from notifier.domain.steps import MessageKind, OccurrenceKind, Role, TaskRoles

CONFIG = Path(__file__).resolve().parents[2] / "config"
CAL = WorkingCalendar.from_yaml(CONFIG / "calendar.yaml")
POLICY = load_policy(CONFIG / "policy.yaml")

VP, UBND, TCKH, VH = "vp-hdnd-ubnd", "ubnd-huyen", "phong-tckh", "phong-vh"
SAMPLE = TaskRoles(lead=(VP,), directing=(UBND,), monitor=(VP,), compiler=(TCKH,))
PEOPLE = {
    VP: [
        Recipient("vp.cvp", "Nguyễn Văn A", VP, "head", ("telegram", "email")),
        Recipient("vp.cv", "Trần Thị B", VP, "focal_point", ("email",)),
        Recipient("vp.staff", "Lê Văn C", VP, "staff", ("telegram",)),
        Recipient("vp.pcvp", "Phạm D", VP, "head", ()),  # no usable channel
    ],
    UBND: [
        Recipient("ubnd.ct", "Chủ tịch", UBND, "head", ("email",)),
        Recipient("ubnd.pct", "Phó Chủ tịch", UBND, "deputy", ("email",)),
    ],
    TCKH: [Recipient("tckh.tp", "Trưởng phòng", TCKH, "head", ("telegram",))],
}
YEAR_2024 = (datetime(2024, 1, 1, tzinfo=VN_TZ), datetime(2025, 1, 1, tzinfo=VN_TZ))


def occ(task: str = "II.1", **kw: object) -> PreviewOccurrence:
    base: dict[str, object] = {
        "plan": "KH-BaTo-2024",
        "task": task,
        "kind": OccurrenceKind.DEADLINE,
        "nominal": date(2024, 4, 30),
        "roles": SAMPLE,
        "policy": POLICY,
    }
    base.update(kw)
    return PreviewOccurrence(**base)  # type: ignore[arg-type]


def summary(items: list[PreviewItem]) -> list[tuple[str, str, str, str, bool]]:
    return [(i.at.strftime("%d/%m %H:%M"), i.step, i.person, i.channel, i.copy) for i in items]


def test_worked_example_per_person_and_channel() -> None:
    items = [i for i in preview([occ()], PEOPLE, CAL, *YEAR_2024) if i.kind != MessageKind.FOLLOWUP]
    vp = [("vp.cvp", "telegram"), ("vp.cv", "email")]
    expected = [
        (day, step, person, channel, False)
        for day, step in [
            ("22/04 08:00", "reminder-5"),
            ("25/04 08:00", "reminder-2"),
            ("02/05 08:00", "due_today"),
            ("03/05 08:00", "overdue"),
        ]
        for person, channel in sorted(vp, key=lambda pc: pc[0])
    ]
    for day in ["08/05", "15/05", "22/05", "29/05"]:
        step = {"08/05": "escalation-2", "15/05": "escalation-2-r1"}.get(day)
        step = step or {"22/05": "escalation-2-r2", "29/05": "escalation-2-r3"}[day]
        expected += [
            (f"{day} 08:00", step, "ubnd.ct", "email", False),  # heads only: no deputy
            (f"{day} 08:00", step, "tckh.tp", "telegram", True),
        ]
    assert summary(items) == expected


def test_items_are_in_time_order_across_occurrences() -> None:
    occurrences = [
        occ("B", nominal=date(2024, 9, 30)),
        occ("A", nominal=date(2024, 3, 29)),
        occ("C", nominal=date(2024, 6, 28)),
    ]
    items = preview(occurrences, PEOPLE, CAL, *YEAR_2024)
    assert [i.at for i in items] == sorted(i.at for i in items)
    assert items[0].task == "A"
    assert items[-1].task == "B"


def test_window_is_half_open() -> None:
    start = datetime(2024, 4, 25, 8, 0, tzinfo=VN_TZ)
    end = datetime(2024, 5, 3, 8, 0, tzinfo=VN_TZ)
    steps = {i.step for i in preview([occ()], PEOPLE, CAL, start, end)}
    assert steps == {"reminder-2", "reminder-2+followup", "due_today"}


def test_done_task_produces_nothing_after_completion() -> None:
    done = datetime(2024, 5, 2, 15, 0, tzinfo=VN_TZ)
    steps = [i.step for i in preview([occ(done_at=done)], PEOPLE, CAL, *YEAR_2024)]
    assert sorted(set(steps)) == [
        "due_today",
        "reminder-2",
        "reminder-2+followup",
        "reminder-5",
        "reminder-5+followup",
    ]


def test_unanswered_reminders_are_followed_up_on_the_next_channel() -> None:
    items = [i for i in preview([occ()], PEOPLE, CAL, *YEAR_2024) if i.kind == MessageKind.FOLLOWUP]
    assert summary(items) == [
        ("23/04 08:00", "reminder-5+followup", "vp.cv", "email", False),  # only one channel
        ("23/04 08:00", "reminder-5+followup", "vp.cvp", "email", False),  # telegram -> email
        ("26/04 08:00", "reminder-2+followup", "vp.cv", "email", False),
        ("26/04 08:00", "reminder-2+followup", "vp.cvp", "email", False),
    ]  # due today (2/5) gets none: the overdue notice of 3/5 reaches the agency first


def test_digest_goes_when_its_content_changes() -> None:
    """Issue 11 §4: not the same digest every working day; the engine's rule."""
    start = datetime(2024, 4, 19, 0, 0, tzinfo=VN_TZ)
    end = datetime(2024, 5, 10, 0, 0, tzinfo=VN_TZ)
    items = preview([occ()], PEOPLE, CAL, start, end, digest_policy=POLICY)
    digests = sorted({i.at.strftime("%d/%m %H:%M") for i in items if i.kind == "digest"})
    # 19/4: 6 working days before 2/5 (nothing to say yet); 22/4 it is due soon;
    # 03/5 it is overdue; nothing changes in between
    assert digests == ["03/05 07:30", "22/04 07:30"]
    people = sorted(i.person for i in items if i.kind == "digest" and i.at.day == 22)
    assert people == ["vp.cv", "vp.cvp"]


def test_digest_changes_as_items_come_are_done_and_fall_overdue() -> None:
    """The digest's content, day after day: due soon, then done (gone that very day) or
    overdue; a digest only on the days it changed, counting what is in it."""
    start = datetime(2024, 4, 19, 0, 0, tzinfo=VN_TZ)
    end = datetime(2024, 5, 20, 0, 0, tzinfo=VN_TZ)
    occs = [
        occ("A", nominal=date(2024, 5, 2), done_at=datetime(2024, 5, 7, 10, 0, tzinfo=VN_TZ)),
        occ("B", nominal=date(2024, 5, 6)),
        occ("C", nominal=date(2024, 4, 25), done_at=datetime(2024, 4, 24, 9, 0, tzinfo=VN_TZ)),
    ]
    items = preview(occs, PEOPLE, CAL, start, end, digest_policy=POLICY)
    digests = sorted({(i.at, i.deadline, i.reason) for i in items if i.kind == "digest"})
    assert [(f"{at:%d/%m}", f"{first:%d/%m}", why[20:]) for at, first, why in digests] == [
        ("19/04", "25/04", "0 quá hạn, 1 sắp đến hạn"),  # C
        ("22/04", "25/04", "0 quá hạn, 2 sắp đến hạn"),  # C, A
        ("24/04", "02/05", "0 quá hạn, 1 sắp đến hạn"),  # C done on 24/4: A
        ("25/04", "02/05", "0 quá hạn, 2 sắp đến hạn"),  # A, B
        ("03/05", "02/05", "1 quá hạn, 1 sắp đến hạn"),  # A overdue, B
        ("07/05", "06/05", "1 quá hạn, 0 sắp đến hạn"),  # A done on 7/5, B overdue
    ]


def test_weekly_digest_goes_on_its_day_or_the_next_working_day() -> None:
    weekly = POLICY.merged({"digest": {"mode": "weekly", "weekday": "monday"}})
    start = datetime(2024, 4, 19, 0, 0, tzinfo=VN_TZ)
    end = datetime(2024, 5, 14, 0, 0, tzinfo=VN_TZ)
    items = preview([occ()], PEOPLE, CAL, start, end, digest_policy=weekly)
    digests = sorted({i.at.strftime("%d/%m") for i in items if i.kind == "digest"})
    # Mondays 22/4 and 06/5, 13/5; Monday 29/4/2024 was a day off (swap): Thursday 2/5 is
    # the week's first working day after it
    assert digests == ["02/05", "06/05", "13/05", "22/04"]


def test_closed_plan_produces_nothing() -> None:
    assert preview([occ(closed=True)], PEOPLE, CAL, *YEAR_2024) == []


def test_agency_with_nobody_addressable_yields_one_visible_item() -> None:
    roles = TaskRoles(lead=(VH,), monitor=(VP,))
    items = preview([occ(roles=roles)], PEOPLE, CAL, *YEAR_2024)
    first = items[0]
    assert (first.step, first.agency, first.person, first.channel) == ("reminder-5", VH, "", "")
    assert "không có người nhận" in first.reason
    assert len([i for i in items if i.step == "reminder-5"]) == 1


def test_compiled_report_is_sent_once_per_plan_and_period() -> None:
    occurrences = [
        occ(
            task,
            kind=OccurrenceKind.REPORT,
            nominal=date(2024, 6, 15),
            period="6 tháng đầu năm 2024",
            roles=TaskRoles(lead=(lead,), monitor=(VP,), directing=(UBND,), compiler=(TCKH,)),
        )
        for task, lead in [("II.2", VP), ("II.3", VH), ("II.4", VH)]
    ]
    other_plan = occ(
        "I.1",
        plan="KH-khac",
        kind=OccurrenceKind.REPORT,
        nominal=date(2024, 6, 15),
        period="6 tháng đầu năm 2024",
    )
    items = preview([*occurrences, other_plan], PEOPLE, CAL, *YEAR_2024)
    compiled = [i for i in items if i.kind == MessageKind.COMPILED_REPORT]
    assert [(i.plan, i.task, i.person, i.role) for i in compiled] == [
        ("KH-BaTo-2024", "", "tckh.tp", Role.COMPILER),
        ("KH-khac", "", "tckh.tp", Role.COMPILER),
    ]
    assert compiled[0].at == datetime(2024, 6, 18, 8, 0, tzinfo=VN_TZ)
    assert compiled[0].reason == "Tổng hợp báo cáo 6 tháng đầu năm 2024 (hạn 17/6/2024)"
    requests = {i.task for i in items if i.kind == MessageKind.REPORT_REQUEST}
    assert requests == {"II.2", "II.3", "II.4", "I.1"}


def test_json_shape() -> None:
    item = preview([occ()], PEOPLE, CAL, *YEAR_2024)[0]
    assert item.to_json() == {
        "at": "2024-04-22T08:00:00+07:00",
        "kind": "reminder",
        "level": 0,
        "plan": "KH-BaTo-2024",
        "task": "II.1",
        "agency": VP,
        "person": "vp.cv",
        "channel": "email",
        "role": "lead",
        "deadline": "2024-05-02",
        "reason": "Còn 5 ngày làm việc đến hạn 02/5/2024",
        "step": "reminder-5",
        "copy": False,
    }


def test_json_time_is_vietnam_time_even_for_utc_window() -> None:
    start = datetime.fromisoformat("2024-01-01T00:00:00+00:00")
    end = datetime.fromisoformat("2025-01-01T00:00:00+00:00")
    items = preview([occ()], PEOPLE, CAL, start, end)
    assert all(i.to_json()["at"].endswith("+07:00") for i in items)


def test_window_gives_exactly_the_items_of_a_wider_preview_inside_it() -> None:
    nominals = [date(2024, 1, 31), date(2024, 6, 15), date(2024, 8, 30), date(2024, 12, 31)]
    occurrences = [occ(f"T{i}", nominal=n) for i, n in enumerate(nominals)]
    occurrences.append(
        occ("R", kind=OccurrenceKind.REPORT, nominal=date(2024, 6, 15), period="6 tháng")
    )
    wide = preview(occurrences, PEOPLE, CAL, *YEAR_2024)
    for start, end in [
        (datetime(2024, 5, 1, tzinfo=VN_TZ), datetime(2024, 7, 1, tzinfo=VN_TZ)),
        (datetime(2024, 6, 18, 8, tzinfo=VN_TZ), datetime(2024, 6, 18, 8, 1, tzinfo=VN_TZ)),
        (datetime(2024, 9, 1, tzinfo=VN_TZ), datetime(2024, 12, 1, tzinfo=VN_TZ)),
    ]:
        narrow = preview(occurrences, PEOPLE, CAL, start, end)
        assert narrow == [i for i in wide if start <= i.at < end]
        assert narrow
