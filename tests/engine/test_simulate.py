"""`notifier simulate` replays the seed plan through sweep() and dispatch()."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifier.vocab import MessageKind
from tests.conftest import SEED_PLAN
from tests.engine.test_dispatch import SECRET
from tests.engine.test_service import point_files_to


def test_simulate_seed_plan_sends_reminders_and_prints_the_summary(  # type: ignore[no-untyped-def]
    cli, config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFIER_SECRET_KEY", SECRET)
    outbox = point_files_to(config_dir, tmp_path)
    base = ("--config", config_dir, "--db", f"sqlite:///{tmp_path / 'demo.db'}")
    assert cli(*base, "init").code == 0
    assert cli(*base, "plan", "import", SEED_PLAN).code == 0

    result = cli(*base, "simulate", "--from", "2024-04-15", "--to", "2024-05-31", "--quiet")

    assert result.code == 0, result.err
    out = result.out
    assert "Đã gửi từ 15/4/2024 đến 31/5/2024" in out
    for kind in ("reminder", "due_today", "overdue", "escalation", "digest"):
        assert MessageKind(kind).label in out  # labels, not codes
    assert "22/4/2024" in out and "0 thất bại" in out
    transcript = outbox.read_text(encoding="utf-8")
    assert "[Nhắc hạn]" in transcript
    assert "[Nhắc hạn]" not in out  # --quiet: the transcript goes only to the file
