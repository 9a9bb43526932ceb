"""ConsoleChannel prints a readable block and appends it to a UTF-8 file."""

from __future__ import annotations

import io
from pathlib import Path

from notifier.channels.base import Button, OutgoingMessage
from notifier.channels.console import ConsoleChannel


def message(key: str, subject: str) -> OutgoingMessage:
    return OutgoingMessage(
        key=key,
        channel="console",
        address="vp@bato.gov.vn",
        subject=subject,
        text="Hạn chót: 03/04/2024 (Thứ Tư)\n",
        recipient_name="Phòng Tài chính – Kế hoạch",
        buttons=(Button("Đã nhận", callback_data="ack:1"),),
    )


async def test_block_is_printed_and_appended_to_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "outbox.txt"
    stream = io.StringIO()
    channel = ConsoleChannel(path, stream=stream)
    first = await channel.send(message("n1", "[Nhắc hạn] Báo cáo thuế quý II"))
    await channel.send(message("n2", "[Quá hạn] Tham quan học tập"))
    await channel.aclose()
    written = path.read_text(encoding="utf-8")
    assert written == stream.getvalue()
    assert written.index("[Nhắc hạn] Báo cáo thuế quý II") < written.index("[Quá hạn]")
    assert "Đến: Phòng Tài chính – Kế hoạch <vp@bato.gov.vn>" in written
    assert "Hạn chót: 03/04/2024 (Thứ Tư)" in written
    assert "[Đã nhận]" in written
    assert first.provider_id == "n1"


async def test_existing_file_is_appended_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "outbox.txt"
    path.write_text("trước đó\n", encoding="utf-8")
    await ConsoleChannel(path, stream=None).send(message("n1", "Nhắc hạn"))
    assert path.read_text(encoding="utf-8").startswith("trước đó\n")
    assert "Nhắc hạn" in path.read_text(encoding="utf-8")
