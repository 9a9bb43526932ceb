"""`make demo` writes its own transcript; `make run`'s var/outbox.log is left alone."""

from __future__ import annotations

import subprocess
from pathlib import Path

from notifier.settings import load_settings
from tests.conftest import EXAMPLE_CONFIG, ROOT


def test_the_console_path_can_be_set_in_the_environment() -> None:
    settings = load_settings(EXAMPLE_CONFIG, env={"NOTIFIER_CONSOLE_PATH": "var/demo-outbox.log"})
    assert settings.file.console_path == "var/demo-outbox.log"


def test_make_demo_writes_its_own_transcript_not_the_service_log() -> None:
    dry = subprocess.run(
        ["make", "-n", "demo"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    commands = [line for line in dry.splitlines() if "notifier --db" in line]
    assert commands and all("NOTIFIER_CONSOLE_PATH=var/demo-outbox.log" in c for c in commands)
    assert "var/outbox.log" not in dry.replace("demo-outbox.log", "")
    assert Path(ROOT / "Makefile").read_text(encoding="utf-8").count("var/demo-outbox.log") >= 2
