"""A dispatcher killed with SIGKILL in the middle of a large dispatch, then restarted:
no message lost, and only the message in flight may be repeated.

The real CLI runs as a subprocess (``python -m notifier run --once``) against a file
SQLite database, sending to the console channel (stdout + the outbox file). The test
reads its stdout (no sleeping) and kills it after a few hundred messages.
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

from sqlmodel import Session, select

from notifier.engine.claims import LEASE
from notifier.store.db import session_scope
from notifier.store.models import DeliveryAttempt, Person
from notifier.store.outbox import insert_rows, new_row
from tests.conftest import ROOT
from tests.engine.test_dispatch import SECRET, T0, make_env
from tests.engine.test_service import point_files_to

MESSAGES = 400
KILL_AFTER = 150
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


def test_sigkill_mid_dispatch_then_restart_loses_nothing(config_dir: Path, tmp_path: Path) -> None:
    outbox = point_files_to(config_dir, tmp_path)
    db = f"sqlite:///{tmp_path / 'n.db'}"
    env = make_env(config_dir, db, tmp_path)
    with session_scope(env.engine) as session:
        person = session.exec(select(Person).where(Person.key == "vp.pho-chanh")).one()
        rows = [
            new_row(occurrence=f"o{i}", step="test", person=person, channel="console",
                    kind="test", due_at=T0, now=T0)
            for i in range(MESSAGES)
        ]  # fmt: skip
        insert_rows(session, rows)
    env.engine.dispose()

    first = _cli(config_dir, db, "run", "--once", "--at", T0.isoformat(), "--speed", "0")
    assert first.stdout is not None
    seen = 0
    for line in first.stdout:
        seen += bool(KEY.search(line))
        if seen >= KILL_AFTER:
            first.send_signal(signal.SIGKILL)
            break
    first.wait()
    assert first.returncode == -signal.SIGKILL
    before = Counter(KEY.findall(outbox.read_text(encoding="utf-8")))
    assert KILL_AFTER <= len(before) < MESSAGES  # killed in the middle

    later = (T0 + LEASE + timedelta(minutes=1)).isoformat()
    second = _cli(config_dir, db, "run", "--once", "--at", later, "--speed", "0")
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err

    sent = Counter(KEY.findall(outbox.read_text(encoding="utf-8")))
    assert set(sent) == {f"n{i}" for i in range(1, MESSAGES + 1)}  # nothing lost
    repeated = {key for key, n in sent.items() if n > 1}
    assert len(repeated) <= 1 and max(sent.values()) <= 2  # at most the one in flight
    with Session(env.engine) as session:
        unfinished = session.exec(
            select(DeliveryAttempt).where(DeliveryAttempt.finished_at == None)  # noqa: E711
        ).all()
    assert {f"n{a.notification_id}" for a in unfinished} >= repeated
    assert {row.status for row in env.rows()} == {"sent"}
