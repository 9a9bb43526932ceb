"""The bot's test world: the sample directory and seed plan in a database, the sweep's
reminders delivered by the dispatcher to the fake Bot API, and a PTB Bot for the bot's
side. The other bot tests import :func:`bot_world`; the tests here check the world."""

# ruff: noqa: F811  (pytest fixtures imported from another module are parameters here)
from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest_asyncio
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from telegram import Bot

from notifier.cli import run_cli
from notifier.cli.common import AppState
from notifier.clock import VirtualClock
from notifier.engine.channels import build_channels, telegram_base_url
from notifier.engine.dispatch import dispatch_all
from notifier.engine.sweep import sweep
from notifier.interact.bot import BotContext
from notifier.interact.telegram_io import bot_context
from notifier.runtime import Runtime, build_runtime
from notifier.settings import load_settings
from notifier.store.db import make_engine
from notifier.store.models import (
    Acknowledgement,
    ChatSession,
    Deadline,
    LinkCode,
    Notification,
    Person,
)
from notifier.vocab import DeliveryStatus
from tests.conftest import SEED_PLAN
from tests.engine.test_sweep_world import vn
from tests.fakes.bot_api import FakeBotApi, SentMessage, bot_api  # noqa: F401  (fixture)

TOKEN = "123456:BOT-test-token"
MINH_CHAT = 710000011  # vp.chanh, Trần Văn Minh: lead (and monitor) agency of II.1 / II.2
TAM_CHAT = 710000013  # vp.theo-doi, Hồ Văn Tâm: same agency
THU_CHAT = 710000041  # vhtt.truong-phong, Bùi Thị Thu: another agency
STRANGER_CHAT = 55500001


@dataclass
class BotWorld:
    fake: FakeBotApi
    runtime: Runtime
    clock: VirtualClock
    bot: Bot
    ctx: BotContext
    config_dir: Path
    db_url: str
    _ids: dict[str, int] = field(default_factory=dict)

    @property
    def engine(self) -> Engine:
        return self.runtime.engine

    def cli(self, *args: str) -> int:
        state = AppState(clock=self.clock)
        return run_cli(["--config", str(self.config_dir), "--db", self.db_url, *args], state)

    async def deliver(self, at: datetime) -> None:
        """Sweep and dispatch at ``at``: reminders land in the fake's chats."""
        self.clock.set(at)
        sweep(self.runtime, at)
        channels = build_channels(self.runtime.settings, self.clock, stream=io.StringIO())
        try:
            await dispatch_all(self.runtime, channels, "test-worker", at)
        finally:
            for channel in channels.channels.values():
                close = getattr(channel, "aclose", None)
                if close is not None:
                    await close()

    def person_id(self, key: str) -> int:
        with Session(self.engine) as session:
            person = session.exec(select(Person).where(Person.key == key)).one()
            assert person.id is not None
            return person.id

    def sent_reminder(self, chat: int) -> tuple[Notification, SentMessage]:
        """The first Telegram message with buttons in ``chat`` and its outbox row."""
        for message in self.fake.sent(chat):
            if message.reply_markup:
                with Session(self.engine) as session:
                    row = session.exec(
                        select(Notification).where(
                            Notification.channel == "telegram",
                            Notification.provider_id == str(message.message_id),
                            Notification.address == str(chat),
                        )
                    ).one()
                return row, message
        raise AssertionError(f"no message with buttons in chat {chat}")

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """The rows an answer could change (everything but the event log)."""
        with Session(self.engine) as session:
            return {
                "acks": [
                    (a.id, a.action, a.person_id, a.note)
                    for a in session.exec(select(Acknowledgement).order_by(col(Acknowledgement.id)))
                ],
                "deadlines": [
                    (d.id, d.status, d.completed_at, d.next_action_at)
                    for d in session.exec(select(Deadline).order_by(col(Deadline.id)))
                ],
                "outbox": [
                    (n.id, n.status, n.kind)
                    for n in session.exec(select(Notification).order_by(col(Notification.id)))
                ],
                "chat_state": [
                    (c.platform, c.chat_id, c.awaiting, c.notification_id)
                    for c in session.exec(select(ChatSession))
                ],
                "people": [
                    (p.id, p.telegram_chat_id, p.telegram_unusable)
                    for p in session.exec(select(Person).order_by(col(Person.id)))
                ],
                "codes": [(c.id, c.used_at) for c in session.exec(select(LinkCode))],
            }

    def acks(self) -> list[Acknowledgement]:
        with Session(self.engine) as session:
            return list(session.exec(select(Acknowledgement).order_by(col(Acknowledgement.id))))

    def pending_status(self) -> list[str]:
        with Session(self.engine) as session:
            return [
                n.status
                for n in session.exec(
                    select(Notification).where(Notification.status == DeliveryStatus.PENDING)
                )
            ]


_ENTITY = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
           "s": "strikethrough", "code": "code", "a": "text_link"}  # fmt: skip


class _Entities(HTMLParser):
    """Telegram HTML -> (text, entities), as Telegram quotes a message back to the bot."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.entities: list[dict[str, Any]] = []
        self.open: list[tuple[str, int, dict[str, str]]] = []

    def _at(self) -> int:
        return len(self.text.encode("utf-16-le")) // 2

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append((tag, self._at(), {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        name, start, attrs = self.open.pop()
        if name in _ENTITY and self._at() > start:
            entity = {"type": _ENTITY[name], "offset": start, "length": self._at() - start}
            if name == "a":
                entity["url"] = attrs.get("href", "")
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.text += data


def message_json(message: SentMessage, chat: int) -> dict[str, Any]:
    """The message as Telegram quotes it in a callback_query: text plus entities."""
    parser = _Entities()
    parser.feed(message.text)
    parser.close()
    body: dict[str, Any] = {
        "message_id": message.message_id,
        "date": 1711935000,
        "chat": {"id": chat, "type": "private"},
        "text": parser.text,
        "entities": sorted(parser.entities, key=lambda e: (e["offset"], -e["length"])),
    }
    if message.reply_markup:
        body["reply_markup"] = message.reply_markup
    return body


def press(
    fake: FakeBotApi, chat: int, message: SentMessage, data: str, *, user: int | None = None
) -> int:
    """Push a button press from ``chat`` on ``message`` into the fake's update queue."""
    return fake.push_update(
        {
            "callback_query": {
                "id": f"cb{len(fake.answered_callbacks)}-{chat}-{data[-6:]}",
                "from": {"id": user or chat, "is_bot": False, "first_name": "Người dùng"},
                "chat_instance": str(chat),
                "message": message_json(message, chat),
                "data": data,
            }
        }
    )


def say(fake: FakeBotApi, chat: int, text: str) -> int:
    """Push a text message from ``chat``."""
    return fake.push_update(
        {
            "message": {
                "message_id": 9000 + len(fake.requests),
                "date": 1711935000,
                "chat": {"id": chat, "type": "private"},
                "from": {"id": chat, "is_bot": False, "first_name": "Người dùng"},
                "text": text,
            }
        }
    )


async def make_bot_world(
    fake: FakeBotApi, config_dir: Path, db_url: str, start: datetime
) -> BotWorld:
    clock = VirtualClock(start)
    env = {
        "NOTIFIER_TELEGRAM_TOKEN": TOKEN,
        "NOTIFIER_TELEGRAM_API_URL": fake.url,
        "NOTIFIER_SECRET_KEY": "bot-test-signing-key",
    }
    settings = load_settings(config_dir, db_url, env=env)
    engine = make_engine(db_url)
    runtime = build_runtime(settings, engine, clock)
    bot = Bot(TOKEN, base_url=telegram_base_url(fake.url))
    await bot.initialize()
    world = BotWorld(fake, runtime, clock, bot, bot_context(runtime), config_dir, db_url)
    assert world.cli("init") == 0
    assert world.cli("plan", "import", str(SEED_PLAN)) == 0
    return world


@pytest_asyncio.fixture
async def bot_world(bot_api: FakeBotApi, config_dir: Path, db_url: str) -> AsyncIterator[BotWorld]:
    """Seed plan imported; the II.1 reminders of 25/4/2024 delivered by Telegram."""
    world = await make_bot_world(bot_api, config_dir, db_url, vn("2024-04-15", "07:00"))
    await world.deliver(vn("2024-04-25", "08:30"))
    try:
        yield world
    finally:
        await world.bot.shutdown()
        world.engine.dispose()


async def test_world_delivers_reminders_with_four_signed_buttons(bot_world: BotWorld) -> None:
    row, message = bot_world.sent_reminder(MINH_CHAT)
    assert row.status == DeliveryStatus.SENT and row.deadline_id is not None
    buttons = [b for row in message.reply_markup["inline_keyboard"] for b in row]  # type: ignore[index]
    assert [b["text"] for b in buttons] == [
        "Đã nhận",
        "Đã hoàn thành",
        "Báo vướng mắc",
        "Xin gia hạn",
    ]
    assert all(b["callback_data"].startswith("a:") for b in buttons)
