"""Preview over one year for 10,000 synthetic occurrences and ~200 agencies.

Prints the seconds spent in ``preview`` (calendar built beforehand, as in
production) and the number of items. Target: under 10 s on 2 cores.

    .venv/bin/python benchmarks/bench_preview.py [--occurrences N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from notifier.clock import VN_TZ
from notifier.domain.calendar import WorkingCalendar
from notifier.domain.policy import load_policy
from notifier.domain.preview import PreviewOccurrence, Recipient, preview
from notifier.domain.steps import OccurrenceKind, TaskRoles, report_dates

CONFIG = Path(__file__).resolve().parents[1] / "config"
POSITIONS = ("head", "deputy", "focal_point", "staff")


def make_people(rng: random.Random, agencies: list[str]) -> dict[str, list[Recipient]]:
    people: dict[str, list[Recipient]] = {}
    for code in agencies:
        members = []
        for i in range(rng.choice((2, 3))):
            position = "head" if i == 0 else rng.choice(POSITIONS)
            channels = rng.choice((("telegram", "email"), ("email",), ("telegram",), ()))
            members.append(Recipient(f"{code}.p{i}", f"Người {i}", code, position, channels))
        people[code] = members
    return people


def make_occurrences(
    rng: random.Random, agencies: list[str], count: int
) -> list[PreviewOccurrence]:
    """About 70 % one-off deadlines in 2024-2025, 30 % ongoing tasks reporting twice a year."""
    policy = load_policy(CONFIG / "policy.yaml")
    fast = policy.merged({"escalation": {"max_repeats": 1}})
    reports = report_dates(2024, 2025, policy)
    out: list[PreviewOccurrence] = []
    plans = [f"KH-{i:03d}" for i in range(100)]
    while len(out) < count:
        plan = rng.choice(plans)
        roles = TaskRoles(
            lead=(rng.choice(agencies),),
            coordinating=tuple(rng.sample(agencies, rng.randint(0, 3))),
            directing=(agencies[0],),
            monitor=(agencies[1],),
            compiler=(agencies[2],),
        )
        task = f"T{len(out)}"
        chosen = policy if rng.random() < 0.8 else fast
        if rng.random() < 0.7:
            nominal = date(2024, 1, 1) + timedelta(days=rng.randrange(730))
            done = None
            if rng.random() < 0.3:
                done = datetime.combine(nominal, datetime.min.time(), VN_TZ)
            out.append(
                PreviewOccurrence(
                    plan, task, OccurrenceKind.DEADLINE, nominal, roles, chosen, done_at=done
                )
            )
        else:
            for report in reports:
                label, nominal = report.period, report.nominal
                out.append(
                    PreviewOccurrence(
                        plan, task, OccurrenceKind.REPORT, nominal, roles, chosen, period=label
                    )
                )
    return out[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--occurrences", type=int, default=10_000)
    parser.add_argument("--agencies", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    agencies = [f"ag{i:03d}" for i in range(args.agencies)]
    people = make_people(rng, agencies)
    occurrences = make_occurrences(rng, agencies, args.occurrences)
    calendar = WorkingCalendar.from_yaml(CONFIG / "calendar.yaml")
    calendar.is_working_day(date(2024, 1, 1))  # build the tables outside the timing
    start = datetime(2024, 7, 1, tzinfo=VN_TZ)
    end = datetime(2025, 7, 1, tzinfo=VN_TZ)
    began = time.perf_counter()
    items = preview(occurrences, people, calendar, start, end)
    elapsed = time.perf_counter() - began
    print(
        f"preview: {len(occurrences)} occurrences, {len(agencies)} agencies, "
        f"{start.date()}..{end.date()}: {len(items)} items in {elapsed:.2f} s"
    )


if __name__ == "__main__":
    main()
