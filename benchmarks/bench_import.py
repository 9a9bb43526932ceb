"""`plan import` of a large plan against one APScheduler job per reminder, same run.

Usage: python benchmarks/bench_import.py [--deadlines N] [--per-task K] [--runs R] [--pg URL]

The plan is the sample plan's header and duties with N/K tasks of K dated deadlines each,
led by the directory's agencies in turn (the document JSON grows with the tasks, as a real
plan's does). Project path, timed: a
fresh initialised database (a copy of one made by ``notifier init`` outside the timing),
``PlanImporter.run`` + commit. Baseline, timed: the same reminders (every planned step
of every deadline, computed outside the timing) added as ``date`` jobs to APScheduler's
``SQLAlchemyJobStore`` on a fresh SQLite file, once with the project's pragmas (WAL,
synchronous=NORMAL) and, with ``--default-store``, with SQLite's defaults (a sync per job).
Runs alternate, medians printed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event  # noqa: E402
from sqlmodel import Session  # noqa: E402

from notifier.clock import VirtualClock  # noqa: E402
from notifier.domain.timeframe import Occurrence, Timeframe, TimeframeKind  # noqa: E402
from notifier.plans.importer import PlanImporter  # noqa: E402
from notifier.plans.model import ParsedPlan  # noqa: E402
from notifier.plans.parse import parse_plan_file  # noqa: E402
from notifier.runtime import build_runtime  # noqa: E402
from notifier.settings import load_settings  # noqa: E402
from notifier.store.db import make_engine  # noqa: E402

SEED = ROOT / "config" / "plans" / "ke-hoach-ba-to-thai-hoa-2024.md"
NOW = datetime(2024, 4, 10, 1, 0, tzinfo=UTC)
UNTIL = date(2025, 12, 31)
LATER = timedelta(days=3653)


def big_plan(deadlines: int, per_task: int) -> ParsedPlan:
    """The seed plan with deadlines/per_task tasks of per_task monthly deadlines each."""
    seed = parse_plan_file(SEED)
    model = seed.tasks[0]
    names = agency_names()
    tasks = []
    for i in range(deadlines // per_task):
        dues = tuple(
            Occurrence(date(2024 + (5 + k) // 12, (5 + k) % 12 + 1, 10 + i % 15), f"tháng {k}")
            for k in range(per_task)
        )
        tf = Timeframe(f"ngày {10 + i % 15} hằng tháng", TimeframeKind.RECURRING, None, dues, None)
        lead, other = names[i % len(names)], names[(7 * i + 3) % len(names)]
        tasks.append(
            replace(
                model,
                ref=f"II.{i + 1}",
                title=f"{model.title} (phần {i + 1})",
                timeframe=tf,
                lead=[lead],
                coordinating=[other] if other != lead and i % 3 else [],
            )
        )
    header = replace(seed.header, number="99/KH-UBND")
    return replace(seed, header=header, tasks=tasks, source_hash="")


def agency_names() -> list[str]:
    """The directory's agency names (each resolves), so tasks differ in their roles."""
    import yaml

    data = yaml.safe_load((ROOT / "config" / "directory.yaml").read_text(encoding="utf-8"))
    return [a["name"] for a in data["agencies"]]


def template_db(tmp: Path) -> Path:
    path = tmp / "template.db"
    notifier = Path(sys.executable).parent / "notifier"
    subprocess.run(
        [str(notifier), "--config", str(ROOT / "config"), "--db", f"sqlite:///{path}", "init"],
        check=True,
        capture_output=True,
    )
    return path


def run_project(template: Path, tmp: Path, parsed: ParsedPlan, n: int) -> tuple[float, int]:
    path = tmp / f"project{n}.db"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    runtime = build_runtime(load_settings(ROOT / "config", url, env={}), engine, VirtualClock(NOW))
    began = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        importer = PlanImporter(session, runtime.calendar, runtime.policy, NOW)
        report = importer.run(parsed, f"bench-{n}.md", UNTIL)
        session.commit()
    elapsed = time.perf_counter() - began
    engine.dispose()
    return elapsed, report.deadlines_added


def reminders(template: Path, tmp: Path, parsed: ParsedPlan) -> list[tuple[str, datetime]]:
    """(job id, run date) of every planned step of every deadline, as the import plans them."""
    path = tmp / "steps.db"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    runtime = build_runtime(load_settings(ROOT / "config", url, env={}), engine, VirtualClock(NOW))
    from notifier.store.facts import load_occurrences

    with Session(engine, expire_on_commit=False) as session:
        PlanImporter(session, runtime.calendar, runtime.policy, NOW).run(parsed, "s.md", UNTIL)
        session.flush()
        out = [
            (f"{occ.key}:{step.key}", step.at)
            for occ in load_occurrences(session, runtime.policy)
            for step in occ.steps(runtime.calendar)
        ]
        session.rollback()
    engine.dispose()
    return out


def remind(deadline: str) -> None:
    """The job APScheduler would run (never run here)."""


def run_baseline(tmp: Path, jobs: list[tuple[str, datetime]], n: int, wal: bool) -> float:
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    path = tmp / f"aps{n}{'w' if wal else ''}.db"
    engine = create_engine(f"sqlite:///{path}")
    if wal:

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")

    scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(engine=engine)})
    scheduler.start(paused=True)
    began = time.perf_counter()
    for job_id, at in jobs:  # ten years on: the paused scheduler never runs them
        scheduler.add_job(remind, "date", run_date=at + LATER, id=job_id, args=[job_id])
    elapsed = time.perf_counter() - began
    scheduler.shutdown(wait=False)
    engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deadlines", type=int, default=10_000)
    parser.add_argument("--per-task", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-baseline", action="store_true", help="time the import only")
    parser.add_argument(
        "--default-store",
        action="store_true",
        help="also the job store with SQLite's default settings (one fsync per job: slow)",
    )
    args = parser.parse_args()
    parsed = big_plan(args.deadlines, args.per_task)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        template = template_db(tmp)
        jobs = [] if args.no_baseline else reminders(template, tmp, parsed)
        print(
            f"plan: {len(parsed.tasks):,} tasks x {args.per_task} deadlines = "
            f"{len(parsed.tasks) * args.per_task:,} deadlines, document JSON "
            f"{len(str(parsed.to_json())):,} chars; baseline: {len(jobs):,} APScheduler jobs "
            f"(one per planned step); SQLite; {args.runs} runs, alternating"
        )
        project: list[float] = []
        plain: list[float] = []
        wal: list[float] = []
        for n in range(args.runs):
            seconds, added = run_project(template, tmp, parsed, n)
            project.append(seconds)
            if not args.no_baseline:
                if args.default_store:
                    plain.append(run_baseline(tmp, jobs, n, wal=False))
                wal.append(run_baseline(tmp, jobs, n, wal=True))
            print(
                f"  run {n + 1}: import {seconds:.2f} s ({added:,} deadlines)"
                + (f"; APScheduler + WAL {wal[-1]:.2f} s" if wal else "")
                + (f"; APScheduler default {plain[-1]:.2f} s" if plain else "")
            )
        med = statistics.median(project)
        per = med / max(1, len(parsed.tasks) * args.per_task)
        print(f"median import: {med:.2f} s ({per * 1e6:.0f} µs per deadline)")
        for label, times in (("APScheduler + WAL", wal), ("APScheduler default", plain)):
            if times:
                base = statistics.median(times)
                print(f"median {label}: {base:.2f} s; import is {base / med:.1f}x faster")


if __name__ == "__main__":
    main()
