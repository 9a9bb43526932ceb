"""Seed plan -> sweep -> dispatch through a real SMTP server (aiosmtpd) and the fake Bot
API (python-telegram-bot over HTTP): what arrives is parsed back and checked."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from notifier.clock import VN_TZ, as_utc
from notifier.engine.channels import build_channels
from notifier.engine.dispatch import dispatch_all
from notifier.engine.sweep import sweep
from notifier.plans.importer import PlanImporter, default_until
from notifier.plans.parse import parse_plan_file
from notifier.signing import load_secret_key, parse_callback_data, read_token
from notifier.store.db import session_scope
from notifier.vocab import RECIPIENT_ANSWERS
from tests.conftest import SEED_PLAN
from tests.engine.test_dispatch import Env, make_env
from tests.fakes.bot_api import FakeBotApi, bot_api

__all__ = ["bot_api"]  # the fixture
from tests.fakes.smtp import smtp_server

REMINDER_DAY = as_utc(datetime(2024, 4, 22, 8, 0, tzinfo=VN_TZ))
TOKEN = "123456:TEST-token"


def seeded(
    config_dir: Path,
    tmp: Path,
    smtp_port: int,
    bot_url: str | None,
    env: dict[str, str] | None = None,
    **file: Any,
) -> Env:
    """The seed plan imported and swept on 22/4/2024 08:00 (the first reminders).

    Without ``bot_url`` Telegram is not configured, so everybody gets email. ``env`` and
    ``file``: more variables and settings-file sections (the ZNS tests).
    """
    variables = {"NOTIFIER_SMTP_HOST": "127.0.0.1", "NOTIFIER_SMTP_PORT": str(smtp_port)}
    variables |= env or {}
    if bot_url is not None:
        variables |= {"NOTIFIER_TELEGRAM_TOKEN": TOKEN, "NOTIFIER_TELEGRAM_API_URL": bot_url}
    made = make_env(
        config_dir,
        f"sqlite:///{tmp / 'n.db'}",
        tmp,
        env=variables,
        public_url="https://notifier.example.vn",
        **file,
    )
    runtime = made.runtime
    with session_scope(runtime.engine) as session:
        parsed = parse_plan_file(SEED_PLAN)
        until = default_until(parsed, REMINDER_DAY)
        PlanImporter(session, runtime.calendar, runtime.policy, REMINDER_DAY).run(
            parsed, str(SEED_PLAN), until
        )
    made.clock.set(REMINDER_DAY)
    sweep(runtime, REMINDER_DAY)
    return made


async def test_reminders_arrive_by_email_with_exact_subject_and_answer_links(
    config_dir: Path, tmp_path: Path
) -> None:
    with smtp_server() as (handler, port):
        env = seeded(config_dir, tmp_path, port, None)
        channels = build_channels(env.runtime.settings, env.clock, echo=False)
        try:
            report = await dispatch_all(env.runtime, channels, "w1")
        finally:
            await channels.aclose()
    emails = env.rows(channel="email", status="sent")
    assert emails and report.failed == 0
    assert len(handler.received) == len(emails)
    key = load_secret_key(env.runtime.settings.secret_key, Path("unused"))
    by_id = {str(m["Message-ID"]): m for m in (r.parsed() for r in handler.received)}
    with_links = 0
    for row in emails:
        parsed = by_id[f"<n{row.id}@notifier.local>"]
        assert parsed["To"].addresses[0].addr_spec == row.address
        assert parsed["Subject"] == row.subject
        assert parsed["Message-ID"] == row.provider_id == f"<n{row.id}@notifier.local>"
        text = parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]
        if row.kind == "reminder" and not row.copy_only:
            links = [w for w in text.split() if w.startswith("https://notifier.example.vn/a/")]
            assert len(links) == 4 and all(link in html for link in links)  # the lead: four
            token = links[0].rsplit("/", 1)[1]
            answer = read_token(key, token, REMINDER_DAY)
            assert (answer.notification_id, answer.person_id) == (row.id, row.person_id)
            with_links += 1
    assert with_links >= 1
    assert any(r.subject.startswith("[Nhắc hạn]") for r in emails)


async def test_reminders_arrive_on_telegram_with_signed_buttons(
    config_dir: Path, tmp_path: Path, bot_api: FakeBotApi
) -> None:
    env = seeded(config_dir, tmp_path, 1, bot_api.url)
    channels = build_channels(env.runtime.settings, env.clock, echo=False)
    channels.channels = {k: v for k, v in channels.channels.items() if k != "email"}
    try:
        await dispatch_all(env.runtime, channels, "w1")
    finally:
        await channels.aclose()
    rows = env.rows(channel="telegram", status="sent")
    assert rows
    key = load_secret_key(env.runtime.settings.secret_key, Path("unused"))
    with_buttons = 0
    for row in rows:
        (sent,) = [m for m in bot_api.sent(row.address) if str(m.message_id) == row.provider_id]
        assert sent.parse_mode == "HTML" and sent.text == row.body_html
        if row.kind == "reminder" and not row.copy_only:
            assert sent.reply_markup is not None
            buttons = [b for row in sent.reply_markup["inline_keyboard"] for b in row]
            assert [b["text"] for b in buttons] == [
                "Đã nhận",
                "Đã hoàn thành",
                "Báo vướng mắc",
                "Xin gia hạn",
            ]
            decoded = [parse_callback_data(key, b["callback_data"]) for b in buttons]
            assert decoded == [(row.id, a) for a in RECIPIENT_ANSWERS]
            with_buttons += 1
    assert with_buttons >= 1


async def test_a_554_after_data_falls_back_to_the_next_channel_instead_of_retrying(
    config_dir: Path, tmp_path: Path
) -> None:
    """Issue 18: a message refused after DATA was retried for 24 hours with no fallback."""
    from sqlmodel import Session

    from notifier.store.models import Person
    from notifier.vocab import DeliveryStatus

    with smtp_server() as (handler, port):
        env = seeded(config_dir, tmp_path, port, None)
        [first, *_] = env.rows(channel="email", status=DeliveryStatus.PENDING)
        handler.reject_data.add(first.address)
        channels = build_channels(env.runtime.settings, env.clock, echo=False)
        try:
            report = await dispatch_all(env.runtime, channels, "w1")
        finally:
            await channels.aclose()
    refused = [r for r in env.rows(person_id=first.person_id) if r.occurrence == first.occurrence]
    by_channel = {r.channel: r for r in refused if r.step == first.step}
    assert by_channel["email"].status == DeliveryStatus.FAILED
    assert by_channel["email"].attempts == 1 and "554" in by_channel["email"].last_error
    assert report.fallbacks >= 1 and report.retried == 0
    assert set(by_channel) - {"email"}, "queued again on the person's next channel"
    with Session(env.engine) as session:
        person = session.get(Person, first.person_id)
        assert person is not None and "554" in (person.email_unusable or "")
