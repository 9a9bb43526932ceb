"""Everything a running command needs, built once at the entry point and passed down.

The clock, calendar, policy and renderer are read from the configuration folder
here and nowhere else, so the engine, the bot, the web app and the CLI all
decide with the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from notifier.clock import Clock
from notifier.domain.calendar import WorkingCalendar
from notifier.domain.policy import Policy, load_policy
from notifier.render import Renderer
from notifier.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    clock: Clock
    calendar: WorkingCalendar
    policy: Policy
    renderer: Renderer


def load_calendar(settings: Settings, engine: Engine) -> WorkingCalendar:
    """``calendar.yaml`` plus the days added on the calendar page (they win per date)."""
    from notifier.store.calendar_days import local_days

    return WorkingCalendar.from_yaml(settings.calendar_path).with_local_days(local_days(engine))


def build_runtime(settings: Settings, engine: Engine, clock: Clock) -> Runtime:
    templates = settings.templates_dir
    return Runtime(
        settings=settings,
        engine=engine,
        clock=clock,
        calendar=load_calendar(settings, engine),
        policy=load_policy(settings.policy_path),
        renderer=Renderer(templates if templates.is_dir() else None),
    )
