"""Channels as plug-ins: a channel registered through a real ``notifier.channels`` entry point
(a small installed distribution on sys.path) is listed, accepted by the directory and by
send-test, and delivers; without it the same directory is refused, nothing written."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlmodel import Session, select

from notifier.channels.registry import (
    ENTRY_POINT_GROUP,
    channel_label,
    channel_names,
    configured_names,
    registered,
)
from notifier.settings import load_settings
from notifier.store.db import make_engine
from notifier.store.models import Notification
from tests.conftest import CliResult

Run = Callable[..., CliResult]

PLUGIN_SOURCE = '''
"""A test SMS gateway: appends each message as a JSON line to $NOTIFIER_SMS_TEST_OUTBOX."""
import json, os
from notifier.channels.base import ChannelError, SendResult
from notifier.channels.registry import ChannelPlugin


class SmsChannel:
    name = "sms"

    def __init__(self, path):
        self.path, self.sent = path, 0

    async def send(self, message):
        if not message.address.isdigit():
            raise ChannelError(f"{message.address!r} is not a phone number", permanent=True)
        self.sent += 1
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"to": message.address, "subject": message.subject,
                                  "text": message.text}, ensure_ascii=False) + "\\n")
        return SendResult(provider_id=f"sms-{self.sent}")

    async def aclose(self):
        pass


PLUGIN = ChannelPlugin(
    name="sms",
    build=lambda settings, clock: SmsChannel(os.environ["NOTIFIER_SMS_TEST_OUTBOX"]),
    configured=lambda settings: bool(os.environ.get("NOTIFIER_SMS_TEST_OUTBOX")),
    label="tin nhắn SMS",
    needs="NOTIFIER_SMS_TEST_OUTBOX",
)
'''


@pytest.fixture
def sms_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Install the plug-in as a distribution would: a module and a dist-info whose
    entry_points.txt registers it, on sys.path. Yields the file it writes to."""
    site = tmp_path / "site"
    dist = site / "notifier_sms_test-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: notifier-sms-test\nVersion: 0.1\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nsms = notifier_sms_test:PLUGIN\n", encoding="utf-8"
    )
    (site / "notifier_sms_test.py").write_text(PLUGIN_SOURCE, encoding="utf-8")
    outbox = tmp_path / "sms.jsonl"
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("NOTIFIER_SMS_TEST_OUTBOX", str(outbox))
    registered.cache_clear()
    try:
        yield outbox
    finally:
        registered.cache_clear()
        sys.modules.pop("notifier_sms_test", None)


def with_sms_person(config_dir: Path) -> None:
    """vp.chanh reached by SMS first, at a plug-in address."""
    path = config_dir / "directory.yaml"
    text = path.read_text(encoding="utf-8")
    block = re.search(r"  - key: vp\.chanh\n(?:    .*\n)+", text)
    assert block is not None
    changed = re.sub(r"    channels: \[.*\]\n", "    channels: [sms, email]\n", block.group(0))
    changed += "    addresses: {sms: '0912345678'}\n"
    path.write_text(text.replace(block.group(0), changed), encoding="utf-8")


def test_the_registry_lists_built_ins_then_the_entry_point_plug_in(
    sms_plugin: Path, config_dir: Path, tmp_path: Path
) -> None:
    names = channel_names()
    assert names[:5] == ("email", "zalo", "telegram", "zns", "console") and "sms" in names
    assert channel_label("sms") == "tin nhắn SMS"
    settings = load_settings(config_dir, f"sqlite:///{tmp_path / 'x.db'}", env={})
    assert "sms" in configured_names(settings)


def test_a_plug_in_channel_is_accepted_by_the_directory_and_send_test_delivers_through_it(
    sms_plugin: Path, config_dir: Path, tmp_path: Path, cli: Run
) -> None:
    with_sms_person(config_dir)
    db = f"sqlite:///{tmp_path / 'notifier.db'}"
    run = cli
    result = run("--config", config_dir, "--db", db, "init")
    assert result.code == 0, result.err
    result = run("--config", config_dir, "--db", db, "send-test", "vp.chanh")
    assert result.code == 0, result.out + result.err
    assert "qua Tin nhắn SMS (0912345678)" in result.out
    [line] = sms_plugin.read_text(encoding="utf-8").splitlines()
    sent = json.loads(line)
    assert sent["to"] == "0912345678" and sent["subject"]
    engine = make_engine(db)
    with Session(engine) as session:
        [row] = session.exec(select(Notification)).all()
        assert (row.channel, row.status, row.provider_id) == ("sms", "sent", "sms-1")
    engine.dispose()


def test_a_permanent_failure_on_a_plug_in_marks_its_address_unusable(
    sms_plugin: Path, config_dir: Path, tmp_path: Path, cli: Run
) -> None:
    with_sms_person(config_dir)
    path = config_dir / "directory.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("0912345678", "không-số"))
    db = f"sqlite:///{tmp_path / 'notifier.db'}"
    run = cli
    assert run("--config", config_dir, "--db", db, "init").code == 0
    result = run("--config", config_dir, "--db", db, "send-test", "vp.chanh", "--channel", "sms")
    assert result.code == 1
    engine = make_engine(db)
    with Session(engine) as session:
        from notifier.store.models import Person

        person = session.exec(select(Person).where(Person.key == "vp.chanh")).one()
        assert "not a phone number" in person.addresses_unusable["sms"]
    engine.dispose()


def test_without_the_plug_in_the_same_directory_is_refused_and_nothing_is_written(
    config_dir: Path, tmp_path: Path, cli: Run
) -> None:
    registered.cache_clear()
    with_sms_person(config_dir)
    db_path = tmp_path / "notifier.db"
    run = cli
    result = run("--config", config_dir, "--db", f"sqlite:///{db_path}", "init")
    assert result.code == 2
    assert "directory.yaml" in result.err and "không có kênh 'sms'" in result.err
    assert "zalo" in result.err, "the error lists the registered channels"
    if db_path.exists():
        engine = make_engine(f"sqlite:///{db_path}")
        assert "person" not in inspect(engine).get_table_names()
        engine.dispose()
    result = run(
        "--config",
        config_dir,
        "--db",
        f"sqlite:///{db_path}",
        "send-test",
        "vp.chanh",
        "--channel",
        "fax",
    )
    assert result.code == 2 and "không có kênh 'fax'; chọn một trong:" in result.err
    assert "zns" in result.err
