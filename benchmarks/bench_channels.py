"""Throughput of the email and Telegram channels against local servers (not run by CI).

    .venv/bin/python -m benchmarks.bench_channels [COUNT]

Sends COUNT (default 10,000) emails over one SMTP connection to an aiosmtpd server on
127.0.0.1, then COUNT Telegram messages through python-telegram-bot to the fake Bot API
(rate limits off), and prints messages per second and the process's peak memory. Both
servers run in this process (aiosmtpd in its own thread), so the figures include their
cost; the real bottlenecks are Telegram's 30 msg/s and the mail server.
"""

from __future__ import annotations

import asyncio
import resource
import sys
import time
from datetime import UTC, datetime
from typing import Any

from aiosmtpd.controller import Controller

from notifier.channels.base import Button, OutgoingMessage
from notifier.channels.email import EmailChannel, SmtpSettings
from notifier.channels.telegram import TelegramChannel
from notifier.clock import VirtualClock
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.smtp import free_port

SUBJECT = "[Nhắc hạn] Còn 2 ngày làm việc: báo cáo thuế quý II của UBND huyện Ba Tơ"
TEXT = "Kính gửi Phòng Tài chính – Kế hoạch,\nhạn chót 03/04/2024.\n" * 5
HTML = "<p>Kính gửi <b>Phòng Tài chính – Kế hoạch</b>,</p><p>hạn chót 03/04/2024.</p>" * 5


class CountingHandler:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.count += 1
        return "250 OK"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def message(i: int, channel: str, address: str) -> OutgoingMessage:
    return OutgoingMessage(
        key=f"n{i}",
        channel=channel,
        address=address,
        subject=SUBJECT,
        text=TEXT,
        html=HTML,
        telegram_html=f"<b>{SUBJECT}</b>\n{TEXT}",
        recipient_name="Phòng Tài chính – Kế hoạch",
        buttons=(Button("Đã nhận", callback_data=f"ack:n{i}"),),
    )


async def bench_email(count: int) -> None:
    handler, port = CountingHandler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    clock = VirtualClock(datetime(2024, 4, 1, tzinfo=UTC))
    channel = EmailChannel(
        SmtpSettings("127.0.0.1", port, "Văn phòng <vp@bato.gov.vn>"), clock=clock
    )
    started = time.perf_counter()
    for i in range(count):
        await channel.send(message(i, "email", f"user{i}@bato.gov.vn"))
    elapsed = time.perf_counter() - started
    await channel.aclose()
    controller.stop()
    assert handler.count == count
    print(
        f"email:    {count} in {elapsed:.1f} s = {count / elapsed:,.0f} msg/s "
        f"(one SMTP connection); peak RSS {peak_mib():.0f} MiB"
    )


async def bench_telegram(count: int, concurrency: int) -> None:
    async with FakeBotApi() as fake:
        channel = TelegramChannel("1:bench", base_url=f"{fake.url}/bot")
        queue = iter(range(count))

        async def worker() -> None:
            for i in queue:
                await channel.send(message(i, "telegram", str(100000 + i)))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        await channel.aclose()
        assert len(fake.calls("sendMessage")) == count
    print(
        f"telegram: {count} in {elapsed:.1f} s = {count / elapsed:,.0f} msg/s "
        f"({concurrency} concurrent, fake server in-process); peak RSS {peak_mib():.0f} MiB"
    )


async def main(count: int) -> None:
    print(f"start: peak RSS {peak_mib():.0f} MiB")
    await bench_email(count)
    await bench_telegram(count, concurrency=1)
    await bench_telegram(count, concurrency=8)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
