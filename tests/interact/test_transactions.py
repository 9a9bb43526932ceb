"""One answer, one transaction: counted as commits on the engine, whichever way it arrives.

"Báo vướng mắc" on Telegram is two updates (the press, then the reason): one commit each,
the service call and the chat state together. The same answer by an email link, or
by the office at the command line, is one commit.
"""

# ruff: noqa: F811  (pytest fixtures imported from another module are parameters here)
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event
from sqlmodel import Session, select

from notifier import services
from notifier.interact.bot import handle_update
from notifier.signing import callback_data
from notifier.store.models import Acknowledgement, ChatSession
from notifier.vocab import AckAction, Via
from tests.interact.test_bot_world import (
    MINH_CHAT,
    BotWorld,
    bot_api,  # noqa: F401  (fixture)
    bot_world,  # noqa: F401  (fixture)
    message_json,
)


@contextmanager
def commits(engine: Engine) -> Iterator[list[int]]:
    counted: list[int] = []

    def count(_conn: object) -> None:
        counted.append(1)

    event.listen(engine, "commit", count)
    try:
        yield counted
    finally:
        event.remove(engine, "commit", count)


def _press(world: BotWorld, data: str) -> dict[str, object]:
    _, message = world.sent_reminder(MINH_CHAT)
    return {
        "update_id": 1,
        "callback_query": {
            "id": "cb-1",
            "from": {"id": MINH_CHAT, "is_bot": False, "first_name": "Minh"},
            "chat_instance": "1",
            "message": message_json(message, MINH_CHAT),
            "data": data,
        },
    }


def _text(text: str) -> dict[str, object]:
    chat = {"id": MINH_CHAT, "type": "private"}
    return {"update_id": 2, "message": {"message_id": 9, "date": 0, "chat": chat, "text": text}}


async def test_blocked_on_telegram_is_one_commit_per_update(bot_world: BotWorld) -> None:
    row, _ = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    press = _press(bot_world, callback_data(bot_world.ctx.key, row.id, AckAction.BLOCKED))
    with commits(bot_world.engine) as pressed:
        handle_update(bot_world.ctx, press)
    with commits(bot_world.engine) as answered:
        replies = handle_update(bot_world.ctx, _text("Chưa bố trí được xe"))
    assert (len(pressed), len(answered)) == (1, 1)
    assert any("Đã ghi nhận vướng mắc" in getattr(r, "html", "") for r in replies)
    with Session(bot_world.engine) as session:
        assert session.exec(select(ChatSession)).all() == []
        [ack] = session.exec(select(Acknowledgement)).all()
    assert (ack.action, ack.note) == (AckAction.BLOCKED, "Chưa bố trí được xe")


async def test_a_refused_press_commits_nothing(bot_world: BotWorld) -> None:
    row, _ = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None
    forged = _press(bot_world, callback_data(b"another-installation", row.id, AckAction.BLOCKED))
    with commits(bot_world.engine) as counted:
        handle_update(bot_world.ctx, forged)
    assert counted == []


async def test_blocked_by_link_or_by_the_office_is_one_commit(bot_world: BotWorld) -> None:
    row, _ = bot_world.sent_reminder(MINH_CHAT)
    assert row.id is not None and row.deadline_id is not None
    with commits(bot_world.engine) as by_link:
        services.report_obstacle(
            bot_world.runtime, notification_id=row.id, person_id=row.person_id,
            via=Via.EMAIL, reason="Thiếu kinh phí",
        )  # fmt: skip
    with commits(bot_world.engine) as by_office:
        services.escalate_now(
            bot_world.runtime, deadline_id=row.deadline_id, note="Đề nghị chỉ đạo", by="VP"
        )
    assert (len(by_link), len(by_office)) == (1, 1)
