"""`notifier run` killed with SIGKILL again and again in the middle of a large dispatch,
on SQLite and on PostgreSQL: no message lost, and only a message in flight at a kill may
be repeated (each repeat an unfinished attempt).

The real CLI runs as a subprocess (``python -m notifier run --once``) sending to the
console channel (stdout + the outbox file). The test reads its stdout (no sleeping) and
kills it every few dozen messages; each restart starts one lease later on the virtual
clock, so the row left in flight is taken again.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from notifier.engine.claims import LEASE
from notifier.store.models import DeliveryAttempt
from tests.conftest import ROOT
from tests.engine.test_dispatch import SECRET, T0, make_env, queue_many
from tests.engine.test_service import point_files_to

pytestmark = pytest.mark.faults

MESSAGES = 300
KILLS = 10
KILL_EVERY = 25  # messages seen on stdout between two kills
KEY = re.compile(r"\[console · (n\d+)\]")


def _cli(config: Path, db: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "NOTIFIER_SECRET_KEY": SECRET, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "notifier", "--config", str(config), "--db", db, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def test_sigkill_loop_mid_dispatch_loses_nothing_and_repeats_only_in_flight(
    config_dir: Path, tmp_path: Path, db_url: str
) -> None:
    outbox = point_files_to(config_dir, tmp_path)
    env = make_env(config_dir, db_url, tmp_path)
    ids = queue_many(env, "vp.pho-chanh", "console", MESSAGES)
    keys = {f"n{i}" for i in ids}

    kills = 0
    at = T0
    for _ in range(KILLS):
        run = _cli(config_dir, db_url, "run", "--once", "--at", at.isoformat(), "--speed", "0")
        assert run.stdout is not None
        seen = 0
        for line in run.stdout:
            seen += bool(KEY.search(line))
            if seen >= KILL_EVERY:
                run.send_signal(signal.SIGKILL)
                break
        run.wait()
        if run.returncode != -signal.SIGKILL:
            break  # it finished before the kill
        kills += 1
        at += LEASE + timedelta(minutes=1)  # the row left in flight is taken again
    assert kills == KILLS  # every run was killed in the middle
    before = Counter(KEY.findall(outbox.read_text(encoding="utf-8")))
    assert len(before) < MESSAGES

    last = _cli(config_dir, db_url, "run", "--once", "--at", at.isoformat(), "--speed", "0")
    _, err = last.communicate(timeout=300)
    assert last.returncode == 0, err

    sent = Counter(KEY.findall(outbox.read_text(encoding="utf-8")))
    assert set(sent) == keys  # nothing lost
    repeats = sum(n - 1 for n in sent.values())
    assert repeats <= kills  # at most the one message in flight at each kill
    with Session(env.engine) as session:
        unfinished = session.exec(
            select(DeliveryAttempt).where(DeliveryAttempt.finished_at == None)  # noqa: E711
        ).all()
    repeated = {key for key, n in sent.items() if n > 1}
    assert {f"n{a.notification_id}" for a in unfinished} >= repeated  # each an unfinished try
    assert {row.status for row in env.rows()} == {"sent"}
    print(f"\n{db_url.split(':')[0]}: {kills} kills, {MESSAGES} messages, {repeats} repeats")
    env.engine.dispose()
