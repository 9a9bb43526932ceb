"""Telegram updates into the conversation: what a Telegram update means, nothing more.

:func:`handle_update` takes one update as a plain dict (the Bot API's JSON, or
``Update.to_dict()``), reads what the conversation needs from it (chat, the message a
button was pressed under, as HTML through its entities, and its keyboard) and returns the
conversation's replies; :mod:`notifier.interact.telegram_io` carries them out, whether the
update came by long polling or by webhook. The decisions are in
:mod:`notifier.interact.conversation`, shared with the other chat platforms.

After "Đã nhận" the keyboard stays (the person can still report done or blocked);
after "Đã hoàn thành" or a recorded obstacle it is removed.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from telegram import Message

from notifier.channels.base import Button
from notifier.interact.conversation import AnswerPress, Conversation, Reply, Shown
from notifier.runtime import Runtime
from notifier.vocab import ChannelName, Via

STALE = "Tin nhắn này đã quá cũ, không thể trả lời."


@dataclass(frozen=True)
class BotContext:
    """The Telegram bot's context: the runtime and the signing key of the button data."""

    runtime: Runtime
    key: bytes
    conversation: Conversation = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        talk = Conversation(self.runtime, self.key, ChannelName.TELEGRAM, Via.TELEGRAM, "Telegram")
        object.__setattr__(self, "conversation", talk)


def handle_update(bot: BotContext, update: Mapping[str, Any]) -> list[Reply]:
    """Dispatch one update by type; types the bot does not use get no reply."""
    if "callback_query" in update:
        return on_callback_query(bot, update["callback_query"])
    message = update.get("message")
    if isinstance(message, Mapping) and isinstance(message.get("text"), str):
        chat_id = str(message["chat"]["id"])
        return bot.conversation.text(chat_id, str(message.get("text", "")))
    return []


def on_callback_query(bot: BotContext, query: Mapping[str, Any]) -> list[Reply]:
    """A button press; always answered."""
    query_id = str(query.get("id", ""))
    message = query.get("message")
    if not isinstance(message, Mapping) or "chat" not in message:
        return [AnswerPress(query_id, STALE)]
    chat_id = str(message["chat"]["id"])
    shown = Shown(str(message["message_id"]), message_html(message), message_buttons(message))
    return bot.conversation.press(chat_id, shown, str(query.get("data", "")), query_id)


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
