"""`notifier preview` on the sample plan: the worked example of the calendar-and-policy issue."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SEED_PLAN, CliResult

Cli = Callable[..., CliResult]


def test_worked_example_for_task_ii1(cli: Cli, config_dir: Path, tmp_path: Path) -> None:
    base = ("--config", config_dir, "--db", f"sqlite:///{tmp_path / 'p.db'}")
    assert cli(*base, "init").code == 0
    assert cli(*base, "plan", "import", SEED_PLAN).code == 0
    result = cli(
        *base, "preview", "--from", "2024-04-15", "--to", "2024-06-30", "--task", "II.1", "--json"
    )
    assert result.code == 0, result.err
    items = json.loads(result.out)
    assert {i["deadline"] for i in items} == {"2024-05-02"}
    assert [i["at"] for i in items] == sorted(i["at"] for i in items)
    to_lead = [
        (i["at"], i["kind"])
        for i in items
        if i["person"] == "vp.chanh" and i["kind"] not in ("digest", "followup")
    ]
    assert to_lead == [
        ("2024-04-22T08:00:00+07:00", "reminder"),
        ("2024-04-25T08:00:00+07:00", "reminder"),
        ("2024-05-02T08:00:00+07:00", "due_today"),
        ("2024-05-03T08:00:00+07:00", "overdue"),
    ]
    escalations = [i for i in items if i["kind"] == "escalation"]
    assert {i["level"] for i in escalations} == {2}  # level 1 skipped: monitor is the lead
    chairman = [i["at"][:10] for i in escalations if i["agency"] == "ubnd-huyen"]
    assert chairman == ["2024-05-08", "2024-05-15", "2024-05-22", "2024-05-29"]
    assert all(
        i["role"] == "directing" and i["person"] == "ubnd-huyen.chu-tich"
        for i in escalations
        if i["agency"] == "ubnd-huyen"
    )
    copies = [i for i in escalations if i["agency"] == "phong-tckh"]
    assert copies and all(i["role"] == "compiler" and i["copy"] for i in copies)
    coordinating = {i["agency"] for i in items if i["role"] == "coordinating"}
    assert "ubnd-thai-hoa" in coordinating
    assert all(i["at"][:10] == "2024-04-22" for i in items if i["role"] == "coordinating")
    for key in (
        "at",
        "kind",
        "level",
        "plan",
        "task",
        "agency",
        "person",
        "channel",
        "role",
        "deadline",
        "reason",
    ):
        assert all(key in i for i in items)


def test_six_month_report_of_2024_ends_monday_17_june(
    cli: Cli, config_dir: Path, tmp_path: Path
) -> None:
    base = ("--config", config_dir, "--db", f"sqlite:///{tmp_path / 'p.db'}")
    assert cli(*base, "init").code == 0
    assert cli(*base, "plan", "import", SEED_PLAN).code == 0
    result = cli(
        *base, "preview", "--from", "2024-06-01", "--to", "2024-06-30", "--task", "II.2", "--json"
    )
    items = json.loads(result.out)
    assert items and {i["deadline"] for i in items} == {"2024-06-17"}
    assert any(i["kind"] == "report_request" for i in items)
    assert any(i["kind"] == "due_today" and i["at"].startswith("2024-06-17") for i in items)


def test_preview_shows_the_channel_each_message_will_really_use(
    cli: Cli, config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing configured: everything goes to the console, whatever people prefer."""
    base = ("--config", config_dir, "--db", f"sqlite:///{tmp_path / 'p.db'}")
    assert cli(*base, "init").code == 0
    assert cli(*base, "plan", "import", SEED_PLAN).code == 0
    window = ("--from", "2024-04-15", "--to", "2024-05-10", "--json")
    items = json.loads(cli(*base, "preview", *window).out)
    assert {i["channel"] for i in items if i["person"]} == {"console"}
    monkeypatch.setenv("NOTIFIER_SMTP_HOST", "127.0.0.1")
    items = json.loads(cli(*base, "preview", *window).out)
    chanh = {i["channel"] for i in items if i["person"] == "vp.chanh" and i["kind"] == "reminder"}
    assert chanh == {"email"}, "Telegram is not configured, so his second choice is used"


def test_json_rows_are_what_json_dumps_writes() -> None:
    """The command writes each item's JSON itself (fast); it must be json.dumps' text."""
    from datetime import UTC, date, datetime

    from notifier.cli.plans import _preview_json
    from notifier.domain.preview import PreviewItem
    from notifier.domain.steps import MessageKind, Role

    items = [
        PreviewItem(
            datetime(2024, 4, 22, 1, 0, tzinfo=UTC), MessageKind.ESCALATION, 2, "KH-1",
            "II.1", "ubnd-huyen", "ubnd.ct", "email", Role.DIRECTING, date(2024, 5, 2),
            'Lý do "khó" \\ có\ndòng mới\tvà ký tự \x01 🙂', "escalation-2", True,
        ),
        PreviewItem(
            datetime(2024, 12, 31, 23, 59, 30, tzinfo=UTC), MessageKind.DIGEST, 0, "", "",
            "vp", "", "", Role.MONITOR, date(2025, 1, 2), "Tổng hợp", "digest", False,
        ),
    ]  # fmt: skip
    labels: dict[tuple[object, ...], str] = {}
    for _ in range(2):  # formatted, then from the cache
        for item in items:
            text = _preview_json(item, labels)
            assert text == json.dumps(item.to_json(), ensure_ascii=False)


def test_the_listing_keeps_its_columns_for_the_longest_labels(
    cli: Cli, config_dir: Path, tmp_path: Path
) -> None:
    """Rows are written as they come, so each column is as wide as its longest possible
    text: "Nhắc lại khi chưa phản hồi" and "Tổng hợp hằng ngày" pushed the rest aside."""
    base = ("--config", config_dir, "--db", f"sqlite:///{tmp_path / 'p.db'}")
    assert cli(*base, "init").code == 0
    assert cli(*base, "plan", "import", SEED_PLAN).code == 0
    result = cli(*base, "preview", "--from", "2024-04-15", "--to", "2024-05-31")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("─"))
    ruled = lines[rule]  # one run of ─ per column but the last (the reason, as wide as its text)
    starts = [0] + [at + 3 for at in range(len(ruled)) if ruled[at : at + 3] == "─  "]
    starts.append(len(ruled) + 2)
    rows = [line for line in lines[rule + 1 :] if line[:2].isdigit()]
    kinds = {line[starts[1] : starts[2]].strip() for line in rows}
    assert {"Tổng hợp hằng ngày", "Nhắc lại khi chưa phản hồi", "Đôn đốc cấp 2"} <= kinds
    for line in rows:
        for start in starts[1:]:
            assert line[start - 2 : start] == "  ", (start, line)
        assert line[starts[-2] : starts[-1]].strip().endswith("/2024"), line  # the deadline
