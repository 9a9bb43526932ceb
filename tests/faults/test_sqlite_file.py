"""A SQLite file that cannot be written: read-only (immutable, even for root) or full
(the process may not grow any file past 64 KiB, as on a full disk). `notifier run --once`
says so in one clear line and exits 3; nothing is half-written; once the file is
writable again the next run delivers everything, repeating at most the one message whose
outcome could not be recorded."""

from __future__ import annotations

import os
import re
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from notifier.engine.claims import LEASE
from notifier.store.models import DeliveryAttempt
from tests.conftest import ROOT
from tests.engine.test_dispatch import SECRET, T0, Env, make_env, queue_many
from tests.engine.test_service import point_files_to

pytestmark = pytest.mark.faults

MESSAGES = 20
KEY = re.compile(r"\[console · (n\d+)\]")
FILE_LIMIT = 64 * 1024


def _run(
    config: Path, db: str, at: str, limit: int | None = None
) -> subprocess.CompletedProcess[str]:
    def full_disk() -> None:  # in the child: writes past the limit fail with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        assert limit is not None
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "NOTIFIER_SECRET_KEY": SECRET, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "notifier", "--config", str(config), "--db", db,
         "run", "--once", "--at", at, "--speed", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300,
        preexec_fn=full_disk if limit else None,
    )  # fmt: skip


def _world(config_dir: Path, tmp_path: Path) -> tuple[Env, Path, str, set[str]]:
    outbox = point_files_to(config_dir, tmp_path)
    path = tmp_path / "n.db"
    env = make_env(config_dir, f"sqlite:///{path}", tmp_path)
    ids = queue_many(env, "vp.pho-chanh", "console", MESSAGES)
    env.engine.dispose()  # checkpointed: the whole database is in the file
    return env, outbox, f"sqlite:///{path}", {f"n{i}" for i in ids}


def _consistent(env: Env) -> None:
    """Every row whole: sent rows have their finished attempt, no attempt is orphaned."""
    with Session(env.engine) as session:
        attempts = session.exec(select(DeliveryAttempt)).all()
    finished = {a.notification_id for a in attempts if a.outcome == "sent"}
    for row in env.rows():
        assert row.status in ("pending", "claimed", "sent"), row
        if row.status == "sent":
            assert row.id in finished and row.sent_at is not None


def test_a_read_only_database_file_is_a_clear_error_and_changes_nothing(
    config_dir: Path, tmp_path: Path
) -> None:
    env, outbox, db, _ = _world(config_dir, tmp_path)
    path = tmp_path / "n.db"
    before = path.read_bytes()
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here (needs root and ext2/3/4)")
    try:
        result = _run(config_dir, db, T0.isoformat())
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)
    assert result.returncode == 3, result.stderr
    assert "Lỗi cơ sở dữ liệu hoặc ổ đĩa" in result.stderr and "Traceback" not in result.stderr
    assert "không có thay đổi nào được ghi dở dang" in result.stderr
    assert path.read_bytes() == before
    assert not outbox.exists() or not KEY.findall(outbox.read_text(encoding="utf-8"))


def test_a_full_database_file_is_a_clear_error_nothing_half_written_then_it_resumes(
    config_dir: Path, tmp_path: Path
) -> None:
    env, outbox, db, keys = _world(config_dir, tmp_path)
    full = _run(config_dir, db, T0.isoformat(), limit=FILE_LIMIT)
    assert full.returncode == 3, full.stderr
    assert "Lỗi cơ sở dữ liệu hoặc ổ đĩa" in full.stderr and "Traceback" not in full.stderr
    with sqlite3.connect(tmp_path / "n.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    _consistent(env)
    env.engine.dispose()
    sent_while_full = Counter(KEY.findall(outbox.read_text(encoding="utf-8")))
    assert len(sent_while_full) < MESSAGES  # it really stopped in the middle

    later = (T0 + LEASE + timedelta(minutes=1)).isoformat()  # a row left claimed is free again
    again = _run(config_dir, db, later)
    assert again.returncode == 0, again.stderr
    sent = Counter(KEY.findall(outbox.read_text(encoding="utf-8")))
    assert set(sent) == keys  # nothing lost
    assert sum(n - 1 for n in sent.values()) <= 1  # at most the one whose outcome was lost
    assert {row.status for row in env.rows()} == {"sent"}
    print(f"\nfull file: {full.stderr.strip().splitlines()[0]}")
    env.engine.dispose()


def test_a_briefly_locked_database_file_makes_the_run_wait_not_fail(
    config_dir: Path, tmp_path: Path
) -> None:
    """Another program holds the file's write lock for two seconds (a backup, a second
    `notifier` command): `run --once` waits for it (busy timeout) and delivers everything."""
    env, outbox, db, keys = _world(config_dir, tmp_path)
    holder = sqlite3.connect(tmp_path / "n.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    released = threading.Timer(2.0, holder.rollback)  # the other program lets go
    released.start()
    try:
        run = _run(config_dir, db, T0.isoformat())
    finally:
        released.join()
        holder.close()
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and "locked" not in run.stderr
    sent = Counter(KEY.findall(outbox.read_text(encoding="utf-8")))
    assert set(sent) == keys and set(sent.values()) == {1}  # all of them, once
    env.engine.dispose()
