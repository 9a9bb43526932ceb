"""Files attached to an email arrive as real MIME attachments through a real SMTP server
(aiosmtpd): the same bytes, the Vietnamese file name intact (RFC 2231), text and HTML
bodies still an alternative pair."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from notifier.channels.base import Attachment, OutgoingMessage
from notifier.channels.console import format_block
from notifier.channels.email import EmailChannel
from notifier.clock import VirtualClock
from tests.channels.test_email import make_message, parts, settings_for
from tests.fakes.smtp import smtp_server

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LONG_NAME = (
    "Báo cáo kết quả 6 tháng đầu năm 2024 thực hiện Kế hoạch số 24-KH-UBND của Ủy ban nhân "
    "dân huyện Ba Tơ về hợp tác, kết nghĩa với thị xã Thái Hòa.docx"
)


def attachments() -> tuple[Attachment, ...]:
    docx = bytes(range(256)) * 300 + b"PK\x03\x04 cu\xe1\xbb\x91i"  # binary, every byte value
    return (
        Attachment(LONG_NAME, DOCX, docx),
        Attachment("Biểu tổng hợp tình hình thực hiện.xlsx", XLSX, b"PK\x03\x04" + b"\x00" * 99),
        Attachment(
            "Biểu tổng hợp.csv", "text/csv", "\ufeffSTT,Nhiệm vụ\r\n1,Thái Hòa\r\n".encode()
        ),
    )


async def test_attachments_round_trip_bytes_and_vietnamese_names() -> None:
    files = attachments()
    with smtp_server() as (handler, port):
        channel = EmailChannel(
            settings_for(port), clock=VirtualClock(datetime(2024, 6, 17, tzinfo=UTC))
        )
        await channel.send(make_message(attachments=files))
        await channel.aclose()
    [got] = handler.received
    parsed = got.parsed()
    assert parsed.get_content_type() == "multipart/mixed"
    text, html = parts(parsed)
    assert text.startswith("Kính gửi Phòng Tài chính – Kế hoạch,") and "<b>" in html
    received = list(parsed.iter_attachments())
    assert [(a.get_filename(), a.get_content_type()) for a in received] == [
        (f.filename, f.mime_type) for f in files
    ]
    assert [a.get_payload(decode=True) for a in received] == [f.data for f in files]
    assert all(a.get_content_disposition() == "attachment" for a in received)
    assert all(len(line) <= 998 for line in got.data.split(b"\r\n"))


async def test_a_message_without_attachments_stays_an_alternative() -> None:
    with smtp_server() as (handler, port):
        channel = EmailChannel(settings_for(port))
        await channel.send(make_message())
        await channel.aclose()
    assert handler.received[0].parsed().get_content_type() == "multipart/alternative"


def test_console_names_the_attached_files() -> None:
    block = format_block(make_message(channel="console", attachments=attachments()[1:2]))
    assert "Tệp đính kèm: Biểu tổng hợp tình hình thực hiện.xlsx (103 byte)" in block


@pytest.mark.parametrize(
    ("filename", "mime"),
    [("", DOCX), ("thư mục/báo cáo.docx", DOCX), ("a\r\nBcc: x@y.z", DOCX), ("a.docx", "docx")],
)
def test_attachment_refuses_paths_header_breaks_and_bad_types(filename: str, mime: str) -> None:
    with pytest.raises(ValueError):
        Attachment(filename, mime, b"x")


def test_outgoing_message_has_no_attachments_by_default() -> None:
    message = OutgoingMessage(key="n1", channel="email", address="a@b.vn", subject="s", text="t")
    assert message.attachments == ()
