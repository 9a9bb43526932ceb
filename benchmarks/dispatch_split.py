"""Where a dispatched message's time goes, against the plain client's whole message.

Usage: python -m benchmarks.dispatch_split [--messages N] [--runs R] [--channels ...]
       [--latency MS]

The fixture and both sides are ``bench_dispatch_plain``'s (real reminders of the seed plan,
rate limits off, the server in a process of its own). Around the project's run, each stage
is timed where it runs (wall time per call, summed): the channel's ``send`` (the client
library and the network, on the event loop), and inside the worker thread's one
transaction per message: the claim, the context built from the deadline as it is now, the
answer links or buttons signed, the render, the outcome of the message before, and the
rest of that transaction (the text kept, the attempt opened, the commit). Prints
milliseconds per message, medians of R runs, beside the plain client's milliseconds per
message: the project can reach 80 % of the plain throughput only while what it does
besides ``send`` stays within a quarter of the plain message's time.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.bench_dispatch_plain import one_run
from notifier.channels.email import EmailChannel
from notifier.channels.telegram import TelegramChannel
from notifier.engine import dispatch as dispatch_module
from notifier.render import Renderer

# (owner, attribute, stage name); the first is the whole one-transaction step
STAGES: list[tuple[Any, str, str]] = [
    (dispatch_module.Dispatcher, "_next", "transaction"),
    (dispatch_module, "claim_leases", "claim"),
    (dispatch_module, "build_context", "context"),
    (dispatch_module.Dispatcher, "_answer_surface", "links"),
    (Renderer, "render", "render"),
    (dispatch_module.Dispatcher, "_write_sent", "outcome"),
]
SENDS = [(EmailChannel, "send"), (TelegramChannel, "send")]


@contextmanager
def timed(spent: dict[str, float]) -> Iterator[None]:
    """Every stage's function wrapped to add its wall time to ``spent``; restored after."""
    saved: list[tuple[Any, str, Any]] = []

    def wrap(owner: Any, name: str, stage: str) -> None:
        original = getattr(owner, name)
        saved.append((owner, name, original))

        def sync(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[stage] += time.perf_counter() - started

        async def coroutine(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                spent[stage] += time.perf_counter() - started

        replacement: Callable[..., Any] = (
            coroutine if asyncio.iscoroutinefunction(original) else sync
        )
        setattr(owner, name, replacement)

    for owner, name, stage in STAGES:
        wrap(owner, name, stage)
    for owner, name in SENDS:
        wrap(owner, name, "send")
    try:
        yield
    finally:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--channels", nargs="+", default=["email", "telegram"])
    parser.add_argument("--latency", type=float, default=0.0, metavar="MS")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-split-"))
    print(
        f"{args.messages} real reminders per run (seed plan, 22/4/2024), rate limits off, "
        f"server latency {args.latency:g} ms, {args.runs} runs; ms per message, medians"
    )
    for channel in args.channels:
        runs: list[dict[str, float]] = []
        for _ in range(args.runs):
            spent: dict[str, float] = defaultdict(float)
            with timed(spent):
                mine, theirs = asyncio.run(
                    one_run(tmp, channel, args.messages, args.latency / 1000)
                )
            spent["project"], spent["plain"] = mine, theirs
            runs.append(spent)

        def per(stage: str, runs: list[dict[str, float]] = runs) -> float:
            return 1000 * statistics.median(r[stage] for r in runs) / args.messages

        inner = ("claim", "context", "links", "render", "outcome")
        rest = per("transaction") - sum(per(s) for s in inner)
        besides = per("project") - per("send")
        print(
            f"{channel:8}: project {per('project'):.2f} = send {per('send'):.2f} + the rest "
            f"{besides:.2f} (in its transaction: claim {per('claim'):.2f}, context "
            f"{per('context'):.2f}, links {per('links'):.2f}, render {per('render'):.2f}, "
            f"outcome {per('outcome'):.2f}, text kept + attempt + commit {rest:.2f}); "
            f"plain client {per('plain'):.2f}; the rest / plain = {besides / per('plain'):.2f} "
            f"(0.8 of plain throughput needs <= 0.25)"
        )


if __name__ == "__main__":
    main()
