"""The bot end to end: button presses and replies pushed into the fake Bot API, read by
the long-polling loop with python-telegram-bot, recorded through the services."""

# ruff: noqa: F811  (pytest fixtures imported from another module are parameters here)
from __future__ import annotations

from sqlmodel import Session, select

from notifier.interact.telegram_io import poll_once
from notifier.signing import callback_data
from notifier.store.models import ChatSession, Deadline, Notification
from notifier.vocab import RECIPIENT_ANSWERS, AckAction, DeadlineStatus
from tests.interact.test_bot_world import (
    MINH_CHAT,
    STRANGER_CHAT,
    THU_CHAT,
    BotWorld,
    bot_api,  # noqa: F401  (fixture)
    bot_world,  # noqa: F401  (fixture)
    press,
    say,
)

STAMP_TIME = "08:30 25/4/2024"


async def poll(world: BotWorld) -> int:
    return await poll_once(world.ctx, world.bot, timeout=0)


async def test_received_is_logged_answered_and_shown_with_the_keyboard_kept(
    bot_world: BotWorld,
) -> None:
    row, message = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    press(bot_world.fake, MINH_CHAT, message, callback_data(bot_world.ctx.key, row.id, "received"))
    assert await poll(bot_world) == 1

    [ack] = bot_world.acks()
    assert (ack.action, ack.via, ack.notification_id) == ("received", "telegram", row.id)
    assert ack.person_id == bot_world.person_id("vp.chanh")
    [answer] = bot_world.fake.answered_callbacks
    assert "đã nhận" in answer["text"]
    [edit] = bot_world.fake.calls("editMessageText")
    assert edit.params["message_id"] == message.message_id
    assert message.edits, "the message shown in the chat was edited"
    assert message.text.startswith("<b>Nhắc hạn: còn 2 ngày làm việc</b>")
    assert message.text.endswith(f"✅ Đã ghi nhận: Đã nhận — Trần Văn Minh, {STAMP_TIME}")
    rows = message.reply_markup["inline_keyboard"]  # type: ignore[index]
    labels = [[b["text"] for b in row] for row in rows]  # two to a row, for a phone
    assert labels == [["Đã nhận", "Đã hoàn thành"], ["Báo vướng mắc", "Xin gia hạn"]]
    assert "Chưa có cơ quan, đơn vị nào phản hồi." not in message.text
    assert "Trần Văn Minh (Văn phòng HĐND và UBND huyện Ba Tơ): đã nhận" in message.text


async def test_done_twice_says_the_task_reference_as_written(bot_world: BotWorld) -> None:
    """Issue 14 §4: "Nhiệm vụ II.1", not "Nhiệm vụ ii.1" (str.capitalize)."""
    row, message = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    data = callback_data(bot_world.ctx.key, row.id, AckAction.DONE)
    press(bot_world.fake, MINH_CHAT, message, data)
    press(bot_world.fake, MINH_CHAT, message, data)
    await poll(bot_world)
    again = bot_world.fake.answered_callbacks[-1]["text"]
    assert again.startswith("Nhiệm vụ II.1 (Tháng 4/2024) đã được báo cáo hoàn thành")


async def test_done_closes_the_deadline_and_removes_the_keyboard(bot_world: BotWorld) -> None:
    row, message = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    press(
        bot_world.fake, MINH_CHAT, message, callback_data(bot_world.ctx.key, row.id, AckAction.DONE)
    )
    await poll(bot_world)

    [ack] = bot_world.acks()
    assert (ack.action, ack.via) == ("done", "telegram")
    with Session(bot_world.engine) as session:
        deadline = session.get(Deadline, row.deadline_id)
        assert deadline is not None and deadline.status == DeadlineStatus.DONE
        assert deadline.completed_by == "vp.chanh"
    assert len(bot_world.fake.answered_callbacks) == 1
    assert message.text.endswith(f"✅ Đã ghi nhận: Đã hoàn thành — Trần Văn Minh, {STAMP_TIME}")
    assert message.reply_markup is None


async def test_blocked_asks_for_the_reason_and_records_the_reply(bot_world: BotWorld) -> None:
    row, message = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    data = callback_data(bot_world.ctx.key, row.id, AckAction.BLOCKED)
    press(bot_world.fake, MINH_CHAT, message, data)
    await poll(bot_world)

    assert bot_world.acks() == [], "nothing is recorded before the reason arrives"
    [answer] = bot_world.fake.answered_callbacks
    assert "lý do" in answer["text"]
    prompt = bot_world.fake.sent(MINH_CHAT)[-1]
    assert "lý do vướng mắc" in prompt.text and "Tham quan" in prompt.text
    with Session(bot_world.engine) as session:
        state = session.get(ChatSession, ("telegram", str(MINH_CHAT)))
        assert state is not None and (state.awaiting, state.notification_id) == ("reason", row.id)

    say(bot_world.fake, MINH_CHAT, "Chưa bố trí được xe đi Thái Hòa")
    await poll(bot_world)

    [ack] = bot_world.acks()
    assert (ack.action, ack.note, ack.via) == (
        "blocked",
        "Chưa bố trí được xe đi Thái Hòa",
        "telegram",
    )
    with Session(bot_world.engine) as session:
        assert session.get(ChatSession, ("telegram", str(MINH_CHAT))) is None
        obstacle = session.exec(select(Notification).where(Notification.kind == "obstacle")).all()
        assert obstacle, "the obstacle goes out along the plan's route"
    assert "Đã ghi nhận vướng mắc" in bot_world.fake.sent(MINH_CHAT)[-1].text
    assert "✅ Đã ghi nhận: Báo vướng mắc — Trần Văn Minh" in message.text
    assert message.text.endswith("Lý do: Chưa bố trí được xe đi Thái Hòa")
    # issue 14 §4: the person can still press "Đã hoàn thành" once the obstacle is cleared,
    # and the message no longer says that nobody answered
    buttons = [b for row in message.reply_markup["inline_keyboard"] for b in row]  # type: ignore[index]
    labels = [b["text"] for b in buttons]
    assert labels == ["Đã nhận", "Đã hoàn thành", "Báo vướng mắc", "Xin gia hạn"]
    assert "Chưa có cơ quan, đơn vị nào phản hồi." not in message.text
    assert "Trần Văn Minh (Văn phòng HĐND và UBND huyện Ba Tơ): đã báo vướng mắc" in message.text
    done = buttons[1]["callback_data"]
    press(bot_world.fake, MINH_CHAT, message, done)
    await poll(bot_world)
    assert [a.action for a in bot_world.acks()] == ["blocked", "done"]


async def test_a_reply_after_the_hour_is_not_taken_as_the_reason(bot_world: BotWorld) -> None:
    from datetime import timedelta

    row, message = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    press(bot_world.fake, MINH_CHAT, message, callback_data(bot_world.ctx.key, row.id, "blocked"))
    await poll(bot_world)
    bot_world.clock.advance(timedelta(hours=1, minutes=1))
    say(bot_world.fake, MINH_CHAT, "lý do muộn")
    await poll(bot_world)
    assert bot_world.acks() == []
    assert "quá 1 giờ" in bot_world.fake.sent(MINH_CHAT)[-1].text


async def _refused(world: BotWorld, chat: int, data: str) -> None:
    _, message = world.sent_reminder(MINH_CHAT)
    before = world.snapshot()
    press(world.fake, chat, message, data)
    await poll(world)
    assert world.snapshot() == before, "a refusal changes nothing"
    [answer] = world.fake.answered_callbacks
    assert answer["text"], "the press is still answered, with the reason"
    assert world.fake.calls("editMessageText") == []


async def test_unknown_chat_is_refused_and_answered(bot_world: BotWorld) -> None:
    row, _ = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    await _refused(bot_world, STRANGER_CHAT, callback_data(bot_world.ctx.key, row.id, "done"))
    assert "chưa được liên kết" in bot_world.fake.answered_callbacks[0]["text"]


async def test_another_agency_is_refused_and_answered(bot_world: BotWorld) -> None:
    row, _ = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    await _refused(bot_world, THU_CHAT, callback_data(bot_world.ctx.key, row.id, "done"))
    assert "không thuộc cơ quan chủ trì" in bot_world.fake.answered_callbacks[0]["text"]


async def test_another_agency_cannot_start_an_obstacle_report(bot_world: BotWorld) -> None:
    row, _ = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    await _refused(bot_world, THU_CHAT, callback_data(bot_world.ctx.key, row.id, "blocked"))


async def test_forged_callback_data_is_refused_and_answered(bot_world: BotWorld) -> None:
    row, _ = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    genuine = callback_data(bot_world.ctx.key, row.id, AckAction.RECEIVED)
    other_id = genuine.replace(f":{row.id}:", f":{row.id + 1}:")  # signature of another id
    await _refused(bot_world, MINH_CHAT, other_id)
    assert "chữ ký" in bot_world.fake.answered_callbacks[0]["text"]


async def test_data_signed_with_another_key_is_refused(bot_world: BotWorld) -> None:
    row, _ = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    await _refused(bot_world, MINH_CHAT, callback_data(b"another-installation", row.id, "done"))


async def test_garbage_callback_data_is_refused(bot_world: BotWorld) -> None:
    await _refused(bot_world, MINH_CHAT, "ack:n7")


async def test_a_press_on_a_closed_deadline_is_stale_and_changes_nothing(
    bot_world: BotWorld,
) -> None:
    row, message = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    press(bot_world.fake, MINH_CHAT, message, callback_data(bot_world.ctx.key, row.id, "done"))
    await poll(bot_world)
    edits = len(bot_world.fake.calls("editMessageText"))
    before = bot_world.snapshot()
    for action in RECIPIENT_ANSWERS:
        press(bot_world.fake, MINH_CHAT, message, callback_data(bot_world.ctx.key, row.id, action))
    await poll(bot_world)
    assert bot_world.snapshot() == before
    assert len(bot_world.fake.answered_callbacks) == 1 + len(RECIPIENT_ANSWERS)
    assert all("hoàn thành" in a["text"] for a in bot_world.fake.answered_callbacks[1:3])
    assert "đã kết thúc" in bot_world.fake.answered_callbacks[3]["text"]  # blocked
    assert "đã kết thúc" in bot_world.fake.answered_callbacks[4]["text"]  # extension
    assert len(bot_world.fake.calls("editMessageText")) == edits


async def test_a_colleague_of_the_lead_agency_may_answer_a_message(bot_world: BotWorld) -> None:
    """Tâm (same agency as Minh) answers his own copy; the ack names Tâm."""
    from tests.interact.test_bot_world import TAM_CHAT

    row, message = bot_world.sent_reminder(TAM_CHAT)
    assert row.id is not None
    press(bot_world.fake, TAM_CHAT, message, callback_data(bot_world.ctx.key, row.id, "received"))
    await poll(bot_world)
    [ack] = bot_world.acks()
    assert ack.person_id == bot_world.person_id("vp.theo-doi")
    assert "Hồ Văn Tâm" in message.text


async def test_viec_lists_the_open_tasks_the_agency_leads(bot_world: BotWorld) -> None:
    say(bot_world.fake, MINH_CHAT, "/viec")
    await poll(bot_world)
    text = bot_world.fake.sent(MINH_CHAT)[-1].text
    assert "Văn phòng HĐND và UBND huyện Ba Tơ" in text
    assert "<b>II.1</b>" in text
    assert "Hạn: Thứ Năm, 02/5/2024 — còn 2 ngày làm việc" in text
    assert "Hạn: Thứ Hai, 17/6/2024" in text and "báo cáo kỳ 6 tháng đầu năm 2024" in text
    assert text.index("02/5/2024") < text.index("17/6/2024"), "soonest first"


async def test_viec_shows_overdue_and_drops_done_tasks(bot_world: BotWorld) -> None:
    from tests.interact.test_bot_world import vn

    bot_world.clock.set(vn("2024-05-06", "09:00"))
    say(bot_world.fake, MINH_CHAT, "/viec")
    await poll(bot_world)
    # 03/5, Saturday 04/5 (made up for the 29/4 holiday) and 06/5
    assert "quá hạn 3 ngày làm việc" in bot_world.fake.sent(MINH_CHAT)[-1].text
    row, message = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    press(bot_world.fake, MINH_CHAT, message, callback_data(bot_world.ctx.key, row.id, "done"))
    say(bot_world.fake, MINH_CHAT, "/viec")
    await poll(bot_world)
    assert "II.1</b>" not in bot_world.fake.sent(MINH_CHAT)[-1].text


async def test_viec_for_an_agency_that_leads_nothing_and_for_an_unknown_chat(
    bot_world: BotWorld,
) -> None:
    say(bot_world.fake, THU_CHAT, "/viec")
    say(bot_world.fake, STRANGER_CHAT, "/viec@notifier_test_bot")
    await poll(bot_world)
    assert "Không có việc nào đang mở" in bot_world.fake.sent(THU_CHAT)[-1].text
    assert "chưa được liên kết" in bot_world.fake.sent(STRANGER_CHAT)[-1].text


async def test_help_and_plain_text_explain_the_commands(bot_world: BotWorld) -> None:
    say(bot_world.fake, STRANGER_CHAT, "/help")
    say(bot_world.fake, STRANGER_CHAT, "xin chào")
    await poll(bot_world)
    help_text, hint = bot_world.fake.sent(STRANGER_CHAT)[-2:]
    assert "/viec" in help_text.text and "/start MÃ" in help_text.text
    assert "/viec" in hint.text


async def test_the_press_remembers_the_message_for_the_reason_edit(
    bot_world: BotWorld,
) -> None:
    row, message = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    press(bot_world.fake, MINH_CHAT, message, callback_data(bot_world.ctx.key, row.id, "blocked"))
    await poll(bot_world)
    with Session(bot_world.engine) as session:
        [state] = session.exec(select(ChatSession)).all()
    assert state.message_id == str(message.message_id)
    assert state.message_html.startswith("<b>Nhắc hạn: còn 2 ngày làm việc</b>")


async def test_extension_asks_the_date_then_the_reason_and_records_the_request(
    bot_world: BotWorld,
) -> None:
    from datetime import date

    from notifier.store.models import ExtensionRequest

    row, message = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    data = callback_data(bot_world.ctx.key, row.id, AckAction.EXTENSION_REQUESTED)
    press(bot_world.fake, MINH_CHAT, message, data)
    await poll(bot_world)
    assert bot_world.acks() == [], "nothing is recorded before date and reason arrive"
    assert "ngày đề nghị gia hạn" in bot_world.fake.sent(MINH_CHAT)[-1].text
    say(bot_world.fake, MINH_CHAT, "ngày mai")  # not a date: asked again, nothing changes
    await poll(bot_world)
    assert "Ngày chưa đúng" in bot_world.fake.sent(MINH_CHAT)[-1].text
    say(bot_world.fake, MINH_CHAT, "01/5/2024")  # before the deadline: refused, asked again
    await poll(bot_world)
    assert "phải sau hạn hiện tại" in bot_world.fake.sent(MINH_CHAT)[-1].text
    say(bot_world.fake, MINH_CHAT, "20/5/2024")
    await poll(bot_world)
    assert "lý do đề nghị gia hạn" in bot_world.fake.sent(MINH_CHAT)[-1].text
    with Session(bot_world.engine) as session:
        state = session.get(ChatSession, ("telegram", str(MINH_CHAT)))
        assert state is not None and state.proposed_date == date(2024, 5, 20)
    say(bot_world.fake, MINH_CHAT, "Chờ lịch làm việc của đoàn")
    await poll(bot_world)
    [ack] = bot_world.acks()
    assert (ack.action, ack.via) == ("extension_requested", "telegram")
    with Session(bot_world.engine) as session:
        [request] = session.exec(select(ExtensionRequest)).all()
        assert session.get(ChatSession, ("telegram", str(MINH_CHAT))) is None
    assert (request.proposed_date, request.reason) == (
        date(2024, 5, 20), "Chờ lịch làm việc của đoàn",
    )  # fmt: skip
    assert "Đã ghi nhận đề nghị gia hạn" in bot_world.fake.sent(MINH_CHAT)[-1].text
    assert "✅ Đã ghi nhận: Xin gia hạn — Trần Văn Minh" in message.text
