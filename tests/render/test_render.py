"""Messages render in correct official Vietnamese on every channel, safely."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import jinja2
import pytest

from notifier.clock import VN_TZ
from notifier.errors import ConfigError
from notifier.render import (
    OFFICIAL_BUCKETS,
    MessageContext,
    MessageKind,
    Renderer,
    TaskLine,
    expects_answer,
    plan_reference,
    telegram_problems,
)
from notifier.render_samples import sample_context, sample_contexts
from notifier.store.readmodel import Answer
from notifier.vocab import AckAction, LateReason, Via

ALL_CONTEXTS = [
    pytest.param(ctx, id=f"{kind}-{i}")
    for kind in MessageKind
    for i, ctx in enumerate(sample_contexts(kind))
]


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def reminder(**changes: object) -> MessageContext:
    """The golden reminder: task 1 of the sample plan, two working days before its deadline."""
    ctx = MessageContext(
        kind="reminder",
        recipient_name="Nguyễn Văn An",
        recipient_position="Chánh Văn phòng",
        recipient_agency="Văn phòng HĐND và UBND huyện",
        role="lead",
        plan_number="24/KH-UBND",
        plan_date="05/4/2024",
        plan_title="Triển khai thực hiện Bản Ghi nhớ giữa tỉnh Nghệ An và tỉnh Quảng Ngãi",
        task_ref="1",
        task_title="Tham quan, học tập kinh nghiệm tại thị xã Thái Hòa",
        lead_agencies="Văn phòng HĐND và UBND huyện",
        deadline=date(2024, 5, 2),
        working_days=2,
        acks=(
            Answer(
                AckAction.RECEIVED,
                "Trần Thị Bình",
                "Phòng Tài chính – Kế hoạch",
                Via.TELEGRAM,
                datetime(2024, 4, 26, 8, 15, tzinfo=VN_TZ),
            ),
            Answer(
                AckAction.DONE,
                "Lê Văn Cường",
                "Văn phòng HĐND và UBND huyện",
                Via.EMAIL,
                datetime(2024, 4, 26, 14, 5, tzinfo=VN_TZ),
                note="Đã gửi báo cáo số 12/BC-VP",
            ),
        ),  # fmt: skip
        links={
            "received": "https://tb.example.vn/a/r1",
            "done": "https://tb.example.vn/a/d1",
            "blocked": "https://tb.example.vn/a/b1",
        },
        now=datetime(2024, 4, 26, 8, 0, tzinfo=VN_TZ),
        office="Văn phòng HĐND và UBND huyện Ba Tơ",
        contact="đồng chí Hồ Văn Tâm, Chuyên viên theo dõi kế hoạch, điện thoại 0255 3862 345",
    )
    return replace(ctx, **changes)  # type: ignore[arg-type]


GOLDEN_REMINDER_TEXT = """\
Kính gửi: Đồng chí Nguyễn Văn An – Chánh Văn phòng, Văn phòng HĐND và UBND huyện

Văn phòng HĐND và UBND huyện Ba Tơ xin nhắc đồng chí thời hạn thực hiện nhiệm vụ sau, hiện còn 2 ngày làm việc:

- Kế hoạch số 24/KH-UBND ngày 05/4/2024 về triển khai thực hiện Bản Ghi nhớ giữa tỉnh Nghệ An và tỉnh Quảng Ngãi
- Nhiệm vụ 1: Tham quan, học tập kinh nghiệm tại thị xã Thái Hòa
- Cơ quan chủ trì: Văn phòng HĐND và UBND huyện
- Vai trò của đơn vị: chủ trì
- Thời hạn: Thứ Năm, 02/5/2024 (còn 2 ngày làm việc)

Tình hình phản hồi:
- Trần Thị Bình (Phòng Tài chính – Kế hoạch) đã nhận lúc 08:15 Thứ Sáu, 26/4/2024, qua Telegram.
- Lê Văn Cường (Văn phòng HĐND và UBND huyện) đã báo cáo hoàn thành lúc 14:05 Thứ Sáu, 26/4/2024, qua thư điện tử. Ghi chú: Đã gửi báo cáo số 12/BC-VP

Đề nghị đồng chí chỉ đạo tổ chức thực hiện, bảo đảm hoàn thành đúng thời hạn.

Đề nghị đồng chí phản hồi bằng một trong các liên kết sau:
- Đã nhận: https://tb.example.vn/a/r1
- Đã hoàn thành: https://tb.example.vn/a/d1
- Báo vướng mắc: https://tb.example.vn/a/b1

--
Văn phòng HĐND và UBND huyện Ba Tơ
Liên hệ: đồng chí Hồ Văn Tâm, Chuyên viên theo dõi kế hoạch, điện thoại 0255 3862 345.
Thông báo gửi tự động lúc 08:00 Thứ Sáu, 26/4/2024.
"""  # noqa: E501

GOLDEN_REMINDER_TELEGRAM = """\
<b>Nhắc hạn: còn 2 ngày làm việc</b>
<b>Nhiệm vụ 1:</b> Tham quan, học tập kinh nghiệm tại thị xã Thái Hòa
Kế hoạch số 24/KH-UBND ngày 05/4/2024
Chủ trì: Văn phòng HĐND và UBND huyện
Vai trò: chủ trì
Hạn: <b>Thứ Năm, 02/5/2024</b> (còn 2 ngày làm việc)
Đã phản hồi:
• Trần Thị Bình (Phòng Tài chính – Kế hoạch): đã nhận, 08:15 Thứ Sáu, 26/4/2024
• Lê Văn Cường (Văn phòng HĐND và UBND huyện): đã báo cáo hoàn thành, 14:05 Thứ Sáu, 26/4/2024

Đề nghị đồng chí chỉ đạo tổ chức thực hiện, bảo đảm hoàn thành đúng thời hạn.
<i>Bấm nút bên dưới để phản hồi.</i>
— Văn phòng HĐND và UBND huyện Ba Tơ; liên hệ: đồng chí Hồ Văn Tâm, Chuyên viên theo dõi kế hoạch, điện thoại 0255 3862 345"""  # noqa: E501


def test_golden_reminder(renderer: Renderer) -> None:
    out = renderer.render(reminder())
    assert out.subject == (
        "[Nhắc hạn] Nhiệm vụ 1 còn 2 ngày làm việc (hạn 02/5/2024): "
        "Tham quan, học tập kinh nghiệm tại thị xã Thái Hòa"
    )
    assert out.text == GOLDEN_REMINDER_TEXT
    assert out.telegram_html == GOLDEN_REMINDER_TELEGRAM


@pytest.mark.parametrize("ctx", ALL_CONTEXTS)
def test_every_kind_renders_on_every_channel(renderer: Renderer, ctx: MessageContext) -> None:
    out = renderer.render(ctx)
    for part in (out.subject, out.text, out.html, out.telegram_html):
        assert part.strip()
        assert unicodedata.is_normalized("NFC", part)
        assert "None" not in part and "{{" not in part and "{%" not in part
    assert "\n" not in out.subject and "  " not in out.subject
    assert out.text.startswith("Kính gửi: ")
    assert out.html.startswith("<!DOCTYPE html>") and 'lang="vi"' in out.html
    assert telegram_problems(out.telegram_html) == []
    assert len(out.telegram_html.splitlines()) <= 20


@pytest.mark.parametrize(
    ("kind", "prefix"),
    [
        ("reminder", "[Nhắc hạn] Nhiệm vụ 1 còn 2 ngày làm việc (hạn 09/5/2024): "),
        ("due_today", "[Đến hạn hôm nay] Nhiệm vụ 1, hạn 07/5/2024: "),
        ("overdue", "[Quá hạn] Nhiệm vụ 1 quá hạn 3 ngày làm việc: "),
        (
            "escalation",
            "[Báo cáo Chủ tịch UBND huyện] Nhiệm vụ 1 quá hạn 5 ngày làm việc (lần thứ 2): ",
        ),
        ("report_request", "[Đề nghị báo cáo] Quý II/2024, hạn 09/5/2024: "),
        ("compiled_report", "[Tổng hợp] Kết quả 6 tháng đầu năm 2024 thực hiện Kế hoạch số 24/KH"),
        ("digest", "[Tổng hợp tình hình] Ngày 07/5/2024: 1 nhiệm vụ quá hạn"),
        ("obstacle", "[Vướng mắc] Nhiệm vụ 1: "),
        ("test", "[Thử nghiệm] "),
        ("confirmation", "[Xác nhận] Đã ghi nhận phản hồi về nhiệm vụ 1: "),
        ("followup", "[Đề nghị cập nhật tiến độ] Nhiệm vụ 1, hạn 09/5/2024: "),
        ("catch_up", "[Gửi bù] 2 nội dung cần đồng chí lưu ý"),
    ],
)
def test_subject_names_the_kind(renderer: Renderer, kind: str, prefix: str) -> None:
    assert renderer.render(sample_context(kind)).subject.startswith(prefix)


def test_subject_collapses_newlines_from_the_task_title(renderer: Renderer) -> None:
    out = renderer.render(reminder(task_title="Tham quan,\n  học tập\tkinh nghiệm"))
    assert out.subject == (
        "[Nhắc hạn] Nhiệm vụ 1 còn 2 ngày làm việc (hạn 02/5/2024): Tham quan, học tập kinh nghiệm"
    )


def test_long_title_is_shortened_on_a_word_boundary_to_fit_the_subject(renderer: Renderer) -> None:
    title = (
        "Tham quan, học tập kinh nghiệm về công tác chỉ đạo điều hành trong thực hiện phát "
        "triển đô thị, xây dựng kết cấu hạ tầng, thực hiện các Chương trình mục tiêu quốc gia "
        "tại thị xã Thái Hòa"
    )
    for kind in ("reminder", "overdue", "escalation", "due_today", "followup", "obstacle"):
        ctx = reminder(kind=kind, task_title=title, level_title="Chủ tịch UBND huyện", nth=3)
        subject = renderer.render(ctx).subject
        assert len(subject) <= 120, subject
        assert subject.endswith("…")
        kept = subject.split(": ", 1)[1].removesuffix("…")
        assert title.startswith(kept) and title[len(kept)] in " ,"  # a whole word


def test_deadline_and_days_appear_on_every_channel(renderer: Renderer) -> None:
    out = renderer.render(reminder(kind="overdue", working_days=-3))
    for part in (out.text, out.html, out.telegram_html):
        assert "Thứ Năm, 02/5/2024" in part
        assert "quá hạn 3 ngày làm việc" in part


@pytest.mark.parametrize(
    ("role", "words"),
    [("lead", "chủ trì"), ("coordinating", "phối hợp"), ("monitor", "theo dõi, đôn đốc"),
     ("directing", "chỉ đạo"), ("compiler", "tổng hợp")],
)  # fmt: skip
def test_recipient_role_is_stated(renderer: Renderer, role: str, words: str) -> None:
    out = renderer.render(reminder(role=role))
    assert f"Vai trò của đơn vị: {words}\n" in out.text
    assert f"Vai trò: {words}" in out.telegram_html


def test_acks_are_listed_on_html_too(renderer: Renderer) -> None:
    html = renderer.render(reminder()).html
    assert "<li>Trần Thị Bình (Phòng Tài chính – Kế hoạch) đã nhận lúc 08:15" in html
    assert "đã báo cáo hoàn thành lúc 14:05 Thứ Sáu, 26/4/2024, qua thư điện tử" in html


def test_no_acks_says_nobody_answered(renderer: Renderer) -> None:
    out = renderer.render(reminder(acks=()))
    assert "Chưa có cơ quan, đơn vị nào phản hồi." in out.text
    assert "Chưa có cơ quan, đơn vị nào phản hồi." in out.telegram_html


def test_telegram_shows_the_newest_answers(renderer: Renderer) -> None:
    """Issue 14 §4: the confirmation of a done must show that done, not hide it."""
    base = reminder().acks[0]
    acks = tuple(
        replace(base, person=f"Người {i}", at=datetime(2024, 4, 26, 8 + i, 0, tzinfo=VN_TZ))
        for i in range(4)
    ) + (replace(base, action=AckAction.DONE, person="Lê Văn Cường",
                 at=datetime(2024, 4, 26, 15, 0, tzinfo=VN_TZ)),)  # fmt: skip
    out = renderer.render(reminder(kind="confirmation", acks=acks))
    assert "Lê Văn Cường (Phòng Tài chính – Kế hoạch): đã báo cáo hoàn thành" in out.telegram_html
    assert "Người 0" not in out.telegram_html and "Người 3" in out.telegram_html
    assert "… và 2 phản hồi trước đó" in out.telegram_html


def test_html_escapes_script_in_task_title(renderer: Renderer) -> None:
    out = renderer.render(reminder(task_title='<script>alert("x")</script> & co'))
    assert "<script>" not in out.html
    assert "&lt;script&gt;" in out.html and "&amp; co" in out.html
    assert "<script>" in out.text  # plain text is not HTML: shown as written


def test_telegram_escapes_html_special_characters(renderer: Renderer) -> None:
    out = renderer.render(
        reminder(task_title="Thu chi < 5 tỷ & > 2 tỷ", lead_agencies="A & B", acks=())
    )
    assert "Thu chi &lt; 5 tỷ &amp; &gt; 2 tỷ" in out.telegram_html
    assert telegram_problems(out.telegram_html) == []


def test_html_links_are_escaped_in_attributes(renderer: Renderer) -> None:
    out = renderer.render(reminder(links={"done": "https://x.vn/a?t=1&k=2"}))
    assert 'href="https://x.vn/a?t=1&amp;k=2"' in out.html
    assert ">Đã hoàn thành</a>" in out.html and "Đã nhận</a>" not in out.html


def test_without_links_email_points_to_telegram(renderer: Renderer) -> None:
    out = renderer.render(reminder(links={}))
    assert "https://" not in out.text
    assert "bằng các nút trên Telegram hoặc liên hệ Văn phòng HĐND và UBND huyện Ba Tơ" in out.text


def test_copy_is_marked_for_information_and_asks_no_answer(renderer: Renderer) -> None:
    ctx = reminder(copy=True)
    out = renderer.render(ctx)
    assert not expects_answer(ctx) and expects_answer(reminder())
    assert "(Gửi để biết)" in out.text and "Thông báo gửi đồng chí để biết." in out.text
    assert "https://tb.example.vn" not in out.text
    assert "nút bên dưới" not in out.telegram_html


def test_late_news_says_why_truthfully(renderer: Renderer) -> None:
    down = datetime(2024, 5, 2, 17, 5, tzinfo=VN_TZ)
    out = renderer.render(
        reminder(
            kind="overdue",
            working_days=-1,
            late_news=True,
            late_reason=LateReason.SERVICE_DOWN,
            late_since=down,
        )
    )
    sentence = (
        "Thông báo này được gửi muộn do hệ thống tạm ngừng hoạt động từ 17:05 Thứ Năm, "
        "02/5/2024; nội dung này thay cho các thông báo nhắc hạn và đến hạn trước đó chưa gửi được."
    )
    assert sentence in out.text and sentence in out.telegram_html
    imported = datetime(2026, 12, 1, 9, 0, tzinfo=VN_TZ)
    out = renderer.render(
        reminder(
            kind="overdue",
            working_days=-650,
            late_news=True,
            late_reason=LateReason.IMPORTED_LATE,
            late_since=imported,
        )
    )
    assert "tạm ngừng" not in out.text
    assert "kế hoạch được đưa vào theo dõi lúc 09:00 Thứ Ba, 01/12/2026" in out.text
    assert "quá hạn từ 02/5/2024" in out.text and "650" not in out.subject
    window = renderer.render(
        reminder(
            late_reason=LateReason.SEND_WINDOW,
            late_since=datetime(2024, 4, 26, 17, 30, tzinfo=VN_TZ),
        )
    )
    assert "chuyển sang giờ làm việc đầu tiên sau thời điểm dự kiến (17:30" in window.text
    assert "gửi muộn" not in renderer.render(reminder()).text


def test_escalation_names_who_it_reports_to_and_the_repeat(renderer: Renderer) -> None:
    ctx = reminder(kind="escalation", role="directing", level=2, working_days=-6,
                   level_title="Chủ tịch UBND huyện", nth=3,
                   note="Đã gọi điện nhưng chưa có kết quả", reporter="Văn phòng")  # fmt: skip
    out = renderer.render(ctx)
    assert out.subject.startswith(
        "[Báo cáo Chủ tịch UBND huyện] Nhiệm vụ 1 quá hạn 6 ngày làm việc (lần thứ 3): "
    )
    first = renderer.render(replace(ctx, nth=1))
    assert "lần" not in first.subject
    assert "Ý kiến kèm theo của Văn phòng: Đã gọi điện nhưng chưa có kết quả" in out.text
    assert "Kính đề nghị đồng chí xem xét, chỉ đạo cơ quan chủ trì khẩn trương" in out.text


def test_obstacle_carries_reason_and_reporter(renderer: Renderer) -> None:
    ctx = reminder(kind="obstacle", role="compiler", note="Thiếu kinh phí", reporter="Lê Văn Cường")
    out = renderer.render(ctx)
    assert "chuyển đồng chí báo cáo khó khăn, vướng mắc của Lê Văn Cường" in out.text
    assert "Nội dung vướng mắc: Thiếu kinh phí" in out.text
    assert "Đề nghị đồng chí tổng hợp, tham mưu xử lý." in out.text


def test_digest_lists_four_official_buckets_in_order(renderer: Renderer) -> None:
    ctx = sample_context("digest")
    ctx = replace(ctx, counts=((OFFICIAL_BUCKETS[3], 2), (OFFICIAL_BUCKETS[0], 5)))
    out = renderer.render(ctx)
    positions = [out.text.index(f"- {label}: ") for label in OFFICIAL_BUCKETS]
    assert positions == sorted(positions)
    assert "- Chưa hoàn thành, quá hạn: 2\n" in out.text
    assert "- Đã hoàn thành quá hạn: 0\n" in out.text
    assert "Tình hình thực hiện (7 nhiệm vụ):" in out.text
    assert "Tỷ lệ chưa hoàn thành, quá hạn: 28,6%" in out.text
    for label in OFFICIAL_BUCKETS:
        assert label in out.html and label in out.telegram_html


def test_digest_lists_overdue_and_due_soon_tasks(renderer: Renderer) -> None:
    out = renderer.render(sample_context("digest"))
    overdue = out.text.split("Nhiệm vụ chưa hoàn thành, quá hạn (1):\n")[1]
    assert overdue.startswith("1. Tham quan, học tập kinh nghiệm tại thị xã Thái Hòa")
    assert "hạn Thứ Năm, 02/5/2024, quá hạn 3 ngày làm việc; đã báo cáo cấp 1" in overdue
    assert "Nhiệm vụ đến hạn trong 5 ngày làm việc tới (1):" in out.text
    assert "Chia sẻ thông tin, kinh nghiệm phát triển kinh tế - xã hội" in out.telegram_html


def test_telegram_digest_stays_short_with_many_tasks(renderer: Renderer) -> None:
    line = TaskLine("24/KH-UBND", "1", "Nhiệm vụ " + "rất dài " * 40, "Phòng Kinh tế",
                    date(2024, 5, 2), -3)  # fmt: skip
    ctx = replace(sample_context("digest"), overdue=(line,) * 200, due_soon=(line,) * 200)
    out = renderer.render(ctx)
    assert len(out.telegram_html) < 4096
    assert "… và 190 nhiệm vụ khác" in out.telegram_html


@pytest.mark.parametrize(
    ("number", "when", "title", "expected"),
    [
        ("24/KH-UBND", "05/4/2024", "Triển khai thực hiện Bản Ghi nhớ",
         "Kế hoạch số 24/KH-UBND ngày 05/4/2024 về triển khai thực hiện Bản Ghi nhớ"),
        ("/KH-UBND", "tháng 4/2024", "", "Kế hoạch (chưa có số) tháng 4/2024"),
        ("", "", "Về việc tổ chức Tết", "Kế hoạch (chưa có số) về việc tổ chức Tết"),
        ("12/KH-UBND", "", "Ba Tơ – Thái Hòa kết nghĩa",
         "Kế hoạch số 12/KH-UBND về Ba Tơ – Thái Hòa kết nghĩa"),
    ],
)  # fmt: skip
def test_plan_reference(number: str, when: str, title: str, expected: str) -> None:
    assert plan_reference(number, when, title) == expected


def test_unknown_kind_or_role_is_refused(renderer: Renderer) -> None:
    with pytest.raises(ValueError):
        renderer.render(reminder(kind="birthday"))
    with pytest.raises(ValueError):
        renderer.render(reminder(role="boss"))


def test_package_templates_pass_check(renderer: Renderer) -> None:
    assert renderer.check() == []
    assert not renderer.sandboxed


def test_override_dir_replaces_one_template(tmp_path: Path) -> None:
    (tmp_path / "reminder.subject.j2").write_text(
        "[Nhắc việc] {{ ctx.task_title }} – hạn {{ deadline_text }}", encoding="utf-8"
    )
    custom = Renderer(tmp_path)
    out = custom.render(reminder())
    assert custom.sandboxed
    assert out.subject == (
        "[Nhắc việc] Tham quan, học tập kinh nghiệm tại thị xã Thái Hòa – hạn Thứ Năm, 02/5/2024"
    )
    assert out.text == GOLDEN_REMINDER_TEXT  # the other parts are untouched
    assert custom.check() == []


def test_override_with_unknown_variable_raises_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "reminder.text.j2").write_text("Kính gửi {{ nguoi_nhan }}", encoding="utf-8")
    custom = Renderer(tmp_path)
    with pytest.raises(ConfigError) as excinfo:
        custom.render(reminder())
    assert isinstance(excinfo.value.__cause__, jinja2.UndefinedError)
    assert "reminder.text.j2" in str(excinfo.value) and "nguoi_nhan" in str(excinfo.value)
    problems = custom.check()
    assert problems and all("reminder.text.j2" in p for p in problems)


def test_sandbox_blocks_python_internals(tmp_path: Path) -> None:
    (tmp_path / "reminder.telegram.j2").write_text("{{ ''.__class__ }}", encoding="utf-8")
    with pytest.raises(ConfigError) as excinfo:
        Renderer(tmp_path).render(reminder())
    assert isinstance(excinfo.value.__cause__, jinja2.exceptions.SecurityError)


def test_sandbox_blocks_reaching_globals_through_the_context(tmp_path: Path) -> None:
    (tmp_path / "reminder.text.j2").write_text("{{ ctx.__init__.__globals__ }}", encoding="utf-8")
    with pytest.raises(ConfigError):
        Renderer(tmp_path).render(reminder())


def test_check_reports_misnamed_override_files(tmp_path: Path) -> None:
    (tmp_path / "reminder.txt.j2").write_text("x", encoding="utf-8")
    problems = Renderer(tmp_path).check()
    assert len(problems) == 1 and "reminder.txt.j2" in problems[0]


def test_check_reports_tags_telegram_refuses(tmp_path: Path) -> None:
    (tmp_path / "test.telegram.j2").write_text("<p>Thử nghiệm</p>", encoding="utf-8")
    problems = Renderer(tmp_path).check()
    assert any("test.telegram.j2" in p and "<p>" in p for p in problems)


def test_missing_override_dir_means_no_overrides(tmp_path: Path) -> None:
    custom = Renderer(tmp_path / "absent")
    assert not custom.sandboxed
    assert custom.render(reminder()).text == GOLDEN_REMINDER_TEXT


def test_override_path_that_is_a_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "templates"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError):
        Renderer(path)
