"""Instructions per sweep against the plain way, counted by callgrind: a ratio that does not
move with the machine's load (wall-clock ratios on this shared 2-core machine vary ±20 %).

Usage: python benchmarks/count_sweep.py [--rows N] [--repeat N]

Runs ``bench_sweep``'s fixture (1,000 due rows among N, SQLite, the collector settled as
``notifier run`` settles it) under ``valgrind --tool=callgrind`` six times: doing the sweep,
the plain way or neither, once and 1 + ``--repeat`` times. The difference between the two
counts of one side, less that of neither (the resets between runs), divided by ``--repeat``,
is what one warm run of it executes. Needs Debian's valgrind; takes a few minutes.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def child(rows: int, runs: int, only: str) -> None:
    """The measured process: the fixture, then ``runs`` rounds of ``only``."""
    import bench_sweep as b

    from notifier.clock import VirtualClock
    from notifier.engine.sweep import sweep
    from notifier.heap import settle_after_startup
    from notifier.runtime import build_runtime
    from notifier.settings import load_settings
    from notifier.store.db import make_engine, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/count.db"
        engine = make_engine(url)
        upgrade(engine)
        b._setup(engine)
        b._fill(engine, rows, 1000)
        settings = load_settings(ROOT / "config", url, env={})
        runtime = build_runtime(settings, engine, VirtualClock(b.NOW))
        settle_after_startup()
        for _ in range(runs):
            b._reset(engine, 1000)
            if only == "sweep":
                sweep(runtime, b.NOW)
            elif only == "plain":
                b.plain(engine, b.NOW, 1000)
        engine.dispose()


def counted(rows: int, runs: int, only: str, out: Path) -> int:
    target = out / f"{only}-{runs}.callgrind"
    command = [
        "valgrind", "--tool=callgrind", f"--callgrind-out-file={target}",
        sys.executable, __file__, "--child", only, "--rows", str(rows), "--runs", str(runs),
    ]  # fmt: skip
    subprocess.run(
        command, check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": "0"}
    )
    found = re.search(r"^summary: (\d+)", target.read_text(), re.MULTILINE)
    assert found, target
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=["sweep", "plain", "none"])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    if args.child:
        child(args.rows, args.runs, args.child)
        return
    print(f"1,000 due among {args.rows:,} rows, SQLite; warm runs: {args.repeat}; callgrind")
    jobs = [(only, runs) for only in ("sweep", "plain", "none") for runs in (1, 1 + args.repeat)]
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(2) as pool:
        counts = dict(
            zip(
                jobs,
                pool.map(lambda j: counted(args.rows, j[1], j[0], Path(tmp)), jobs),
                strict=True,
            )
        )
    per = {
        only: (counts[(only, 1 + args.repeat)] - counts[(only, 1)]) / args.repeat
        for only in ("sweep", "plain", "none")
    }
    sweep, plain = per["sweep"] - per["none"], per["plain"] - per["none"]
    print(
        f"instructions per run: sweep {sweep / 1e6:,.0f} M, plain {plain / 1e6:,.0f} M, "
        f"resets {per['none'] / 1e6:,.0f} M; ratio {sweep / plain:.2f}"
    )


if __name__ == "__main__":
    main()
