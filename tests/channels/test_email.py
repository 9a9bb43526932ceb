"""EmailChannel against a real aiosmtpd server on loopback; received bytes parsed back."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifier.channels.base import ChannelError, OutgoingMessage
from notifier.channels.email import EmailChannel, SmtpSettings, build_email, encode_subject
from notifier.clock import VirtualClock
from tests.fakes.smtp import RecordingHandler, free_port, smtp_server

NOW = datetime(2024, 4, 1, 1, 30, tzinfo=UTC)
LONG_SUBJECT = (
    "[Nhắc hạn] Còn 2 ngày làm việc: Tham quan, học tập kinh nghiệm về công tác chỉ đạo "
    "điều hành trong thực hiện phát triển đô thị, báo cáo thuế quý II"
)
SENDER = "Văn phòng UBND huyện Ba Tơ <nhac-han@bato.gov.vn>"


def settings_for(port: int, **extra: object) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, sender=SENDER, timeout=5.0, **extra)  # type: ignore[arg-type]


def make_message(key: str = "n42", subject: str = LONG_SUBJECT, **extra: object) -> OutgoingMessage:
    fields: dict[str, object] = {
        "key": key,
        "channel": "email",
        "address": "vp@bato.gov.vn",
        "subject": subject,
        "text": "Kính gửi Phòng Tài chính – Kế hoạch,\nhạn chót 03/04/2024.",
        "html": "<p>Kính gửi <b>Phòng Tài chính – Kế hoạch</b>,</p><p>hạn 03/04/2024</p>",
        "recipient_name": "Phòng Tài chính – Kế hoạch huyện Ba Tơ",
    }
    fields.update(extra)
    return OutgoingMessage(**fields)  # type: ignore[arg-type]


def parts(received: EmailMessage) -> tuple[str, str]:
    text = received.get_body(("plain",))
    html = received.get_body(("html",))
    assert text is not None and html is not None
    # base64 parts carry text in canonical CRLF form (RFC 2045); compare lines
    return text.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")


async def test_message_arrives_with_exact_subject_bodies_ids_and_names() -> None:
    with smtp_server() as (handler, port):
        channel = EmailChannel(settings_for(port), clock=VirtualClock(NOW))
        result = await channel.send(make_message())
        await channel.aclose()
    [got] = handler.received
    parsed = got.parsed()
    assert parsed["Subject"] == LONG_SUBJECT
    assert parsed["Message-ID"] == "<n42@notifier.local>" == result.provider_id
    assert parsed.get_content_type() == "multipart/alternative"
    text, html = parts(parsed)
    assert text.rstrip("\n") == "Kính gửi Phòng Tài chính – Kế hoạch,\nhạn chót 03/04/2024."
    assert "<b>Phòng Tài chính – Kế hoạch</b>" in html
    [to] = parsed["To"].addresses
    assert (to.display_name, to.addr_spec) == (
        "Phòng Tài chính – Kế hoạch huyện Ba Tơ",
        "vp@bato.gov.vn",
    )
    [sender] = parsed["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (
        "Văn phòng UBND huyện Ba Tơ",
        "nhac-han@bato.gov.vn",
    )
    assert got.mail_from == "nhac-han@bato.gov.vn" and got.rcpt_tos == ["vp@bato.gov.vn"]
    assert parsedate_to_datetime(parsed["Date"]) == NOW
    assert all(len(line) <= 998 for line in got.data.split(b"\r\n"))


def test_python_default_folding_would_lose_the_space_our_encoding_keeps() -> None:
    """Guards the reason for the custom policy: a subject the stdlib breaks."""
    from email import message_from_bytes, policy

    subject = "Ba ngày chỉ Tham II cáo quý a triển về việc: II hạn"
    stdlib = EmailMessage()
    stdlib["Subject"] = subject
    back = message_from_bytes(stdlib.as_bytes(policy=policy.SMTP), policy=policy.default)
    assert back["Subject"] != subject  # if this starts passing, Python fixed the bug
    ours = build_email(
        make_message(subject=subject), sender=SENDER, message_id_domain="x", date=NOW
    )
    assert message_from_bytes(ours, policy=policy.default)["Subject"] == subject


def test_encoded_subject_lines_stay_short_and_ascii() -> None:
    wire = encode_subject(LONG_SUBJECT)
    lines = wire.split("\r\n")
    assert len(lines) > 3
    assert all(len("Subject: " + line) <= 78 for line in lines)
    assert wire.isascii()
    assert encode_subject("Short ASCII subject") == "Short ASCII subject"


VIET_WORDS = st.sampled_from(
    "Nhắc hạn Còn ngày làm việc: Tham quan, học tập kinh nghiệm về công tác chỉ đạo điều "
    "hành thực hiện phát triển đô thị báo cáo thuế quý II Kế hoạch UBND huyện Ba Tơ "
    'Quảng Ngãi – (số 12/KH-UBND) "khẩn" ưu tiên a'.split()
)
SUBJECTS = st.lists(VIET_WORDS, min_size=1, max_size=45).flatmap(
    lambda words: st.lists(
        st.sampled_from([" ", " ", " ", "  "]), min_size=len(words) - 1, max_size=len(words) - 1
    ).map(lambda gaps: "".join(w + g for w, g in zip(words, [*gaps, ""], strict=True)))
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subjects=st.lists(SUBJECTS, min_size=3, max_size=3))
async def test_long_vietnamese_subjects_round_trip_exactly_through_smtp(
    subjects: list[str],
) -> None:
    with smtp_server() as (handler, port):
        channel = EmailChannel(settings_for(port), clock=VirtualClock(NOW))
        for i, subject in enumerate(subjects):
            await channel.send(make_message(key=f"n{i}", subject=subject))
        await channel.aclose()
    assert [r.parsed()["Subject"] for r in handler.received] == subjects


async def test_many_messages_share_one_smtp_connection() -> None:
    with smtp_server() as (handler, port):
        channel = EmailChannel(settings_for(port), clock=VirtualClock(NOW))
        for i in range(25):
            await channel.send(make_message(key=f"n{i}"))
        await channel.aclose()
    assert len(handler.received) == 25
    assert handler.sessions() == 1
    assert [r.parsed()["Message-ID"] for r in handler.received] == [
        f"<n{i}@notifier.local>" for i in range(25)
    ]


async def test_reconnects_when_server_dropped_the_connection() -> None:
    port = free_port()
    channel = EmailChannel(settings_for(port), clock=VirtualClock(NOW))
    with smtp_server(port=port) as (first, _):
        await channel.send(make_message(key="n1"))
    with smtp_server(port=port) as (second, _):
        await channel.send(make_message(key="n2"))
        await channel.aclose()
    assert [r.parsed()["Message-ID"] for r in first.received] == ["<n1@notifier.local>"]
    assert [r.parsed()["Message-ID"] for r in second.received] == ["<n2@notifier.local>"]


async def test_refused_recipient_is_permanent_and_connection_survives() -> None:
    with smtp_server(refuse={"khongco@bato.gov.vn"}) as (handler, port):
        channel = EmailChannel(settings_for(port), clock=VirtualClock(NOW))
        with pytest.raises(ChannelError) as caught:
            await channel.send(make_message(address="khongco@bato.gov.vn"))
        await channel.send(make_message(key="n2"))
        await channel.aclose()
    assert caught.value.permanent is True
    assert "550" in caught.value.reason and "khongco@bato.gov.vn" in caught.value.reason
    assert [r.rcpt_tos for r in handler.received] == [["vp@bato.gov.vn"]]


async def test_server_down_is_transient() -> None:
    channel = EmailChannel(settings_for(free_port()), clock=VirtualClock(NOW))
    with pytest.raises(ChannelError) as caught:
        await channel.send(make_message())
    assert caught.value.permanent is False
    assert "127.0.0.1" in caught.value.reason
    await channel.aclose()


async def test_malformed_address_is_permanent() -> None:
    channel = EmailChannel(settings_for(free_port()), clock=VirtualClock(NOW))
    with pytest.raises(ChannelError) as caught:
        await channel.send(make_message(address="not an address@@"))
    assert caught.value.permanent is True


async def test_login_is_used_when_configured() -> None:
    users = {"notifier": "mật-khẩu"}
    with smtp_server(users=users) as (handler, port):
        channel = EmailChannel(
            settings_for(port, username="notifier", password="mật-khẩu"), clock=VirtualClock(NOW)
        )
        await channel.send(make_message())
        await channel.aclose()
    assert [r.login for r in handler.received] == ["notifier"]


async def test_wrong_password_is_transient_with_an_admin_reason() -> None:
    with smtp_server(users={"notifier": "right"}) as (handler, port):
        channel = EmailChannel(
            settings_for(port, username="notifier", password="wrong"), clock=VirtualClock(NOW)
        )
        with pytest.raises(ChannelError) as caught:
            await channel.send(make_message())
        await channel.aclose()
    assert caught.value.permanent is False
    assert "login" in caught.value.reason and "administrator" in caught.value.reason
    assert handler.received == []


async def test_non_ascii_mailbox_is_permanent() -> None:
    channel = EmailChannel(settings_for(free_port()), clock=VirtualClock(NOW))
    with pytest.raises(ChannelError) as caught:
        await channel.send(make_message(address="văn.phòng@bato.gov.vn"))
    assert caught.value.permanent is True


async def test_a_message_refused_after_data_with_5xx_is_permanent() -> None:
    """554 after DATA (a content filter): retrying for 24 hours cannot help, so the
    dispatcher falls back to the person's next channel at once."""
    handler = RecordingHandler(reject_data={"vp@bato.gov.vn"})
    with smtp_server(handler=handler) as (_, port):
        channel = EmailChannel(settings_for(port), clock=VirtualClock(NOW))
        with pytest.raises(ChannelError) as caught:
            await channel.send(make_message())
        await channel.send(make_message(key="n2", address="tc@bato.gov.vn"))
        await channel.aclose()
    assert caught.value.permanent is True
    assert "554" in caught.value.reason and "DATA" in caught.value.reason
    assert handler.rejected == [["vp@bato.gov.vn"]]
    assert [r.rcpt_tos for r in handler.received] == [["tc@bato.gov.vn"]]


def test_a_4xx_after_data_stays_transient() -> None:
    import aiosmtplib

    from notifier.channels.email import smtp_error

    error = smtp_error(aiosmtplib.SMTPDataError(451, "try later"), settings_for(25))
    assert error.permanent is False and "451" in error.reason
