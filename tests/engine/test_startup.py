"""What `notifier run` says at start: channels, web address and when the next message goes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from notifier.cli import run_cli
from notifier.cli.common import AppState
from notifier.cli.engine import startup_lines
from notifier.clock import VN_TZ, VirtualClock
from notifier.engine.channels import build_channels
from tests.interact.test_services import seed


def test_at_1724_on_a_working_day_it_says_the_next_message_waits_for_0730(
    config_dir: Path, tmp_path: Path
) -> None:
    clock = VirtualClock(datetime(2026, 12, 1, 17, 24, tzinfo=VN_TZ))  # a Tuesday
    runtime = seed(config_dir, f"sqlite:///{tmp_path / 'n.db'}", clock)
    channels = build_channels(runtime.settings, clock, echo=False)
    lines = startup_lines(runtime, channels, "may:1:abc")
    text = "\n".join(lines)
    assert "Kênh gửi: màn hình" in text
    missing = (
        "thư điện tử (NOTIFIER_SMTP_HOST), Zalo (NOTIFIER_ZALO_BOT_TOKEN), "
        "Telegram (NOTIFIER_TELEGRAM_TOKEN)"
    )
    assert f"Chưa cấu hình: {missing}" in text
    assert "Trang web: http://127.0.0.1:8080." in text
    assert "Tin tiếp theo dự kiến gửi lúc 07:30 Thứ Tư, 02/12/2026." in text


def test_with_nothing_imported_it_says_nothing_is_planned(config_dir: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    assert run_cli(["--config", str(config_dir), "--db", db, "init"]) == 0
    clock = VirtualClock(datetime(2026, 12, 1, 9, 0, tzinfo=VN_TZ))
    state = AppState(config_dir=config_dir, db_url=db, clock=clock)
    runtime = state.runtime()
    lines = startup_lines(runtime, build_channels(runtime.settings, state.clock, echo=False), "w")
    assert lines[-2] == "Không có tin nào sắp gửi."
