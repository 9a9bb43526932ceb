"""ConsoleChannel prints a readable block and appends it to a UTF-8 file."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from notifier.channels.base import Button, ChannelError, OutgoingMessage
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


async def test_the_log_is_created_0600_because_its_answer_links_work(tmp_path: Path) -> None:
    path = tmp_path / "var" / "outbox.log"
    await ConsoleChannel(path, stream=None).send(message("n1", "Nhắc hạn"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_a_log_left_readable_by_an_older_version_is_closed_to_others(
    tmp_path: Path,
) -> None:
    path = tmp_path / "outbox.log"
    path.write_text("trước đó\n", encoding="utf-8")
    path.chmod(0o644)
    await ConsoleChannel(path, stream=None).send(message("n1", "Nhắc hạn"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8").startswith("trước đó\n")


async def test_a_full_disk_is_a_transient_channel_error_naming_the_file() -> None:
    """/dev/full answers every write with ENOSPC, as a full disk does."""
    channel = ConsoleChannel(Path("/dev/full"), stream=None)
    with pytest.raises(ChannelError) as caught:
        await channel.send(message("n1", "Nhắc hạn"))
    assert caught.value.permanent is False
    assert "/dev/full" in caught.value.reason and "No space left" in caught.value.reason
