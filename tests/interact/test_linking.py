"""Invite codes: `notifier contact invite`, then `/start CODE` in the bot links the chat."""

# ruff: noqa: F811  (pytest fixtures imported from another module are parameters here)
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from notifier.interact.linking import hash_code, issue_code, normalise_code, redeem_code
from notifier.interact.telegram_io import poll_once
from notifier.signing import callback_data
from notifier.store.models import Event, LinkCode, Person
from tests.interact.test_bot_world import (
    STRANGER_CHAT,
    BotWorld,
    bot_api,  # noqa: F401  (fixture)
    bot_world,  # noqa: F401  (fixture)
    press,
    say,
)


def invite(world: BotWorld, key: str, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert world.cli("contact", "invite", key, "--channel", "telegram") == 0
    out = capsys.readouterr().out
    match = re.search(r"/start ([A-Z0-9]{10})", out)
    assert match, out
    return match.group(1)


def person(world: BotWorld, key: str) -> Person:
    with Session(world.engine) as session:
        return session.exec(select(Person).where(Person.key == key)).one()


async def test_invite_prints_the_code_and_stores_only_its_hash(
    bot_world: BotWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert bot_world.cli("contact", "invite", "vp.pho-chanh", "--channel", "telegram") == 0
    out = capsys.readouterr().out
    code = re.search(r"/start ([A-Z0-9]{10})", out)
    assert code is not None
    assert "Nguyễn Thị Lan" in out and "02/5/2024" in out, "expiry 7 days later, 25/4 + 7"
    assert "Telegram chưa có trong các kênh" in out, "her channels are [email] only"
    with Session(bot_world.engine) as session:
        [row] = session.exec(select(LinkCode)).all()
        assert row.code_hash == hash_code(code.group(1)) and code.group(1) not in row.code_hash
        assert row.expires_at - row.created_at == timedelta(days=7) and row.used_at is None


async def test_invite_of_an_unknown_person_fails_with_a_hint(
    bot_world: BotWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bot_world.cli("contact", "invite", "vp.pho-chan") == 1
    assert "vp.pho-chanh" in capsys.readouterr().err


async def test_start_code_links_the_chat_and_the_linked_chat_can_answer(
    bot_world: BotWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code = invite(bot_world, "vp.pho-chanh", capsys)
    with Session(bot_world.engine) as session:
        lan = session.exec(select(Person).where(Person.key == "vp.pho-chanh")).one()
        lan.telegram_unusable = "bot was blocked by the user"
        session.add(lan)
        session.commit()
    say(bot_world.fake, STRANGER_CHAT, f"/start {code.lower()}")
    await poll_once(bot_world.ctx, bot_world.bot, timeout=0)

    lan = person(bot_world, "vp.pho-chanh")
    assert lan.telegram_chat_id == STRANGER_CHAT and lan.telegram_unusable is None
    reply = bot_world.fake.sent(STRANGER_CHAT)[-1].text
    assert "Đã liên kết Telegram với <b>Nguyễn Thị Lan</b>" in reply
    with Session(bot_world.engine) as session:
        [row] = session.exec(select(LinkCode)).all()
        assert row.used_at is not None
        [event] = session.exec(select(Event).where(Event.kind == "telegram.link")).all()
        assert event.person_id == lan.id and event.data["chat_id"] == str(STRANGER_CHAT)

    # Lan works in the lead agency: she may now answer Minh's reminder from her chat.
    from tests.interact.test_bot_world import MINH_CHAT

    row_, message = bot_world.sent_reminder(MINH_CHAT)
    assert row_.id is not None
    press(bot_world.fake, STRANGER_CHAT, message, callback_data(bot_world.ctx.key, row_.id, "done"))
    await poll_once(bot_world.ctx, bot_world.bot, timeout=0)
    [ack] = bot_world.acks()
    assert (ack.action, ack.person_id) == ("done", lan.id)


async def test_a_used_code_is_refused(
    bot_world: BotWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code = invite(bot_world, "vp.pho-chanh", capsys)
    say(bot_world.fake, STRANGER_CHAT, f"/start {code}")
    await poll_once(bot_world.ctx, bot_world.bot, timeout=0)
    before = bot_world.snapshot()
    say(bot_world.fake, STRANGER_CHAT + 1, f"/start {code}")
    await poll_once(bot_world.ctx, bot_world.bot, timeout=0)
    assert bot_world.snapshot() == before
    assert "đã được dùng" in bot_world.fake.sent(STRANGER_CHAT + 1)[-1].text
    assert person(bot_world, "vp.pho-chanh").telegram_chat_id == STRANGER_CHAT


async def test_an_expired_code_is_refused(
    bot_world: BotWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code = invite(bot_world, "vp.pho-chanh", capsys)
    bot_world.clock.advance(timedelta(days=7))
    before = bot_world.snapshot()
    say(bot_world.fake, STRANGER_CHAT, f"/start {code}")
    await poll_once(bot_world.ctx, bot_world.bot, timeout=0)
    assert bot_world.snapshot() == before
    assert "hết hạn" in bot_world.fake.sent(STRANGER_CHAT)[-1].text
    assert person(bot_world, "vp.pho-chanh").telegram_chat_id is None


async def test_a_wrong_code_is_refused_and_start_alone_explains(bot_world: BotWorld) -> None:
    before = bot_world.snapshot()
    say(bot_world.fake, STRANGER_CHAT, "/start ABCDEFGHJK")
    say(bot_world.fake, STRANGER_CHAT, "/start")
    await poll_once(bot_world.ctx, bot_world.bot, timeout=0)
    assert bot_world.snapshot() == before
    wrong, alone = bot_world.fake.sent(STRANGER_CHAT)[-2:]
    assert "không đúng" in wrong.text
    assert "chưa được liên kết" in alone.text and "/start MÃ" in alone.text


async def test_start_alone_greets_a_linked_chat(bot_world: BotWorld) -> None:
    from tests.interact.test_bot_world import MINH_CHAT

    say(bot_world.fake, MINH_CHAT, "/start")
    await poll_once(bot_world.ctx, bot_world.bot, timeout=0)
    assert "Xin chào Trần Văn Minh" in bot_world.fake.sent(MINH_CHAT)[-1].text


async def test_codes_read_aloud_are_forgiving_about_case_and_separators(
    bot_world: BotWorld,
) -> None:
    with Session(bot_world.engine) as session:
        lan = session.exec(select(Person).where(Person.key == "vp.pho-chanh")).one()
        code, _ = issue_code(session, lan, bot_world.clock.now())
        session.commit()
    assert normalise_code(f" {code[:5].lower()}-{code[5:]} ") == code
    with Session(bot_world.engine) as session:
        linked = redeem_code(
            session, f"{code[:5]} {code[5:]}", "telegram", "42", bot_world.clock.now()
        )
        assert linked.key == "vp.pho-chanh"


async def test_a_code_of_a_disabled_person_is_refused(
    bot_world: BotWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code = invite(bot_world, "vp.pho-chanh", capsys)
    assert bot_world.cli("contact", "disable", "vp.pho-chanh") == 0
    say(bot_world.fake, STRANGER_CHAT, f"/start {code}")
    await poll_once(bot_world.ctx, bot_world.bot, timeout=0)
    assert "không còn trong danh bạ" in bot_world.fake.sent(STRANGER_CHAT)[-1].text
    assert person(bot_world, "vp.pho-chanh").telegram_chat_id is None


def attempts(world: BotWorld) -> list[tuple[str, str]]:
    from notifier.store.models import LinkAttempt

    with Session(world.engine) as session:
        rows = session.exec(select(LinkAttempt).order_by(LinkAttempt.id)).all()  # type: ignore[arg-type]
        return [(r.chat_id, r.outcome) for r in rows]


async def test_five_wrong_codes_lock_that_chat_for_an_hour(
    bot_world: BotWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code = invite(bot_world, "vp.pho-chanh", capsys)
    for guess in ("AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC", "DDDDDDDDDD", "EEEEEEEEEE"):
        say(bot_world.fake, STRANGER_CHAT, f"/start {guess}")
    say(bot_world.fake, STRANGER_CHAT, f"/start {code}")  # the right code, too late
    await poll_once(bot_world.ctx, bot_world.bot, timeout=0)
    assert "quá nhiều lần" in bot_world.fake.sent(STRANGER_CHAT)[-1].text
    assert person(bot_world, "vp.pho-chanh").telegram_chat_id is None
    assert [o for _, o in attempts(bot_world)] == ["wrong"] * 5 + ["limited"]

    say(bot_world.fake, STRANGER_CHAT + 1, "/start FFFFFFFFFF")  # another chat is not locked
    await poll_once(bot_world.ctx, bot_world.bot, timeout=0)
    assert "không đúng" in bot_world.fake.sent(STRANGER_CHAT + 1)[-1].text

    bot_world.clock.advance(timedelta(minutes=59))
    say(bot_world.fake, STRANGER_CHAT, f"/start {code}")
    await poll_once(bot_world.ctx, bot_world.bot, timeout=0)
    assert "quá nhiều lần" in bot_world.fake.sent(STRANGER_CHAT)[-1].text
    bot_world.clock.advance(timedelta(minutes=2))  # an hour after the last real failure
    say(bot_world.fake, STRANGER_CHAT, f"/start {code}")
    await poll_once(bot_world.ctx, bot_world.bot, timeout=0)
    assert person(bot_world, "vp.pho-chanh").telegram_chat_id == STRANGER_CHAT


async def test_thirty_wrong_codes_from_many_chats_stop_all_guessing_for_an_hour(
    bot_world: BotWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    from notifier.interact.linking import OVERALL

    code = invite(bot_world, "vp.pho-chanh", capsys)
    for n in range(OVERALL):  # one guess each from 30 chats: under every per-chat limit
        say(bot_world.fake, STRANGER_CHAT + 100 + n, f"/start WRONG{n:05d}")
    say(bot_world.fake, STRANGER_CHAT, f"/start {code}")
    await poll_once(bot_world.ctx, bot_world.bot, timeout=0)
    assert "quá nhiều lần" in bot_world.fake.sent(STRANGER_CHAT)[-1].text
    assert person(bot_world, "vp.pho-chanh").telegram_chat_id is None
    outcomes = [o for _, o in attempts(bot_world)]
    assert outcomes == ["wrong"] * OVERALL + ["limited"]
    bot_world.clock.advance(timedelta(hours=1, seconds=1))
    say(bot_world.fake, STRANGER_CHAT, f"/start {code}")
    await poll_once(bot_world.ctx, bot_world.bot, timeout=0)
    assert person(bot_world, "vp.pho-chanh").telegram_chat_id == STRANGER_CHAT
    assert attempts(bot_world)[-1] == (str(STRANGER_CHAT), "ok")


async def test_the_attempt_record_is_append_only(bot_world: BotWorld) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    say(bot_world.fake, STRANGER_CHAT, "/start AAAAAAAAAA")
    await poll_once(bot_world.ctx, bot_world.bot, timeout=0)
    with pytest.raises(DBAPIError), Session(bot_world.engine) as session:
        session.exec(text("DELETE FROM link_attempt"))  # type: ignore[call-overload]
        session.commit()
    assert len(attempts(bot_world)) == 1


def test_every_issued_code_can_be_sent_alone() -> None:
    from notifier.interact.linking import looks_like_code, new_code

    assert all(looks_like_code(new_code()) for _ in range(2000))  # without digits: ~5 % before
