"""The console channel: the embedded default, for trying the program without servers.

Each message becomes a readable block, printed to a stream and appended (UTF-8) to a
file, so a rehearsal leaves a transcript a person can read afterwards.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from notifier.channels.base import OutgoingMessage, SendResult
from notifier.vocab import ChannelName

_RULE = "─" * 72


def format_block(message: OutgoingMessage) -> str:
    """The block for one message: subject, recipient, text, attached files, buttons."""
    to = (
        f"{message.recipient_name} <{message.address}>"
        if message.recipient_name
        else message.address
    )
    lines = [
        _RULE,
        message.subject,
        f"Đến: {to}  [{message.channel} · {message.key}]",
        "",
        message.text.rstrip("\n"),
    ]
    if message.attachments:
        lines.append("")
    for attachment in message.attachments:
        lines.append(f"Tệp đính kèm: {attachment.filename} ({len(attachment.data)} byte)")
    if message.buttons:
        labels = "  ".join(f"[{b.label}]" for b in message.buttons)
        lines += ["", labels]
    return "\n".join(lines) + "\n"


class ConsoleChannel:
    """Prints each message and appends it to ``path``; never fails for a bad address."""

    name: str = ChannelName.CONSOLE

    def __init__(self, path: Path, stream: TextIO | None = sys.stdout) -> None:
        self.path = path
        self.stream = stream
        self._lock = asyncio.Lock()

    async def send(self, message: OutgoingMessage) -> SendResult:
        block = format_block(message)
        async with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(block)
            if self.stream is not None:
                self.stream.write(block)
                self.stream.flush()
        return SendResult(provider_id=message.key)

    async def aclose(self) -> None:
        return None
