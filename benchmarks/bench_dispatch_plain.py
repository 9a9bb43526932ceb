"""Dispatch of real reminders against the plain client sending the same bytes, same run.

Usage: python -m benchmarks.bench_dispatch_plain [--messages N] [--runs R] [--channels ...]
       [--latency MS ...]

Each run builds, outside the timing, the seed plan's world on 22/4/2024 08:00 (imported and
swept: real reminder rows, whose context is built from the deadline at send time), copied
to N rows on one channel, rate limits off. Then, timed and alternating:

- the project: ``dispatch_all`` (claim, context, answer links or buttons signed, render,
  attempt committed, send, outcome committed), one message at a time as its lane does;
- plain: the same messages, as the server received them, sent again one at a time by the
  plain client: aiosmtplib over one connection (the raw bytes), python-telegram-bot's
  ``send_message`` (the same HTML text, keyboard and link-preview option).

Email goes to aiosmtpd on loopback, Telegram to the fake Bot API, each in a process of its
own (``benchmarks/server_process.py``: a real server never shares the dispatcher's
interpreter and its lock). ``--latency`` makes each message take that many milliseconds
more at the server, for both sides alike (the network's and a real server's round trips:
the Bot API answers after that long, SMTP spreads it over its MAIL, RCPT and end-of-DATA
replies; 0, the default, leaves only the two programs' own work). Prints medians of R runs
and the ratio project / plain throughput (the goal is at least 0.8).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiosmtplib
from sqlmodel import col, select
from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from notifier.engine.channels import build_channels  # noqa: E402
from notifier.engine.dispatch import dispatch_all  # noqa: E402
from notifier.engine.ratelimit import RateLimiter  # noqa: E402
from notifier.heap import settle_after_startup  # noqa: E402
from notifier.store.db import session_scope  # noqa: E402
from notifier.store.models import Notification  # noqa: E402
from notifier.store.outbox import insert_rows  # noqa: E402
from notifier.vocab import DeliveryStatus, MessageKind  # noqa: E402
from tests.engine.test_dispatch import Env  # noqa: E402
from tests.engine.test_dispatch_real_channels import TOKEN, seeded  # noqa: E402
from tests.fakes.smtp import free_port  # noqa: E402


def multiply(env: Env, channel: str, count: int) -> None:
    """``count`` copies of the swept reminders on ``channel``; the originals cancelled."""
    columns = [c.name for c in Notification.__table__.columns if c.name != "id"]  # type: ignore[attr-defined]
    with session_scope(env.engine) as session:
        rows = session.exec(
            select(Notification).where(
                Notification.kind == MessageKind.REMINDER,
                Notification.channel == channel,
                Notification.status == DeliveryStatus.PENDING,
            )
        ).all()
        assert rows, f"no pending {channel} reminder after the sweep"
        base = [{name: getattr(row, name) for name in columns} for row in rows]
        for row in rows:
            row.status = DeliveryStatus.CANCELLED
        others = select(Notification).where(col(Notification.status) == DeliveryStatus.PENDING)
        for row in session.exec(others).all():
            row.status = DeliveryStatus.CANCELLED  # only the copies are timed
        session.flush()
        copies = []
        for i in range(count):
            values = dict(base[i % len(base)])
            values["occurrence"] = f"{values['occurrence']}#{i}"
            values["status"] = DeliveryStatus.PENDING
            copies.append(values)
        insert_rows(session, copies)


async def project(env: Env, count: int) -> float:
    channels = build_channels(env.runtime.settings, env.clock, echo=False)
    channels.limiter = RateLimiter(env.clock, {})  # limits off
    started = time.perf_counter()
    report = await dispatch_all(env.runtime, channels, "bench", batch=200)
    seconds = time.perf_counter() - started
    await channels.aclose()
    assert report.sent == count, report
    return seconds


async def plain_email(port: int, mails: list[tuple[str, list[str], bytes]]) -> float:
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
    started = time.perf_counter()
    await smtp.connect()
    for sender, recipients, raw in mails:
        await smtp.sendmail(sender, recipients, raw)
    await smtp.quit()
    return time.perf_counter() - started


def telegram_requests(sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``send_message``'s arguments for the requests the server received: the same text,
    parse mode, keyboard and link-preview option (the buttons are part of the message)."""
    requests = []
    for m in sent:
        markup, preview = m.get("reply_markup"), m.get("link_preview_options")
        requests.append(
            {
                "chat_id": m["chat_id"],
                "text": m["text"],
                "parse_mode": m.get("parse_mode"),
                "reply_markup": InlineKeyboardMarkup.de_json(markup, None) if markup else None,
                "link_preview_options": LinkPreviewOptions.de_json(preview, None)
                if preview
                else None,
            }
        )
    return requests


async def plain_telegram(url: str, requests: list[dict[str, Any]]) -> float:
    bot = Bot(TOKEN, base_url=f"{url}/bot")
    await bot.initialize()
    started = time.perf_counter()
    for arguments in requests:
        await bot.send_message(**arguments)
    seconds = time.perf_counter() - started
    await bot.shutdown()
    return seconds


@contextmanager
def server(kind: str, latency: float, out: Path) -> Iterator[str]:
    """The server in a process of its own (``server_process``); yields its address."""
    command = [sys.executable, "-m", "benchmarks.server_process", kind, str(latency), str(out)]
    process = subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        yield process.stdout.readline().strip()
    finally:
        process.stdin.close()
        process.wait(timeout=30)


def received(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


async def one_run(tmp: Path, channel: str, count: int, latency: float) -> tuple[float, float]:
    run_dir = Path(tempfile.mkdtemp(dir=tmp))
    shutil.copytree(ROOT / "config", run_dir / "config")
    out = run_dir / "received.jsonl"
    kind = "smtp" if channel == "email" else "telegram"
    with server(kind, latency, out) as address:
        if channel == "email":  # the Bot API is not configured
            env = seeded(run_dir / "config", run_dir, int(address), None)
        else:  # email is configured on a port nobody listens on: its lane has nothing
            env = seeded(run_dir / "config", run_dir, free_port(), address)
        multiply(env, channel, count)
        settle_after_startup()  # as `notifier run` does; the plain client runs in this process too
        mine = await project(env, count)
        sent = received(out)
        assert len(sent) == count, (len(sent), count)
        if channel == "email":
            mails = [(m["from"], m["to"], base64.b64decode(m["raw"])) for m in sent]
            theirs = await plain_email(int(address), mails)
        else:
            theirs = await plain_telegram(address, telegram_requests(sent))
        env.engine.dispose()
    shutil.rmtree(run_dir)
    return mine, theirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--channels", nargs="+", default=["email", "telegram"])
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0], metavar="MS")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-plain-"))
    print(
        f"{args.messages} real reminders per run (seed plan, 22/4/2024), rate limits off, "
        f"{args.runs} runs alternating project and plain; medians"
    )
    for latency in args.latency:
        for channel in args.channels:
            pairs = [
                asyncio.run(one_run(tmp, channel, args.messages, latency / 1000))
                for _ in range(args.runs)
            ]
            mine = args.messages / statistics.median(p[0] for p in pairs)
            theirs = args.messages / statistics.median(p[1] for p in pairs)
            print(
                f"{channel:8} server latency {latency:4g} ms: project {mine:6.1f} msg/s, "
                f"plain client {theirs:6.1f} msg/s: ratio {mine / theirs:.2f}"
            )
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
