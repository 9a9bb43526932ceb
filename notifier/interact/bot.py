"""Telegram updates in, replies out: the bot's decisions, without any transport.

Each handler takes a :class:`BotContext` and one update as a plain dict (the Bot
API's JSON, or ``Update.to_dict()``) and returns the replies to make: answer a
callback, edit a message, send a text. :mod:`notifier.interact.telegram_io` carries
them out, whether the update came by long polling or by webhook.

Answers are recorded only through :mod:`notifier.services` (``authorize``,
``acknowledge``, ``complete``, ``report_obstacle``), in one transaction per update:
a refusal rolls back and changes nothing. Every button press gets an
``answerCallbackQuery``, a refusal included, so the user's spinner stops.

After "Đã nhận" the keyboard stays (the person can still report done or blocked);
after "Đã hoàn thành" or a recorded obstacle it is removed.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select
from telegram import Message

from notifier import services
from notifier.admin import log_event
from notifier.channels.base import Button
from notifier.clock import VN_TZ, as_utc
from notifier.domain.steps import OccurrenceKind
from notifier.errors import NotifierError, Refused
from notifier.interact.linking import redeem_code
from notifier.interact.links import ACTION_LABELS, Action, parse_callback_data
from notifier.runtime import Runtime
from notifier.store.db import session_scope
from notifier.store.facts import load_occurrences
from notifier.store.models import (
    Agency,
    ChatState,
    Deadline,
    DeadlineStatus,
    Event,
    Notification,
    Person,
    Task,
)
from notifier.textfmt import days_phrase, vn_date, vn_deadline

REASON_WINDOW = timedelta(hours=1)
VIA = "telegram"
AWAIT_EVENT = "telegram.awaiting_reason"

HELP = (
    "<b>Hướng dẫn sử dụng</b>\n"
    "• Bấm các nút dưới mỗi tin nhắc việc: <b>Đã nhận</b>, <b>Đã hoàn thành</b>, "
    "<b>Báo vướng mắc</b> (sau đó gửi lý do).\n"
    "• /viec — các việc đang mở mà cơ quan anh/chị chủ trì, kèm hạn.\n"
    "• /start MÃ — liên kết Telegram với tài khoản (mã do văn phòng cấp).\n"
    "• /help — hướng dẫn này."
)
NOT_LINKED = (
    "Cuộc trò chuyện này chưa được liên kết với người nhận nào. "
    "Vui lòng gửi /start MÃ với mã do văn phòng cấp."
)


class Awaiting(StrEnum):
    REASON = "reason"


@dataclass(frozen=True)
class AnswerCallback:
    """answerCallbackQuery: always sent for a button press."""

    query_id: str
    text: str


@dataclass(frozen=True)
class EditMessage:
    """editMessageText; no buttons removes the keyboard."""

    chat_id: int
    message_id: int
    html: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class SendText:
    chat_id: int
    html: str


Reply = AnswerCallback | EditMessage | SendText


@dataclass(frozen=True)
class BotContext:
    runtime: Runtime
    key: bytes  # the signing key of callback data (same as the dispatcher's)

    def now(self) -> datetime:
        return as_utc(self.runtime.clock.now())


def handle_update(bot: BotContext, update: Mapping[str, Any]) -> list[Reply]:
    """Dispatch one update by type; types the bot does not use get no reply."""
    if "callback_query" in update:
        return on_callback_query(bot, update["callback_query"])
    message = update.get("message")
    if isinstance(message, Mapping) and isinstance(message.get("text"), str):
        return on_message(bot, message)
    return []


# -- shared helpers ----------------------------------------------------------------------


def linked_people(session: Session, chat_id: int) -> list[Person]:
    query = select(Person).where(Person.telegram_chat_id == chat_id, Person.active == True)  # noqa: E712
    return list(session.exec(query.order_by(col(Person.id))).all())


def authorized_person(session: Session, chat_id: int, notification_id: int) -> Person:
    """The person of this chat allowed to answer this message; Refused otherwise."""
    people = linked_people(session, chat_id)
    if not people:
        raise Refused(NOT_LINKED)
    refusal: Refused | None = None
    for person in people:
        assert person.id is not None
        try:
            services.authorize(session, notification_id, person.id)
        except Refused as exc:
            refusal = exc
            continue
        return person
    assert refusal is not None
    raise refusal


def stamp(label: str, name: str, at: datetime) -> str:
    """ "✅ Đã ghi nhận: Đã hoàn thành — Trần Văn Minh, 08:15 03/5/2024"."""
    local = as_utc(at).astimezone(VN_TZ)
    who = html.escape(name, quote=False)
    return f"✅ Đã ghi nhận: {label} — {who}, {local:%H:%M} {vn_date(local.date())}"


def message_html(message: Mapping[str, Any]) -> str:
    """The message as shown, as Telegram HTML (formatting kept through its entities)."""
    try:
        parsed = Message.de_json(dict(message), None)
    except (KeyError, TypeError, ValueError):
        return html.escape(str(message.get("text", "")), quote=False)
    return parsed.text_html if parsed is not None and parsed.text else ""


def message_buttons(message: Mapping[str, Any]) -> tuple[Button, ...]:
    """The inline keyboard the message carries now, to keep it on an edit."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return tuple(
        Button(b["text"], callback_data=b.get("callback_data"), url=b.get("url"))
        for row in rows
        for b in row
        if ("callback_data" in b) != ("url" in b)
    )


def short(what: Exception | str, limit: int = 190) -> str:
    """Callback answers are limited to 200 characters."""
    text = str(what) or "Không thực hiện được."
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- button presses ----------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """The person answering, read in a short transaction closed before the service call
    (each service function runs its own transaction; SQLite allows one writer)."""

    person_id: int
    name: str


def find_actor(bot: BotContext, chat_id: int, notification_id: int) -> Actor:
    with Session(bot.runtime.engine) as session:
        person = authorized_person(session, chat_id, notification_id)
        assert person.id is not None
        return Actor(person.id, person.name)


def on_callback_query(bot: BotContext, query: Mapping[str, Any]) -> list[Reply]:
    """A press of "Đã nhận" / "Đã hoàn thành" / "Báo vướng mắc"; always answered."""
    query_id = str(query.get("id", ""))
    message = query.get("message")
    if not isinstance(message, Mapping) or "chat" not in message:
        return [AnswerCallback(query_id, "Tin nhắn này đã quá cũ, không thể trả lời.")]
    chat_id = int(message["chat"]["id"])
    try:
        notification_id, action = parse_callback_data(bot.key, str(query.get("data", "")))
        actor = find_actor(bot, chat_id, notification_id)
        if action == Action.BLOCKED:
            return _ask_reason(bot, actor, notification_id, message, query_id)
        return _answer(bot, actor, action, notification_id, message, query_id)
    except NotifierError as exc:
        return [AnswerCallback(query_id, short(exc))]


def _answer(
    bot: BotContext,
    actor: Actor,
    action: Action,
    notification_id: int,
    message: Mapping[str, Any],
    query_id: str,
) -> list[Reply]:
    """Record received/done; edit the message only when something was recorded."""
    now = bot.now()
    if action == Action.RECEIVED:
        outcome = services.acknowledge(
            bot.runtime, notification_id=notification_id, person_id=actor.person_id, via=VIA,
            now=now,
        )  # fmt: skip
        buttons = message_buttons(message)
    else:
        outcome = services.complete(
            bot.runtime, notification_id=notification_id, person_id=actor.person_id, via=VIA,
            now=now,
        )  # fmt: skip
        buttons = ()
    answer = AnswerCallback(query_id, short(outcome.message))
    if not outcome.changed:  # already done, or already acknowledged: nothing new to show
        return [answer]
    line = stamp(ACTION_LABELS[action], actor.name, now)
    chat_id, message_id = int(message["chat"]["id"]), int(message["message_id"])
    return [answer, EditMessage(chat_id, message_id, f"{message_html(message)}\n\n{line}", buttons)]


def _ask_reason(
    bot: BotContext,
    actor: Actor,
    notification_id: int,
    message: Mapping[str, Any],
    query_id: str,
) -> list[Reply]:
    """Remember that the next text from this chat is the reason (for one hour)."""
    now = bot.now()
    chat_id = int(message["chat"]["id"])
    with session_scope(bot.runtime.engine) as session:
        notification = session.get(Notification, notification_id)
        deadline = session.get(Deadline, notification.deadline_id or 0) if notification else None
        if deadline is None or deadline.status != DeadlineStatus.OPEN:
            raise Refused("Nhiệm vụ này đã kết thúc; không cần báo vướng mắc.")
        state = session.get(ChatState, chat_id) or ChatState(chat_id=chat_id, awaiting="")
        state.awaiting = Awaiting.REASON
        state.notification_id = notification_id
        state.deadline_id = deadline.id
        state.person_id = actor.person_id
        state.expires_at = now + REASON_WINDOW
        session.add(state)
        log_event(
            session, now, AWAIT_EVENT, f"chat {chat_id} asked for an obstacle reason",
            person_id=actor.person_id, deadline_id=deadline.id, chat_id=chat_id,
            notification_id=notification_id, message_id=int(message["message_id"]),
            html=message_html(message),
        )  # fmt: skip
        task = session.get(Task, deadline.task_id)
        title = html.escape(task.title if task else "", quote=False)
    prompt = (
        f"Anh/chị vui lòng gửi <b>lý do vướng mắc</b> của việc «{title}» "
        "trong một tin nhắn (trong vòng 1 giờ)."
    )
    return [AnswerCallback(query_id, "Vui lòng gửi lý do vướng mắc."), SendText(chat_id, prompt)]


# -- text messages -----------------------------------------------------------------------


def on_message(bot: BotContext, message: Mapping[str, Any]) -> list[Reply]:
    """A command, the awaited reason after "Báo vướng mắc", or a hint."""
    chat_id = int(message["chat"]["id"])
    text = str(message.get("text", "")).strip()
    if text.startswith("/"):
        return on_command(bot, chat_id, text)
    with session_scope(bot.runtime.engine) as session:
        state = session.get(ChatState, chat_id)
        if state is None or state.awaiting != Awaiting.REASON or state.notification_id is None:
            return [SendText(chat_id, "Gõ /viec để xem các việc đang mở, /help để xem hướng dẫn.")]
        notification_id = state.notification_id
        if bot.now() >= state.expires_at:
            session.delete(state)
            return [SendText(chat_id, "Đã quá 1 giờ; vui lòng bấm lại nút «Báo vướng mắc».")]
    try:
        return _record_reason(bot, chat_id, notification_id, text)
    except NotifierError as exc:
        return [SendText(chat_id, html.escape(short(exc, 500), quote=False))]


def _record_reason(bot: BotContext, chat_id: int, notification_id: int, text: str) -> list[Reply]:
    """report_obstacle, then forget the chat state and edit the pressed message."""
    actor = find_actor(bot, chat_id, notification_id)
    now = bot.now()
    outcome = services.report_obstacle(
        bot.runtime, notification_id=notification_id, person_id=actor.person_id, via=VIA,
        reason=text, now=now,
    )  # fmt: skip
    with session_scope(bot.runtime.engine) as session:
        state = session.get(ChatState, chat_id)
        if state is not None:
            session.delete(state)
        shown = _awaited_message(session, chat_id, notification_id)
    replies: list[Reply] = [SendText(chat_id, html.escape(outcome.message, quote=False))]
    if outcome.changed and shown is not None:
        message_id, original = shown
        reason = html.escape(text if len(text) <= 300 else text[:299] + "…", quote=False)
        line = stamp(ACTION_LABELS[Action.BLOCKED], actor.name, now)
        replies.append(EditMessage(chat_id, message_id, f"{original}\n\n{line}\nLý do: {reason}"))
    return replies


def _awaited_message(
    session: Session, chat_id: int, notification_id: int
) -> tuple[int, str] | None:
    """The pressed message (id, HTML as shown then), from the event logged at the press."""
    query = select(Event).where(Event.kind == AWAIT_EVENT).order_by(col(Event.id).desc()).limit(50)
    for event in session.exec(query):
        data = event.data or {}
        if data.get("chat_id") == chat_id and data.get("notification_id") == notification_id:
            return int(data["message_id"]), str(data.get("html", ""))
    return None


# -- commands ----------------------------------------------------------------------------


def on_command(bot: BotContext, chat_id: int, text: str) -> list[Reply]:
    head, _, rest = text.partition(" ")
    command = head[1:].split("@", 1)[0].lower()
    if command == "start":
        return [SendText(chat_id, start(bot, chat_id, rest.strip()))]
    if command == "viec":
        with Session(bot.runtime.engine) as session:
            return [SendText(chat_id, my_tasks(session, bot.runtime, chat_id, bot.now()))]
    return [SendText(chat_id, HELP)]


def start(bot: BotContext, chat_id: int, code: str) -> str:
    """``/start CODE`` links this chat; ``/start`` alone greets or explains."""
    if not code:
        with Session(bot.runtime.engine) as session:
            people = linked_people(session, chat_id)
            names = ", ".join(html.escape(p.name) for p in people)
        if names:
            return f"Xin chào {names}. Cuộc trò chuyện đã được liên kết.\n\n{HELP}"
        return f"{NOT_LINKED}\n\n{HELP}"
    try:
        with session_scope(bot.runtime.engine) as session:
            person = redeem_code(session, code, chat_id, bot.now())
            agency = session.get(Agency, person.agency_id)
            where = f" ({html.escape(agency.name)})" if agency is not None else ""
            return (
                f"Đã liên kết Telegram với <b>{html.escape(person.name)}</b>{where}. "
                "Tin nhắc việc sẽ được gửi tới đây. Gõ /viec để xem các việc đang mở."
            )
    except Refused as exc:
        return html.escape(str(exc), quote=False)


MAX_TASKS = 20


def my_tasks(session: Session, runtime: Runtime, chat_id: int, now: datetime) -> str:
    """``/viec``: open deadlines led by the agencies of this chat's people, soonest first."""
    people = linked_people(session, chat_id)
    if not people:
        return NOT_LINKED
    agencies = {a.id: a for a in session.exec(select(Agency))}
    mine = {agencies[p.agency_id].code: agencies[p.agency_id].name for p in people}
    today = as_utc(now).astimezone(VN_TZ).date()
    open_items = [
        occ
        for occ in load_occurrences(session, runtime.policy)
        if occ.is_open and set(occ.roles.lead) & mine.keys()
    ]
    names = html.escape(", ".join(mine.values()), quote=False)
    if not open_items:
        return f"Không có việc nào đang mở do {names} chủ trì."
    lines = [f"<b>Việc đang mở do {names} chủ trì</b> ({len(open_items)} việc)"]
    for number, occ in enumerate(open_items[:MAX_TASKS], start=1):
        title = occ.task_title if len(occ.task_title) <= 160 else occ.task_title[:159] + "…"
        period = ""
        if occ.kind == OccurrenceKind.REPORT:
            period = f" — báo cáo kỳ {occ.period}" if occ.period else " — báo cáo"
        days = runtime.calendar.working_days_between(today, occ.effective)
        lines.append(
            f"{number}. <b>{html.escape(occ.task_ref)}</b> {html.escape(title, quote=False)}"
            f"{html.escape(period, quote=False)}\n"
            f"    Hạn: {vn_deadline(occ.effective)} — {days_phrase(days)}"
        )
    if len(open_items) > MAX_TASKS:
        lines.append(f"… và {len(open_items) - MAX_TASKS} việc khác.")
    return "\n".join(lines)
