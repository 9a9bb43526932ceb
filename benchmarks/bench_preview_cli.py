"""`notifier preview` as a user runs it: a subprocess, its wall time and peak RSS.

Usage: python benchmarks/bench_preview_cli.py [--occurrences N ...] [--runs R]
       [--other-tree PATH]

For each N (default 5,000, 10,000 and 20,000, to show whether memory follows N) a SQLite
database gets a plan of N/10 tasks x 10 monthly deadlines (``bench_import``'s plan,
imported outside the timing), then ``notifier preview --from 2024-07-01 --to 2025-06-30``
runs as a table and as ``--json``, output to /dev/null. With ``--other-tree`` (a checkout
of another version, e.g. main) the same commands of that tree run too, alternating with
this tree's: the side-by-side before/after. Peak RSS is the child's ``ru_maxrss``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_import import big_plan, run_project, template_db  # noqa: E402

WINDOW = ("--from", "2024-07-01", "--to", "2025-06-30")


def command(tree: Path, db: Path, as_json: bool) -> list[str]:
    args = ["notifier", "--config", str(ROOT / "config"), "--db", f"sqlite:///{db}", "preview"]
    args += [*WINDOW] + (["--json"] if as_json else [])
    code = f"import sys; sys.path.insert(0, {str(tree)!r}); sys.argv = {args!r}; "
    code += "from notifier.cli import main; main()"
    return [sys.executable, "-c", code]


def run(cmd: list[str]) -> tuple[float, float, int]:
    """(seconds, peak RSS MiB, output bytes) of one run."""
    with tempfile.TemporaryFile() as out:
        began = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.returncode != 0:
            raise SystemExit(f"{cmd[-1][:80]}... failed: {err[-2000:]}")
        size = out.tell()
    return elapsed, usage.ru_maxrss / 1024, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--occurrences", type=int, nargs="+", default=[5_000, 10_000, 20_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--other-tree", type=Path, help="another checkout to run beside this one")
    args = parser.parse_args()
    trees = [("this tree", ROOT)] + ([("other tree", args.other_tree)] if args.other_tree else [])
    print(f"preview {' '.join(WINDOW)}; {args.runs} runs per cell, alternating; SQLite")
    print(
        f"{'occurrences':>12}  {'tree':<11}{'output':<7}{'median s':>9}"
        f"{'peak MiB':>10}{'MB out':>8}"
    )
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        template = template_db(tmp)
        for n in args.occurrences:
            run_project(template, tmp, big_plan(n, 10), n)
            db = tmp / f"preview{n}.db"
            shutil.move(tmp / f"project{n}.db", db)
            cells = [(t, path, j) for t, path in trees for j in (False, True)]
            times: dict[int, list[float]] = {i: [] for i in range(len(cells))}
            peaks: dict[int, list[float]] = {i: [] for i in range(len(cells))}
            sizes: dict[int, int] = {}
            for _ in range(args.runs):
                for i, (label, path, as_json) in enumerate(cells):
                    seconds, peak, size = run(command(path, db, as_json))
                    times[i].append(seconds)
                    peaks[i].append(peak)
                    sizes[i] = size
                    kind = "json" if as_json else "table"
                    print(f"  {n:,} {label} {kind}: {seconds:.1f} s, {peak:.0f} MiB", flush=True)
            for i, (label, _, as_json) in enumerate(cells):
                print(
                    f"{n:>12,}  {label:<11}{'json' if as_json else 'table':<7}"
                    f"{statistics.median(times[i]):>9.1f}{max(peaks[i]):>10.0f}"
                    f"{sizes[i] / 1e6:>8.1f}"
                )
            if args.other_tree:
                for j, kind in enumerate(("table", "json")):
                    ratio = statistics.median(times[2 + j]) / statistics.median(times[j])
                    print(f"{'':>12}  {kind}: this tree is {ratio:.1f}x faster than the other")


if __name__ == "__main__":
    main()
