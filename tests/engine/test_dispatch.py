"""Dispatch on SQLite and PostgreSQL: claims, attempts, retries, fallback, cancellation.

Helpers here (``Env``, ``make_env``, ``queue``, ``FakeChannel``) are shared by the other
engine test modules of the dispatch half.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from notifier.admin import sync_directory
from notifier.channels.base import ChannelError, OutgoingMessage, SendResult
from notifier.clock import VirtualClock
from notifier.directory import load_directory
from notifier.engine.channels import ChannelSet, build_channels
from notifier.engine.claims import LEASE
from notifier.engine.dispatch import (
    backoff,
    claim,
    dispatch,
    dispatch_all,
)
from notifier.engine.ratelimit import RateLimiter, spacing
from notifier.runtime import Runtime, build_runtime
from notifier.settings import load_settings
from notifier.store.contexts import NoteContext
from notifier.store.db import make_engine, session_scope, upgrade
from notifier.store.models import (
    Deadline,
    DeliveryAttempt,
    Notification,
    Person,
    Plan,
    Task,
)
from notifier.store.outbox import cancel_pending, insert_rows, new_row

T0 = datetime(2024, 4, 16, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội, a Tuesday
SECRET = "test-secret-key-0123456789abcdef0123456789"


@dataclass
class FakeChannel:
    """Records what it is asked to send; ``fail`` decides an error per message."""

    name: str
    fail: Callable[[OutgoingMessage], ChannelError | None] = lambda m: None
    sent: list[OutgoingMessage] = field(default_factory=list)
    tried: int = 0

    async def send(self, message: OutgoingMessage) -> SendResult:
        self.tried += 1
        await asyncio.sleep(0)  # a real channel awaits the network here
        error = self.fail(message)
        if error is not None:
            raise error
        self.sent.append(message)
        return SendResult(provider_id=f"p-{message.key}")

    async def aclose(self) -> None:
        return None


@dataclass
class Env:
    runtime: Runtime
    clock: VirtualClock
    tmp: Path

    @property
    def engine(self) -> Engine:
        return self.runtime.engine

    def channels(
        self, limits: dict[str, tuple[int, float]] | None = None, **fakes: Any
    ) -> ChannelSet:
        base = build_channels(self.runtime.settings, self.clock, echo=False)
        merged = {"console": base.channels["console"], **fakes}
        return ChannelSet(channels=merged, limiter=RateLimiter(self.clock, limits or {}))

    def row(self, row_id: int) -> Notification:
        with Session(self.engine) as session:
            found = session.get(Notification, row_id)
            assert found is not None
            return found

    def rows(self, **where: Any) -> list[Notification]:
        with Session(self.engine) as session:
            query = select(Notification).order_by(col(Notification.id))
            for name, value in where.items():
                query = query.where(getattr(Notification, name) == value)
            return list(session.exec(query).all())

    def person(self, key: str) -> Person:
        with Session(self.engine) as session:
            return session.exec(select(Person).where(Person.key == key)).one()


def make_env(
    config_dir: Path, db_url: str, tmp: Path, env: dict[str, str] | None = None, **file: Any
) -> Env:
    """Settings from a copy of config/, the directory synced, a virtual clock at T0."""
    settings = load_settings(config_dir, db_url, env={"NOTIFIER_SECRET_KEY": SECRET, **(env or {})})
    updates = {"console_path": str(tmp / "outbox.log"), **file}
    settings = dataclasses.replace(settings, file=settings.file.model_copy(update=updates))
    engine = make_engine(settings.database_url)
    upgrade(engine)
    clock = VirtualClock(T0)
    with session_scope(engine) as session:
        sync_directory(session, load_directory(settings.directory_path), T0)
    return Env(build_runtime(settings, engine, clock), clock, tmp)


@pytest.fixture
def env(config_dir: Path, db_url: str, tmp_path: Path) -> Iterator[Env]:
    made = make_env(config_dir, db_url, tmp_path)
    yield made
    made.engine.dispose()


def queue_many(env: Env, person_key: str, channel: str, count: int) -> list[int]:
    """``count`` pending test rows (occurrences o0, o1, ...) due at T0; their ids."""
    with session_scope(env.engine) as session:
        person = session.exec(select(Person).where(Person.key == person_key)).one()
        rows = [
            new_row(occurrence=f"o{i}", step="test", person=person, channel=channel,
                    kind="test", due_at=T0, now=T0)
            for i in range(count)
        ]  # fmt: skip
        return insert_rows(session, rows)


def queue(
    env: Env,
    person_key: str,
    channel: str,
    *,
    kind: str = "test",
    occurrence: str | None = None,
    at: datetime | None = None,
    **extra: Any,
) -> int:
    """Insert one pending row due ``at`` (default: now); returns its id."""
    at = at or env.clock.now()
    with session_scope(env.engine) as session:
        person = session.exec(select(Person).where(Person.key == person_key)).one()
        values = new_row(
            occurrence=occurrence or f"test:{person_key}:{channel}:{at.isoformat()}",
            step=kind,
            person=person,
            channel=channel,
            kind=kind,
            due_at=at,
            now=at,
            **extra,
        )
        (row_id,) = insert_rows(session, [values])
    return row_id


def transient(message: OutgoingMessage) -> ChannelError:
    return ChannelError("503 try later", permanent=False)


# ---------------------------------------------------------------- the happy path


async def test_due_message_is_sent_once_with_attempt_and_rendered_text_kept(env: Env) -> None:
    email = FakeChannel("email")
    row_id = queue(env, "vp.pho-chanh", "email")
    channels = env.channels(email=email)

    first = await dispatch(env.runtime, channels, "w1")
    second = await dispatch(env.runtime, channels, "w1")

    assert (first.claimed, first.sent, second.claimed) == (1, 1, 0)
    assert [m.address for m in email.sent] == ["lan.nt@batu.example"]
    assert email.sent[0].subject == "[Thử nghiệm] Kiểm tra kênh nhận thông báo"
    row = env.row(row_id)
    assert (row.status, row.attempts, row.provider_id) == ("sent", 1, f"p-n{row_id}")
    assert row.sent_at == T0 and row.claimed_by is None
    assert row.subject == email.sent[0].subject and "Nguyễn Thị Lan" in row.body_text
    with Session(env.engine) as session:
        attempts = session.exec(select(DeliveryAttempt)).all()
    assert [(a.outcome, a.finished_at, a.worker) for a in attempts] == [("sent", T0, "w1")]


async def test_row_due_later_is_not_claimed(env: Env) -> None:
    email = FakeChannel("email")
    queue(env, "vp.pho-chanh", "email", at=T0 + timedelta(minutes=1))
    report = await dispatch(env.runtime, env.channels(email=email), "w1")
    assert report.claimed == 0 and email.sent == []


async def test_unconfigured_channel_goes_to_the_console_file(env: Env) -> None:
    row_id = queue(env, "vp.pho-chanh", "email")  # no email channel in this installation
    report = await dispatch(env.runtime, env.channels(), "w1")
    assert report.sent == 1
    transcript = (env.tmp / "outbox.log").read_text(encoding="utf-8")
    assert "[Thử nghiệm] Kiểm tra kênh nhận thông báo" in transcript
    assert f"[console · n{row_id}]" in transcript


# ---------------------------------------------------------------- claims


async def test_claimed_row_is_invisible_until_its_lease_expires(env: Env) -> None:
    row_id = queue(env, "vp.pho-chanh", "email")
    with session_scope(env.engine) as session:
        assert claim(session, "crashed-worker", T0) == [row_id]
    with session_scope(env.engine) as session:
        assert claim(session, "w2", T0 + LEASE - timedelta(seconds=1)) == []
    email = FakeChannel("email")
    env.clock.set(T0 + LEASE + timedelta(seconds=1))
    report = await dispatch(env.runtime, env.channels(email=email), "w2")
    assert report.sent == 1 and env.row(row_id).status == "sent"


async def test_stop_finishes_nothing_more_and_releases_the_claim(env: Env) -> None:
    ids = [queue(env, "vp.pho-chanh", "email", occurrence=f"o{i}") for i in range(3)]
    stop = asyncio.Event()

    def fail(message: OutgoingMessage) -> None:
        stop.set()  # a signal arrives while the first message is in flight
        return None

    email = FakeChannel("email", fail=fail)
    report = await dispatch(env.runtime, env.channels(email=email), "w1", stop=stop)
    assert (report.claimed, report.sent) == (1, 1)  # claimed one at a time, right before
    assert [env.row(i).status for i in ids] == ["sent", "pending", "pending"]
    assert all(env.row(i).claimed_by is None for i in ids)


# ---------------------------------------------------------------- failures


def test_backoff_doubles_from_one_minute_to_one_hour() -> None:
    assert [backoff(n).total_seconds() for n in range(1, 9)] == [
        60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]  # fmt: skip


async def test_transient_failures_back_off_then_give_up_after_24_hours_and_alert(
    env: Env,
) -> None:
    email = FakeChannel("email", fail=transient)
    channels = env.channels(email=email)
    row_id = queue(env, "vp.pho-chanh", "email")
    gaps: list[float] = []
    while env.row(row_id).status == "pending":
        await dispatch(env.runtime, channels, "w1")
        row = env.row(row_id)
        if row.status == "pending":
            assert row.next_attempt_at is not None
            gaps.append((row.next_attempt_at - env.clock.now()).total_seconds())
            env.clock.set(row.next_attempt_at)
    assert gaps[:8] == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert set(gaps[6:]) == {3600}
    row = env.row(row_id)
    assert row.status == "failed" and "24 h" in row.last_error
    assert env.clock.now() - T0 >= timedelta(hours=24)
    assert env.clock.now() - T0 < timedelta(hours=25)
    # one alert for the whole outage (the server failed 5 times in a row), none per give-up
    alerts = env.rows(kind="admin_alert")
    assert [(a.occurrence, a.person_id) for a in alerts] == [
        ("outage:email:2024-04-16T01:15:00+00:00", env.person("vp.quan-tri").id)
    ]
    assert "503 try later" in alerts[0].context["note"]
    assert alerts[0].context["note"].startswith("Kênh thư điện tử không gửi được tin từ 08:15")


async def test_telegram_retry_after_sets_the_next_attempt(env: Env) -> None:
    telegram = FakeChannel(
        "telegram",
        fail=lambda m: ChannelError("flood", permanent=False, retry_after=37),
    )
    row_id = queue(env, "vp.chanh", "telegram")
    report = await dispatch(env.runtime, env.channels(telegram=telegram), "w1")
    row = env.row(row_id)
    assert report.retried == 1
    assert (row.status, row.next_attempt_at, row.attempts) == (
        "pending", T0 + timedelta(seconds=37), 1,
    )  # fmt: skip


async def test_permanent_failure_marks_address_falls_back_and_alerts_admins(env: Env) -> None:
    telegram = FakeChannel(
        "telegram", fail=lambda m: ChannelError("Forbidden: bot was blocked", permanent=True)
    )
    email = FakeChannel("email")
    channels = env.channels(telegram=telegram, email=email)
    row_id = queue(env, "vp.chanh", "telegram", occurrence="d1@2024-05-02")

    report = await dispatch(env.runtime, channels, "w1")

    assert report.fallbacks == 1
    assert env.row(row_id).status == "failed"
    assert env.person("vp.chanh").telegram_unusable == "Forbidden: bot was blocked"
    (again,) = env.rows(occurrence="d1@2024-05-02", channel="email")
    # the email lane runs beside the Telegram one: it may already have sent the fallback
    assert again.status in ("pending", "sent")
    assert (again.step, again.address) == ("test", "minh.tv@batu.example")
    (alert,) = env.rows(kind="admin_alert")
    assert "bot was blocked" in alert.context["note"] and "email" in alert.context["note"]

    await dispatch(env.runtime, channels, "w1")
    assert sorted(m.address for m in email.sent) == ["huy.lq@batu.example", "minh.tv@batu.example"]


async def test_permanent_failure_of_the_last_channel_alerts_without_fallback(env: Env) -> None:
    email = FakeChannel("email", fail=lambda m: ChannelError("550 no mailbox", permanent=True))
    row_id = queue(env, "vp.pho-chanh", "email")
    report = await dispatch(env.runtime, env.channels(email=email), "w1")
    # the message, then (same dispatch, same dead mail server) the admin alert about it
    assert (report.failed, env.row(row_id).status) == (2, "failed")
    assert env.person("vp.pho-chanh").email_unusable == "550 no mailbox"
    assert len(env.rows(person_id=env.person("vp.pho-chanh").id)) == 1
    (alert,) = env.rows(kind="admin_alert")
    assert "không còn kênh nào khác" in alert.context["note"]


async def test_failed_admin_alert_does_not_raise_another_alert(env: Env) -> None:
    email = FakeChannel("email", fail=lambda m: ChannelError("550 no mailbox", permanent=True))
    queue(env, "vp.quan-tri", "email", kind="admin_alert", context=NoteContext("x"))
    await dispatch(env.runtime, env.channels(email=email), "w1")
    assert len(env.rows(kind="admin_alert")) == 1


async def test_a_chat_waits_for_its_slot_and_the_report_says_when(env: Env) -> None:
    telegram = FakeChannel("telegram")
    ids = [queue(env, "vp.chanh", "telegram", occurrence=f"o{i}") for i in range(2)]
    channels = env.channels({"chat:telegram": (1, 1.0)}, telegram=telegram)
    report = await dispatch(env.runtime, channels, "w1")
    assert (report.sent, report.claimed, len(telegram.sent)) == (1, 1, 1)
    opens = T0 + timedelta(seconds=spacing(1, 1.0))
    assert report.wake_at == opens  # the service drains again then, not at its next tick
    later = env.row(ids[1])  # not even claimed: the claim skips a chat whose slot is closed
    assert (later.status, later.claimed_by, later.attempts) == ("pending", None, 0)
    env.clock.advance(timedelta(seconds=1))
    assert (await dispatch(env.runtime, channels, "w1")).sent == 0
    env.clock.set(opens)
    assert (await dispatch(env.runtime, channels, "w1")).sent == 1


async def test_draining_waits_for_a_chats_slot_that_reopens_within_the_interval(
    env: Env,
) -> None:
    stamps: list[datetime] = []

    class _Stamped(FakeChannel):
        async def send(self, message: OutgoingMessage) -> SendResult:
            stamps.append(env.clock.now())
            return await super().send(message)

    for i in range(3):
        queue(env, "vp.chanh", "telegram", occurrence=f"o{i}")
    channels = env.channels({"chat:telegram": (1, 1.0)}, telegram=_Stamped("telegram"))
    report = await dispatch_all(env.runtime, channels, "w1")
    assert report.sent == 3 and report.wake_at is None  # all out, in one drain
    second = timedelta(seconds=spacing(1, 1.0))
    assert stamps == [T0, T0 + second, T0 + 2 * second]  # each when its second was up


async def test_the_bots_limit_spaces_messages_to_different_chats(env: Env) -> None:
    stamps: list[datetime] = []

    class _Stamped(FakeChannel):
        async def send(self, message: OutgoingMessage) -> SendResult:
            stamps.append(env.clock.now())
            return await super().send(message)

    for key in ("vp.chanh", "vp.pho-chanh", "vp.theo-doi"):
        queue(env, key, "telegram")
    channels = env.channels({"bot:telegram": (30, 1.0)}, telegram=_Stamped("telegram"))
    report = await dispatch(env.runtime, channels, "w1")
    assert report.sent == 3  # the lane waited for each slot (a stopped clock jumps)...
    gap = timedelta(seconds=spacing(30, 1.0))
    assert stamps == [T0, T0 + gap, T0 + 2 * gap]  # ...evenly spaced, no burst


async def test_a_message_prepared_while_the_bots_slot_is_shut_goes_when_it_opens(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Preparing takes time (here 10 ms of the clock per message): it is done while the
    slot is still shut, so the spacing holds from slot to slot, no drift of 10 ms each."""
    stamps: list[datetime] = []

    class _Stamped(FakeChannel):
        async def send(self, message: OutgoingMessage) -> SendResult:
            stamps.append(env.clock.now())
            return await super().send(message)

    renderer, real_render = env.runtime.renderer, env.runtime.renderer.render

    def slow_render(*args: Any, **kwargs: Any) -> Any:
        env.clock.advance(timedelta(milliseconds=10))
        return real_render(*args, **kwargs)

    monkeypatch.setattr(renderer, "render", slow_render)
    for key in ("vp.chanh", "vp.pho-chanh", "vp.theo-doi"):
        queue(env, key, "telegram")
    channels = env.channels({"bot:telegram": (30, 1.0)}, telegram=_Stamped("telegram"))
    report = await dispatch(env.runtime, channels, "w1")
    assert report.sent == 3
    gap, first = timedelta(seconds=spacing(30, 1.0)), T0 + timedelta(milliseconds=10)
    assert stamps == [first, first + gap, first + 2 * gap]


# ---------------------------------------------------------------- closed deadlines


def _deadline(env: Env, status: str) -> int:
    with session_scope(env.engine) as session:
        plan = Plan(key="p", content_hash="h", imported_at=T0, updated_at=T0)
        session.add(plan)
        session.flush()
        task = Task(plan_id=plan.id or 0, ref="1", title="t")
        session.add(task)
        session.flush()
        deadline = Deadline(
            task_id=task.id or 0,
            nominal_date=date(2024, 5, 2),
            effective_date=date(2024, 5, 2),
            status=status,
        )
        session.add(deadline)
        session.flush()
        assert deadline.id is not None
        return deadline.id


async def test_reminders_of_a_completed_deadline_are_cancelled_not_sent(env: Env) -> None:
    deadline_id = _deadline(env, "done")
    reminder = queue(env, "vp.pho-chanh", "email", kind="reminder", deadline_id=deadline_id)
    notice = queue(env, "vp.pho-chanh", "email", kind="test", deadline_id=deadline_id)
    email = FakeChannel("email")
    report = await dispatch(env.runtime, env.channels(email=email), "w1")
    assert (report.cancelled, report.sent) == (1, 1)
    assert (env.row(reminder).status, env.row(notice).status) == ("cancelled", "sent")


async def test_cancel_pending_cancels_only_that_deadline(env: Env) -> None:
    deadline_id = _deadline(env, "open")
    mine = queue(env, "vp.pho-chanh", "email", deadline_id=deadline_id, occurrence="a")
    other = queue(env, "vp.pho-chanh", "email", occurrence="b")
    with session_scope(env.engine) as session:
        assert cancel_pending(session, "task done", deadline_id=deadline_id) == 1
    assert (env.row(mine).status, env.row(other).status) == ("cancelled", "pending")


async def test_dispatch_all_drains_more_than_one_batch(env: Env) -> None:
    email = FakeChannel("email")
    for i in range(25):
        queue(env, "vp.pho-chanh", "email", occurrence=f"o{i}")
    report = await dispatch_all(env.runtime, env.channels(email=email), "w1", batch=10)
    assert (report.claimed, report.sent, len(email.sent)) == (25, 25, 25)
