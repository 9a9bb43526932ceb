"""Throughput of the Zalo bot channel against the fake Zalo Bot API (not run by CI).

    .venv/bin/python -m benchmarks.bench_zalo [COUNT] [CONCURRENCY...]

Sends COUNT (default 5,000) messages through ZaloBotChannel (one reused httpx client)
to the fake server on 127.0.0.1, once per concurrency level (default 1 and 8), and
prints messages per second. Half the messages are over 2,000 characters, so the figure
includes fitting them. The fake runs in this process, so its cost is in the figure; the
real limit is whatever Zalo allows per bot (not documented; see docs/zalo.md).
"""

from __future__ import annotations

import asyncio
import os
import platform
import resource
import sys
import time

from notifier.channels.base import OutgoingMessage
from notifier.channels.zalo import ZALO_TEXT_LIMIT, ZaloBotChannel
from tests.fakes.zalo_bot_api import FakeZaloBotApi

LINKS = "\n".join(
    f"{label}: https://tb.example.vn/a/n{{i}}.{action}.c2lnbmVkLXRva2Vu"
    for label, action in (("Đã nhận", "nhan"), ("Xong", "xong"), ("Vướng", "vuong"))
)
SHORT = "[Nhắc hạn] Báo cáo thuế quý II của UBND huyện Ba Tơ\nHạn: 02/5/2024\n\n" + LINKS
LONG = "Kính gửi Phòng Tài chính – Kế hoạch, nội dung nhiệm vụ của kế hoạch.\n" * 40


def message(i: int) -> OutgoingMessage:
    text = SHORT.replace("{i}", str(i))
    if i % 2:
        text = LONG + "\n" + text  # over the limit: fitted, links kept
    return OutgoingMessage(
        key=f"n{i}",
        channel="zalo",
        address=f"{i:020x}",
        subject="[Nhắc hạn] Báo cáo thuế quý II",
        text="",
        short_text=text,
        kind="reminder",
    )


async def bench(count: int, concurrency: int) -> float:
    async with FakeZaloBotApi() as fake:
        channel = ZaloBotChannel(fake.token, base_url=fake.url)
        queue = iter(range(count))

        async def worker() -> None:
            for i in queue:
                await channel.send(message(i))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        await channel.aclose()
        sent = [m for chat in fake.chats.values() for m in chat]
        assert len(sent) == count and max(len(m.text) for m in sent) <= ZALO_TEXT_LIMIT
    rate = count / elapsed
    print(f"zalo: {count} messages, {concurrency} concurrent: {elapsed:.2f} s = {rate:,.0f} msg/s")
    return rate


async def main(count: int, levels: list[int]) -> None:
    print(
        f"bench_zalo: count={count} concurrency={levels} python={platform.python_version()} "
        f"cpus={os.cpu_count()} (fake Zalo Bot API in-process, 127.0.0.1)"
    )
    for level in levels:
        await bench(count, level)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(args[0] if args else 5_000, args[1:] or [1, 8]))
