"""The Zalo bot end to end on the virtual clock, against the fake Zalo Bot API: a person
links through the bot, gets the sample plan's reminders by Zalo, answers by text; the
journal (no offset on Zalo) and the webhook's secret."""

# ruff: noqa: F811  (pytest fixtures imported from another module are parameters here)
from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from notifier.channels.zalo_api import ZaloBotApi
from notifier.cli import run_cli
from notifier.cli.common import AppState
from notifier.clock import VirtualClock
from notifier.engine.channels import build_channels
from notifier.engine.dispatch import dispatch_all
from notifier.engine.sweep import sweep
from notifier.interact import zalo_io
from notifier.runtime import Runtime, build_runtime
from notifier.settings import load_settings
from notifier.store import zalo_journal
from notifier.store.db import make_engine
from notifier.store.models import (
    Acknowledgement,
    ChatSession,
    Deadline,
    ExtensionRequest,
    LinkCode,
    Notification,
    Person,
    ZaloUpdate,
)
from notifier.vocab import AckAction, DeadlineStatus, MessageKind, Via
from notifier.web.server import make_web_app
from tests.conftest import SEED_PLAN
from tests.engine.test_sweep_world import vn
from tests.fakes.zalo_bot_api import FakeZaloBotApi, text_update, zalo_api  # noqa: F401

MINH = "zl-7000011"  # vp.chanh, Trần Văn Minh: lead (and monitor) of II.1 and II.2
THU = "zl-7000041"  # vhtt.truong-phong, Bùi Thị Thu: another agency
STRANGER = "zl-5550001"
SECRET = "zalo-hook-secret-1"
HOOK_URL = "https://notifier.example.vn/zalo/hook-9c1d"


@dataclass
class ZaloWorld:
    fake: FakeZaloBotApi
    runtime: Runtime
    clock: VirtualClock
    bot: zalo_io.ZaloBot
    config_dir: Path
    db_url: str

    @property
    def engine(self) -> Engine:
        return self.runtime.engine

    def cli(self, *args: str) -> int:
        state = AppState(clock=self.clock)
        return run_cli(["--config", str(self.config_dir), "--db", self.db_url, *args], state)

    async def deliver(self, at: datetime) -> None:
        self.clock.set(at)
        sweep(self.runtime, at)
        channels = build_channels(self.runtime.settings, self.clock, stream=io.StringIO())
        try:
            await dispatch_all(self.runtime, channels, "test-worker", at)
        finally:
            await channels.aclose()

    async def say(self, chat: str, text: str) -> str:
        """``text`` from ``chat`` through getUpdates; the bot's last reply to it."""
        before = len(self.fake.sent(chat))
        self.fake.push_update(text_update(chat, text))
        assert await zalo_io.poll_once(self.bot, timeout=0)
        sent = self.fake.sent(chat)
        assert len(sent) == before + 1, [m.text for m in sent[before:]]
        return sent[-1].text

    def invite(self, key: str, capsys: pytest.CaptureFixture[str]) -> str:
        capsys.readouterr()
        assert self.cli("contact", "invite", key, "--channel", "zalo") == 0
        out = capsys.readouterr().out
        assert "Mã liên kết Zalo" in out, out
        match = re.search(r"/start ([A-Z0-9]{10})", out)
        assert match, out
        return match.group(1)

    def rows(self, kind: MessageKind, chat: str | None = None) -> list[Notification]:
        with Session(self.engine) as session:
            query = select(Notification).where(Notification.kind == kind)
            if chat is not None:
                query = query.where(Notification.address == chat)
            return list(session.exec(query.order_by(col(Notification.id))))

    def acks(self) -> list[Acknowledgement]:
        with Session(self.engine) as session:
            return list(session.exec(select(Acknowledgement).order_by(col(Acknowledgement.id))))

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Everything an answer could change (not the event log, not the journal)."""
        with Session(self.engine) as session:
            return {
                "acks": [(a.id, a.action, a.note) for a in session.exec(select(Acknowledgement))],
                "deadlines": [
                    (d.id, d.status, d.completed_at) for d in session.exec(select(Deadline))
                ],
                "outbox": [(n.id, n.status) for n in session.exec(select(Notification))],
                "chats": [(c.platform, c.chat_id) for c in session.exec(select(ChatSession))],
                "people": [
                    (p.key, p.zalo_chat_id, p.zalo_unusable) for p in session.exec(select(Person))
                ],
                "codes": [(c.id, c.used_at) for c in session.exec(select(LinkCode))],
            }


def zalo_env(fake: FakeZaloBotApi, **more: str) -> dict[str, str]:
    return {
        "NOTIFIER_ZALO_BOT_TOKEN": fake.token,
        "NOTIFIER_ZALO_API_URL": fake.url,
        "NOTIFIER_SECRET_KEY": "zalo-test-signing-key",
        **more,
    }


@pytest_asyncio.fixture
async def world(
    zalo_api: FakeZaloBotApi, config_dir: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> AsyncIterator[ZaloWorld]:
    """Seed plan imported; Minh linked his Zalo chat through the bot on 15/4/2024."""
    clock = VirtualClock(vn("2024-04-15", "07:00"))
    settings = load_settings(config_dir, db_url, env=zalo_env(zalo_api))
    runtime = build_runtime(settings, make_engine(db_url), clock)
    api = ZaloBotApi(zalo_api.token, base_url=zalo_api.url)
    bot = zalo_io.make_bot(runtime, api)
    w = ZaloWorld(zalo_api, runtime, clock, bot, config_dir, db_url)
    assert w.cli("init") == 0
    assert w.cli("plan", "import", str(SEED_PLAN)) == 0
    code = w.invite("vp.chanh", capsys)
    reply = await w.say(MINH, f"/start {code}")
    assert "Đã liên kết Zalo với Trần Văn Minh" in reply
    try:
        yield w
    finally:
        await api.aclose()
        runtime.engine.dispose()


def reference(text: str) -> int:
    match = re.search(r"Mã tin: #(\d+)", text)
    assert match, text
    return int(match.group(1))


async def test_linked_person_gets_the_reminders_by_zalo_and_xong_closes_the_task(
    world: ZaloWorld,
) -> None:
    with Session(world.engine) as session:
        minh = session.exec(select(Person).where(Person.key == "vp.chanh")).one()
        assert minh.zalo_chat_id == MINH and minh.zalo_unusable is None

    await world.deliver(vn("2024-04-22", "08:30"))  # II.1: 5 working days before 02/5
    [row] = world.rows(MessageKind.REMINDER, MINH)
    assert row.channel == "zalo" and row.status == "sent"
    [text] = [m.text for m in world.fake.sent(MINH) if m.message_id == row.provider_id]
    assert len(text) <= 2000 and "<b>" not in text
    assert "Tham quan, học tập kinh nghiệm" in text and "Thứ Năm, 02/5/2024" in text
    assert reference(text) == row.id, "the message carries its own short reference"
    assert re.search(r"- Đã hoàn thành: http://\S+/a/\S+", text), "signed answer links"
    assert (
        text.rstrip().endswith(text.rstrip().splitlines()[-1]) and "http" in text.splitlines()[-1]
    )

    reply = await world.say(MINH, "Xong")  # his only open message: a bare answer applies
    assert "hoàn thành" in reply.lower()
    [ack] = world.acks()
    assert (ack.action, ack.via, ack.notification_id) == (AckAction.DONE, Via.ZALO, row.id)
    with Session(world.engine) as session:
        assert session.get(Deadline, row.deadline_id).status == DeadlineStatus.DONE  # type: ignore[union-attr]

    # once done, nothing is open: a bare answer says so and changes nothing
    before = world.snapshot()
    reply = await world.say(MINH, "da nhan")
    assert "không có tin nhắn nào đang chờ" in reply
    assert world.snapshot() == before


async def test_vuong_with_a_reason_goes_along_the_obstacle_route(world: ZaloWorld) -> None:
    await world.deliver(vn("2024-04-22", "08:30"))
    [row] = world.rows(MessageKind.REMINDER, MINH)
    reply = await world.say(MINH, "VUONG: chưa bố trí được xe đi Thái Hòa")
    assert "Đã ghi nhận vướng mắc" in reply
    [ack] = world.acks()
    assert (ack.action, ack.note, ack.via) == (
        AckAction.BLOCKED,
        "chưa bố trí được xe đi Thái Hòa",
        Via.ZALO,
    )
    obstacle = world.rows(MessageKind.OBSTACLE)
    assert obstacle, "the obstacle goes to the plan's route (UBND huyện, copy to TC-KH)"
    assert all(n.deadline_id == row.deadline_id for n in obstacle)


async def test_vuong_alone_asks_for_the_reason_then_records_it(world: ZaloWorld) -> None:
    await world.deliver(vn("2024-04-22", "08:30"))
    prompt = await world.say(MINH, "vướng")
    assert "lý do vướng mắc" in prompt and world.acks() == []
    reply = await world.say(MINH, "Thiếu kinh phí")
    assert "Đã ghi nhận vướng mắc" in reply
    assert [(a.action, a.note) for a in world.acks()] == [(AckAction.BLOCKED, "Thiếu kinh phí")]


async def test_gia_han_with_a_date_and_a_reason_asks_the_office_for_an_extension(
    world: ZaloWorld,
) -> None:
    await world.deliver(vn("2024-04-22", "08:30"))
    [row] = world.rows(MessageKind.REMINDER, MINH)
    [text] = [m.text for m in world.fake.sent(MINH) if m.message_id == row.provider_id]
    assert "«gia hạn» kèm ngày đề nghị và lý do" in text
    before = world.snapshot()
    reply = await world.say(MINH, "gia han")  # no date: how to write it, nothing recorded
    assert "gia hạn 15/5/2024" in reply and world.snapshot() == before
    reply = await world.say(MINH, "Gia hạn 31/4/2024 chờ xe")
    assert "không có thật" in reply and world.snapshot() == before
    reply = await world.say(MINH, "Gia hạn 15/5/2024: chờ bố trí xe đi Thái Hòa")
    with Session(world.engine) as session:
        [request] = session.exec(select(ExtensionRequest)).all()
        assert (request.deadline_id, request.proposed_date, request.reason) == (
            row.deadline_id,
            date(2024, 5, 15),
            "chờ bố trí xe đi Thái Hòa",
        )
        deadline = session.get(Deadline, row.deadline_id)
        assert deadline is not None and deadline.effective_date == date(2024, 5, 2), "not moved"
    assert "gia hạn" in reply.lower()


async def test_two_open_messages_the_bot_asks_which_then_the_reference_decides(
    world: ZaloWorld,
) -> None:
    await world.deliver(vn("2024-04-22", "08:30"))
    await world.deliver(vn("2024-06-10", "08:30"))  # II.2's report request for 17/6
    open_rows = {
        n.deadline_id
        for kind in (MessageKind.REMINDER, MessageKind.REPORT_REQUEST)
        for n in world.rows(kind, MINH)
    }
    assert len(open_rows) == 2, "II.1 (still open) and II.2's report period"
    before = world.snapshot()
    reply = await world.say(MINH, "xong")
    assert "tin đang chờ phản hồi" in reply and "#" in reply
    assert world.snapshot() == before, "asking which one changes nothing"
    listed = [int(n) for n in re.findall(r"^#(\d+)", reply, re.MULTILINE)]
    assert len(listed) >= 2
    reply = await world.say(MINH, f"đã nhận #{listed[0]}")
    [ack] = world.acks()
    assert (ack.action, ack.notification_id) == (AckAction.RECEIVED, listed[0])


async def test_unlinked_chat_and_another_agency_are_refused_with_nothing_changed(
    world: ZaloWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    await world.deliver(vn("2024-04-22", "08:30"))
    [row] = world.rows(MessageKind.REMINDER, MINH)
    before = world.snapshot()
    reply = await world.say(STRANGER, f"xong #{row.id}")
    assert "chưa được liên kết" in reply
    assert world.snapshot() == before

    code = world.invite("vhtt.truong-phong", capsys)
    assert "Đã liên kết Zalo với Bùi Thị Thu" in await world.say(THU, code)  # the code alone
    before = world.snapshot()
    reply = await world.say(THU, f"xong #{row.id}")
    assert "không thuộc cơ quan chủ trì" in reply
    assert world.snapshot() == before


async def test_viec_help_and_their_vietnamese_words(world: ZaloWorld) -> None:
    await world.deliver(vn("2024-04-22", "08:30"))
    tasks = await world.say(MINH, "việc")
    assert "Việc đang mở do" in tasks and "Tham quan" in tasks and "<b>" not in tasks
    assert await world.say(MINH, "/viec") == tasks
    help_text = await world.say(MINH, "Giúp")
    assert "«xong #42»" in help_text and "nút" not in help_text
    assert await world.say(MINH, "/help") == help_text
    assert (await world.say(STRANGER, "viec")).startswith("Cuộc trò chuyện này chưa được liên kết")


async def test_each_update_is_journaled_and_a_crash_neither_loses_nor_repeats_it(
    world: ZaloWorld,
) -> None:
    await world.deliver(vn("2024-04-22", "08:30"))
    # a crash right after the record: the row is there, unhandled
    now = world.clock.now()
    payload = text_update(MINH, "đã nhận")
    row_id, new = zalo_journal.record(world.engine, zalo_io.BOT, MINH, payload, now)
    assert new
    assert zalo_journal.unhandled(world.engine, zalo_io.BOT) == [row_id]
    # the restart handles it once
    assert await zalo_io.recover(world.bot) == 1
    assert [a.action for a in world.acks()] == [AckAction.RECEIVED]
    assert zalo_journal.unhandled(world.engine, zalo_io.BOT) == []
    # handled rows are never handled again, and the same update recorded again is not new
    assert zalo_io.handle_recorded(world.bot, row_id) == []
    assert zalo_journal.record(world.engine, zalo_io.BOT, MINH, payload, now) == (row_id, False)
    assert await zalo_io.recover(world.bot) == 0
    assert len(world.acks()) == 1
    with Session(world.engine) as session:
        journal = session.get(ZaloUpdate, row_id)
        assert journal is not None and journal.handled_at is not None and journal.attempts == 0


async def test_an_answer_rolled_back_leaves_its_update_unhandled(world: ZaloWorld) -> None:
    """The "handled" mark is in the answer's transaction: a failure undoes both."""
    await world.deliver(vn("2024-04-22", "08:30"))
    row_id, _ = zalo_journal.record(
        world.engine, zalo_io.BOT, MINH, text_update(MINH, "xong"), world.clock.now()
    )

    def broken(session: Session) -> None:
        zalo_journal.mark_handled(session, row_id, world.clock.now())
        raise RuntimeError("the process dies before the commit")

    with pytest.raises(RuntimeError):
        world.bot.conversation.text(MINH, "xong", broken)
    assert world.acks() == [] and zalo_journal.unhandled(world.engine, zalo_io.BOT) == [row_id]
    await zalo_io.recover(world.bot)
    assert [a.action for a in world.acks()] == [AckAction.DONE]


@pytest_asyncio.fixture
async def hook(world: ZaloWorld) -> AsyncIterator[TestClient[Any, Any]]:
    env = zalo_env(
        world.fake, NOTIFIER_ZALO_WEBHOOK_URL=HOOK_URL, NOTIFIER_ZALO_WEBHOOK_SECRET=SECRET
    )
    settings = load_settings(world.config_dir, world.db_url, env=env)
    runtime = build_runtime(settings, world.engine, world.clock)
    setup = zalo_io.webhook_setup(runtime)
    assert setup is not None
    app = make_web_app(runtime, setup=[setup])  # the web app `notifier run` serves
    async with TestClient(TestServer(app)) as client:
        yield client


def wrapped(update: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, "result": update}


async def test_webhook_refuses_a_request_without_or_with_a_wrong_secret(
    world: ZaloWorld, hook: TestClient[Any, Any]
) -> None:
    await world.deliver(vn("2024-04-22", "08:30"))
    before, sent = world.snapshot(), len(world.fake.sent(MINH))
    update = wrapped(text_update(MINH, "xong"))
    missing = await hook.post("/zalo/hook-9c1d", json=update)
    wrong = await hook.post(
        "/zalo/hook-9c1d", json=update, headers={zalo_io.SECRET_HEADER: "not-the-secret"}
    )
    assert (missing.status, wrong.status) == (401, 403)
    assert world.snapshot() == before and len(world.fake.sent(MINH)) == sent
    with Session(world.engine) as session:
        journaled = len(session.exec(select(ZaloUpdate)).all())
    assert journaled == 1, "only the /start of the fixture: refused requests record nothing"

    ok = await hook.post("/zalo/hook-9c1d", json=update, headers={zalo_io.SECRET_HEADER: SECRET})
    assert ok.status == 200 and (await ok.json()) == {"ok": True}
    assert [a.action for a in world.acks()] == [AckAction.DONE]
    again = await hook.post("/zalo/hook-9c1d", json=update, headers={zalo_io.SECRET_HEADER: SECRET})
    assert again.status == 200 and len(world.acks()) == 1, "a redelivery is not applied twice"
    with Session(world.engine) as session:
        assert len(session.exec(select(ZaloUpdate)).all()) == journaled + 1


async def test_run_bot_polls_after_dropping_the_webhook_and_registers_one_in_webhook_mode(
    world: ZaloWorld,
) -> None:
    import asyncio

    stop = asyncio.Event()
    stop.set()
    await zalo_io.run_bot(world.runtime, stop, world.bot.api)
    assert world.fake.calls("deleteWebhook"), "getUpdates does not work while a webhook is set"

    env = zalo_env(
        world.fake, NOTIFIER_ZALO_WEBHOOK_URL=HOOK_URL, NOTIFIER_ZALO_WEBHOOK_SECRET=SECRET
    )
    settings = load_settings(world.config_dir, world.db_url, env=env)
    runtime = build_runtime(settings, world.engine, world.clock)
    await zalo_io.run_bot(runtime, stop, world.bot.api)
    assert (world.fake.webhook.url, world.fake.webhook.secret_token) == (HOOK_URL, SECRET)
