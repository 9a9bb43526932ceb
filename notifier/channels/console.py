"""The console channel: the embedded default, for trying the program without servers.

Each message becomes a readable block, printed to a stream and appended (UTF-8) to a
file, so a rehearsal leaves a transcript a person can read afterwards.
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from pathlib import Path
from typing import TextIO

from notifier.channels.base import ChannelError, OutgoingMessage, SendResult
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
    """Prints each message and appends it to ``path`` (mode 0600: the answer links in it
    are live); never fails for a bad address, a file it cannot write is a transient error."""

    name: str = ChannelName.CONSOLE

    def __init__(self, path: Path, stream: TextIO | None = sys.stdout) -> None:
        self.path = path
        self.stream = stream
        self._lock = asyncio.Lock()

    async def send(self, message: OutgoingMessage) -> SendResult:
        block = format_block(message)
        async with self._lock:
            try:
                self._append(block)
            except OSError as exc:  # full disk, read-only folder: retry later, name the file
                raise ChannelError(
                    f"cannot write the console log {self.path}: {exc.strerror or exc}",
                    permanent=False,
                ) from exc
            if self.stream is not None:
                self.stream.write(block)
                self.stream.flush()
        return SendResult(provider_id=message.key)

    def _append(self, block: str) -> None:
        """Append to the log, created 0600: its answer links work for whoever reads them."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        mode = os.fstat(fd).st_mode
        if stat.S_ISREG(mode) and mode & 0o077:  # a log left readable by an older version
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as file:
            file.write(block)

    async def aclose(self) -> None:
        return None
