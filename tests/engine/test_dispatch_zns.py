"""Seed plan -> sweep -> dispatch through the registered ZNS channel (fake ZNS + OAuth
server) and a real SMTP server (aiosmtpd), on the virtual clock.

Everybody in the sample directory gets a phone and ``channels: [zalo, zns, email]`` and no
Zalo chat, so the reminders of 22/4/2024 go by ZNS; only ``reminder`` has a template.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import Session, select

from notifier.channels.zns import normalize_vn_mobile
from notifier.engine.channels import ChannelSet, build_channels
from notifier.engine.dispatch import Dispatcher, dispatch_all
from notifier.engine.zns_data import ZNS_PARAMS
from notifier.settings import ZnsFile
from notifier.signing import load_secret_key, read_token
from notifier.store.addresses import choose_channel
from notifier.store.db import make_engine
from notifier.store.models import Deadline, Notification, Person, Task
from notifier.textfmt import vn_date
from notifier.vocab import ChannelName, DeliveryStatus, MessageKind
from tests.conftest import CliResult
from tests.engine.test_dispatch import Env, queue
from tests.engine.test_dispatch_real_channels import REMINDER_DAY, seeded
from tests.fakes.smtp import smtp_server
from tests.fakes.zns_api import FakeZns, zns_api

__all__ = ["zns_api"]  # the fixture
Run = Callable[..., CliResult]

TEMPLATE = "250010"
PUBLIC = "https://notifier.example.vn"


def zns_directory(config_dir: Path) -> None:
    """Each person: a mobile number, Zalo (never linked) then ZNS then email."""
    path = config_dir / "directory.yaml"
    text = path.read_text(encoding="utf-8")
    numbers = iter(range(1, 1000))
    text = re.sub(
        r"^    channels: \[.*\]$",
        lambda _: f"    channels: [zalo, zns, email]\n    phone: '0912 {next(numbers):06d}'",
        text,
        flags=re.MULTILINE,
    )
    path.write_text(text, encoding="utf-8")


def zns_env(config_dir: Path, tmp: Path, smtp_port: int, fake: FakeZns) -> Env:
    zns_directory(config_dir)
    variables = {
        "NOTIFIER_ZNS_APP_ID": fake.app_id,
        "NOTIFIER_ZNS_SECRET_KEY": fake.secret_key,
        "NOTIFIER_ZNS_REFRESH_TOKEN": fake.refresh_token,
    }
    templates = {MessageKind.REMINDER: TEMPLATE}
    zns = ZnsFile(api_url=fake.url, oauth_url=fake.url, templates=templates)
    return seeded(config_dir, tmp, smtp_port, None, env=variables, zns=zns)


def channels_of(env: Env) -> ChannelSet:
    return build_channels(env.runtime.settings, env.clock, echo=False, engine=env.engine)


async def test_a_person_with_only_a_phone_gets_the_reminder_by_zns(
    config_dir: Path, tmp_path: Path, zns_api: FakeZns
) -> None:
    with smtp_server() as (_handler, port):
        env = zns_env(config_dir, tmp_path, port, zns_api)
        channels = channels_of(env)
        assert ChannelName.ZNS in channels.configured
        try:
            report = await dispatch_all(env.runtime, channels, "w1")
        finally:
            await channels.aclose()
    rows = env.rows(channel=ChannelName.ZNS, status=DeliveryStatus.SENT)
    assert rows and report.failed == 0
    assert {r.kind for r in rows} == {MessageKind.REMINDER}
    assert len(zns_api.sent) == len(rows) and len(zns_api.refresh_calls) == 1
    key = load_secret_key(env.runtime.settings.secret_key, Path("unused"))
    by_tracking = {s.tracking_id: s for s in zns_api.sent}
    answered = 0
    with Session(env.engine) as session:
        for row in rows:
            sent = by_tracking[f"n{row.id}"]
            person = session.get(Person, row.person_id)
            deadline = session.get(Deadline, row.deadline_id)
            assert person is not None and person.phone and deadline is not None
            task = session.get(Task, deadline.task_id)
            assert task is not None
            digits = person.phone.replace(" ", "")
            assert sent.phone == normalize_vn_mobile(person.phone) == f"84{digits[1:]}"
            assert sent.template_id == TEMPLATE and row.provider_id == sent.msg_id
            data = sent.template_data
            assert set(data) == set(ZNS_PARAMS)
            assert all(
                0 < len(data[n]) <= limit for n, limit in ZNS_PARAMS.items() if n != "lien_ket"
            )
            assert data["ten"] == person.name[:30]
            assert data["han"] == vn_date(deadline.effective_date)
            assert data["ma_viec"] == task.ref
            assert data["viec"] == task.title or (
                data["viec"].endswith("…") and task.title.startswith(data["viec"][:-1])
            )
            assert data["don_vi"] and data["don_vi"] != "không có"
            if row.copy_only:  # a copy offers no answer: the web app's address
                assert data["lien_ket"] == PUBLIC
                continue
            assert data["lien_ket"].startswith(f"{PUBLIC}/a/")
            answered += 1
            answer = read_token(key, data["lien_ket"].rsplit("/", 1)[1], REMINDER_DAY)
            assert (answer.notification_id, answer.person_id) == (row.id, row.person_id)
    assert answered >= 1


async def test_an_expired_access_token_is_refreshed_once_and_the_message_goes_out(
    config_dir: Path, tmp_path: Path, zns_api: FakeZns
) -> None:
    with smtp_server() as (_handler, port):
        env = zns_env(config_dir, tmp_path, port, zns_api)
        channels = channels_of(env)
        dispatcher = Dispatcher(env.runtime, channels, "w1")
        try:
            first = await dispatcher.dispatch(batch=1, lanes=[ChannelName.ZNS])
            assert first.sent == 1 and len(zns_api.refresh_calls) == 1
            old_token = zns_api.access_token
            zns_api.expire_access_token()  # its 25 hours are up
            report = await dispatcher.dispatch_all(lanes=[ChannelName.ZNS])
        finally:
            await channels.aclose()
    assert report.sent >= 1 and report.failed == report.retried == 0
    assert len(zns_api.refresh_calls) == 2 and all(c.accepted for c in zns_api.refresh_calls)
    with_old = [a for a in zns_api.send_attempts if a["access_token"] == old_token]
    assert len(with_old) == 2  # the first message (sent), then the one refused with -124
    assert {s.access_token for s in zns_api.sent[1:]} == {zns_api.access_token}
    pending = env.rows(channel=ChannelName.ZNS, status=DeliveryStatus.PENDING)
    assert not pending and len(zns_api.sent) == 1 + report.sent


async def test_an_invalid_phone_marks_zns_unusable_and_falls_back_to_email(
    config_dir: Path, tmp_path: Path, zns_api: FakeZns
) -> None:
    with smtp_server() as (handler, port):
        env = zns_env(config_dir, tmp_path, port, zns_api)
        zns_api.fail_next(-108, "Phone number invalid")
        channels = channels_of(env)
        dispatcher = Dispatcher(env.runtime, channels, "w1")
        try:
            await dispatcher.dispatch(batch=1, lanes=[ChannelName.ZNS])
            await dispatcher.dispatch_all()  # the email queued by the fallback
        finally:
            await channels.aclose()
    (failed,) = env.rows(channel=ChannelName.ZNS, status=DeliveryStatus.FAILED)
    assert "-108" in failed.last_error
    person = env.rows(person_id=failed.person_id)
    (again,) = [
        r for r in person if r.occurrence == failed.occurrence and r.channel == ChannelName.EMAIL
    ]
    assert again.status == DeliveryStatus.SENT and again.kind == failed.kind
    delivered = {str(m.parsed()["Message-ID"]) for m in handler.received}
    assert f"<n{again.id}@notifier.local>" in delivered
    with Session(env.engine) as session:
        who = session.exec(select(Person).where(Person.id == failed.person_id)).one()
        assert "-108" in (who.addresses_unusable or {})[ChannelName.ZNS]
        # the next message to that person is written for email
        assert choose_channel(who, channels.configured) == ChannelName.EMAIL


async def test_a_kind_without_a_template_goes_by_the_next_channel_unsent_by_zns(
    config_dir: Path, tmp_path: Path, zns_api: FakeZns
) -> None:
    with smtp_server() as (handler, port):
        env = zns_env(config_dir, tmp_path, port, zns_api)
        row_id = queue(env, "vp.chanh", ChannelName.ZNS, kind=MessageKind.TEST)
        channels = channels_of(env)
        dispatcher = Dispatcher(env.runtime, channels, "w1")
        try:
            report = await dispatcher.dispatch(lanes=[ChannelName.ZNS], only=[row_id])
            assert report.rerouted == 1 and report.sent == 0
            await dispatcher.dispatch(lanes=[ChannelName.EMAIL], only=[row_id])
        finally:
            await channels.aclose()
    row = env.row(row_id)
    assert (row.channel, row.status, row.address) == (
        ChannelName.EMAIL,
        DeliveryStatus.SENT,
        env.person("vp.chanh").email,
    )
    assert not [a for a in zns_api.send_attempts if a.get("tracking_id") == f"n{row_id}"]
    assert f"<n{row_id}@notifier.local>" in {
        str(m.parsed()["Message-ID"]) for m in handler.received
    }
    assert env.person("vp.chanh").addresses_unusable.get(ChannelName.ZNS) is None


@contextmanager
def fake_zns_in_a_thread() -> Iterator[FakeZns]:
    """The fake on its own event loop, for a command that runs ``asyncio.run`` itself."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    fake = FakeZns()
    asyncio.run_coroutine_threadsafe(fake.start(), loop).result(10)
    try:
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def zns_command_setup(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeZns, templates: str
) -> None:
    zns_directory(config_dir)
    path = config_dir / "notifier.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  templates: {}" in text
    path.write_text(text.replace("  templates: {}", f"  templates: {templates}", 1), "utf-8")
    for name, value in {
        "NOTIFIER_ZNS_APP_ID": fake.app_id,
        "NOTIFIER_ZNS_SECRET_KEY": fake.secret_key,
        "NOTIFIER_ZNS_REFRESH_TOKEN": fake.refresh_token,
        "NOTIFIER_ZNS_API_URL": fake.url,
        "NOTIFIER_ZNS_OAUTH_URL": fake.url,
    }.items():
        monkeypatch.setenv(name, value)


def test_send_test_goes_by_zns_when_a_test_template_is_configured(
    config_dir: Path, tmp_path: Path, cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'notifier.db'}"
    with fake_zns_in_a_thread() as fake:
        zns_command_setup(config_dir, monkeypatch, fake, f"{{test: '{TEMPLATE}'}}")
        assert cli("--config", config_dir, "--db", db, "init").code == 0
        result = cli("--config", config_dir, "--db", db, "send-test", "vp.chanh")
        assert result.code == 0, result.out + result.err
        (sent,) = fake.sent
    assert "qua Tin báo Zalo (ZNS)" in result.out
    assert sent.template_id == TEMPLATE and set(sent.template_data) == set(ZNS_PARAMS)
    assert sent.template_data["ten"] == "Trần Văn Minh" and sent.tracking_id.startswith("n")


def test_send_test_by_zns_without_a_test_template_is_refused_before_anything_is_queued(
    config_dir: Path, tmp_path: Path, cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'notifier.db'}"
    with fake_zns_in_a_thread() as fake:
        zns_command_setup(config_dir, monkeypatch, fake, f"{{reminder: '{TEMPLATE}'}}")
        assert cli("--config", config_dir, "--db", db, "init").code == 0
        args = ("--config", config_dir, "--db", db, "send-test", "vp.chanh", "--channel", "zns")
        result = cli(*args)
        assert not fake.send_attempts
    assert result.code == 2 and "zns.templates" in result.err
    engine = make_engine(db)
    with Session(engine) as session:
        assert not session.exec(select(Notification)).all()
    engine.dispose()
