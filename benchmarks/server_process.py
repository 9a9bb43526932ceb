"""A benchmark's server in a process of its own, as a real mail server or Bot API is.

Usage (from a benchmark): ``python -m benchmarks.server_process smtp|telegram LATENCY OUT``.
Starts aiosmtpd or the fake Bot API on a free loopback port, prints its address on the
first line of stdout, and appends what it receives to ``OUT`` (one JSON line per message:
email as sender, recipients and the raw bytes in base64; Telegram as chat id, text, parse
mode, keyboard and link-preview option), so the plain client can send the same messages
again. Each message takes ``LATENCY`` seconds more (the network's and the server's round
trips: Telegram answers the request after that long; SMTP spreads it over its three
replies). Runs until stdin closes.

In the benchmark's own process the server would share its interpreter lock: every hop of
an SMTP conversation would wait for the dispatcher's preparing thread, a cost no real
deployment pays.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.bot_api import FakeBotApi  # noqa: E402
from tests.fakes.smtp import free_port  # noqa: E402


class Keeper:
    """An SMTP handler that writes down what it accepts. ``latency`` is spread over the
    three replies of a message's transaction (MAIL, RCPT, end of DATA): a distant server
    makes the client wait a round trip for each, not once at the end."""

    def __init__(self, latency: float, out: Path) -> None:
        self.wait, self.out = latency / 3, out.open("a", encoding="utf-8")

    async def handle_MAIL(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.wait:
            await asyncio.sleep(self.wait)
        envelope.mail_from, envelope.mail_options = address, options
        return "250 OK"

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.wait:
            await asyncio.sleep(self.wait)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.wait:
            await asyncio.sleep(self.wait)
        raw = base64.b64encode(envelope.content).decode("ascii")
        line = {"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "raw": raw}
        self.out.write(json.dumps(line) + "\n")
        self.out.flush()
        return "250 OK"


class RecordingBotApi(FakeBotApi):
    """The fake Bot API, each message sent also written down as a JSON line."""

    def __init__(self, out: Path) -> None:
        super().__init__()
        self.out = out.open("a", encoding="utf-8")

    async def _api_sendmessage(self, params: dict[str, Any]) -> Any:
        result = await super()._api_sendmessage(params)
        line = {
            "chat_id": str(params.get("chat_id", "")),
            "text": str(params.get("text", "")),
            "parse_mode": params.get("parse_mode"),
            "reply_markup": params.get("reply_markup"),
            "link_preview_options": params.get("link_preview_options"),
        }
        self.out.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.out.flush()
        return result


async def _until_stdin_closes() -> None:
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def _smtp(latency: float, out: Path) -> None:
    port = free_port()
    controller = Controller(Keeper(latency, out), hostname="127.0.0.1", port=port)
    controller.start()
    print(port, flush=True)
    try:
        await _until_stdin_closes()
    finally:
        controller.stop()


async def _telegram(latency: float, out: Path) -> None:
    async with RecordingBotApi(out) as fake:
        fake.latency = latency
        print(fake.url, flush=True)
        await _until_stdin_closes()


def main() -> None:
    kind, latency, out = sys.argv[1], float(sys.argv[2]), Path(sys.argv[3])
    asyncio.run(_smtp(latency, out) if kind == "smtp" else _telegram(latency, out))


if __name__ == "__main__":
    main()
