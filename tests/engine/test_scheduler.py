"""APScheduler wiring: explicit job options on every job, cadence scaled by clock speed."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.triggers.interval import IntervalTrigger

from notifier.engine.scheduler import MISFIRE_GRACE_SECONDS, build_scheduler, real_interval


async def _tick() -> None:
    return None


def test_every_job_sets_misfire_grace_coalesce_and_max_instances() -> None:
    scheduler = build_scheduler(
        _tick, _tick, sweep_every=timedelta(seconds=30), dispatch_every=timedelta(seconds=5)
    )
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"sweep", "dispatch"}
    for job in jobs.values():
        assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS > 1
        assert job.coalesce is True
        assert job.max_instances == 1
    assert isinstance(jobs["sweep"].trigger, IntervalTrigger)
    assert jobs["sweep"].trigger.interval == timedelta(seconds=30)
    assert jobs["dispatch"].trigger.interval == timedelta(seconds=5)


def test_a_faster_clock_ticks_proportionally_faster_with_a_floor() -> None:
    assert real_interval(30, 1) == timedelta(seconds=30)
    assert real_interval(30, 60) == timedelta(seconds=0.5)
    assert real_interval(30, 1_000_000) == timedelta(seconds=0.05)
    assert real_interval(30, 0) == timedelta(seconds=30)  # a frozen clock still ticks
