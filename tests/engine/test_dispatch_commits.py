"""One commit per message: the outcome of message k is written by the transaction that
claims and prepares message k+1, and never lost when that transaction does not happen."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from notifier.channels.base import ChannelError
from notifier.engine.dispatch import Dispatcher, dispatch, dispatch_all
from notifier.engine.lanes import LaneSpec
from notifier.store.models import DeliveryAttempt
from tests.engine.test_dispatch import Env, FakeChannel, queue_many
from tests.engine.test_dispatch import env as env  # noqa: F401,F811  (the fixture)


def _count_commits(env: Env) -> list[int]:
    commits = [0]

    @event.listens_for(env.engine, "commit")
    def counted(connection: Any) -> None:
        commits[0] += 1

    return commits


async def test_a_message_costs_one_commit_not_three(env: Env) -> None:
    ids = queue_many(env, "vp.pho-chanh", "email", 12)
    email = FakeChannel("email")
    commits = _count_commits(env)

    report = await dispatch_all(env.runtime, env.channels(email=email), "w1", batch=100)

    assert (report.sent, len(email.sent)) == (12, 12)
    # one per message; the first is sent while the second is claimed (its outcome then on
    # its own); the claim that finds nothing writes the last outcome; the console's claim.
    # The channel answers at once, quicker than a claim: the lane stops claiming ahead.
    assert commits[0] <= len(ids) + 3, commits[0]
    rows = [env.row(i) for i in ids]
    assert {(r.status, r.attempts, r.claimed_by) for r in rows} == {("sent", 1, None)}
    with Session(env.engine) as session:
        attempts = session.exec(select(DeliveryAttempt).order_by(col(DeliveryAttempt.id))).all()
    assert [(a.notification_id, a.outcome) for a in attempts] == [(i, "sent") for i in ids]
    assert all(a.finished_at is not None for a in attempts)


async def test_the_last_outcome_is_written_when_the_next_claim_fails(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database goes away while a message is out: the claim of the next row (made
    during the send) fails; the sent message's outcome is still written, the next row is
    untouched (pending, no attempt)."""
    first, second = queue_many(env, "vp.pho-chanh", "email", 2)
    email = FakeChannel("email")
    real_next, calls = Dispatcher._next, [0]
    gone = OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("disk I/O error"))

    def next_step(self: Dispatcher, now: Any, only: Any, lane: Any, written: Any) -> Any:
        if lane.name == "email":
            calls[0] += 1
            if calls[0] == 2:  # the claim made while the first message is out
                raise gone
        return real_next(self, now, only, lane, written)

    monkeypatch.setattr(Dispatcher, "_next", next_step)
    with pytest.raises(OperationalError):
        await dispatch_all(env.runtime, env.channels(email=email), "w1")

    assert [m.key for m in email.sent] == [f"n{first}"]
    sent = env.row(first)
    assert (sent.status, sent.attempts, sent.claimed_by) == ("sent", 1, None)
    assert (env.row(second).status, env.row(second).attempts) == ("pending", 0)
    with Session(env.engine) as session:
        attempts = session.exec(select(DeliveryAttempt)).all()
    assert [(a.notification_id, a.outcome) for a in attempts] == [(first, "sent")]


async def test_the_next_row_is_prepared_while_the_message_before_it_is_out(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pipelining: the lane's next row is claimed and prepared (its attempt committed)
    while the channel still holds the message before it; sends stay one at a time. (The
    lane's first message always overlaps; later ones when sends outlast claims.)"""
    ids = queue_many(env, "vp.pho-chanh", "email", 2)
    loop = asyncio.get_running_loop()
    claimed: list[asyncio.Event] = [asyncio.Event() for _ in ids]
    real_next = Dispatcher._next

    def next_step(self: Dispatcher, now: Any, only: Any, lane: Any, written: Any) -> Any:
        step = real_next(self, now, only, lane, written)
        if lane.name == "email" and step.lease is not None:
            loop.call_soon_threadsafe(claimed[ids.index(step.lease.row_id)].set)
        return step

    monkeypatch.setattr(Dispatcher, "_next", next_step)
    seen: list[tuple[str, int]] = []

    class Watching(FakeChannel):
        async def send(self, message: Any) -> Any:
            position = len(self.sent)
            if position + 1 < len(ids):  # the next row's claim completes while this one is out
                await asyncio.wait_for(claimed[position + 1].wait(), 10)
                following = ids[position + 1]
                with Session(env.engine) as session:
                    attempts = session.exec(
                        select(DeliveryAttempt).where(DeliveryAttempt.notification_id == following)
                    ).all()
                seen.append((env.row(following).status, len(attempts)))
            return await super().send(message)

    email = Watching("email")
    report = await dispatch_all(env.runtime, env.channels(email=email), "w1")

    assert report.sent == 2 and [m.key for m in email.sent] == [f"n{i}" for i in ids]
    assert seen == [("claimed", 1)]
    assert {(env.row(i).status, env.row(i).attempts) for i in ids} == {("sent", 1)}


async def test_a_row_claimed_during_a_failed_send_is_given_back_without_its_attempt(
    env: Env,
) -> None:
    """The first send fails while the second row is already claimed and prepared: that row
    is given back unsent (the attempt opened for it removed), claimed again and sent once."""
    first, second = queue_many(env, "vp.pho-chanh", "email", 2)
    fails = [True]

    def once(message: Any) -> Any:
        if fails and message.key == f"n{first}":
            fails.clear()
            return ChannelError("421 try later", permanent=False)
        return None

    email = FakeChannel("email", fail=once)
    report = await dispatch(env.runtime, env.channels(email=email), "w1")

    assert [m.key for m in email.sent] == [f"n{second}"]
    assert (report.sent, report.retried) == (1, 1)
    assert (env.row(first).status, env.row(first).attempts) == ("pending", 1)
    assert (env.row(second).status, env.row(second).attempts) == ("sent", 1)
    with Session(env.engine) as session:
        attempts = session.exec(select(DeliveryAttempt).order_by(col(DeliveryAttempt.id))).all()
    assert [(a.notification_id, a.outcome) for a in attempts] == [
        (first, "transient"),
        (second, "sent"),
    ]


async def test_a_lane_claims_ahead_only_once_its_send_has_had_ahead_after(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``LaneSpec.ahead_after``: the next row is claimed during a send, but not in the
    send's first moments (an HTTP client is writing its request then); both go once."""
    ids = queue_many(env, "vp.pho-chanh", "email", 2)
    loop = asyncio.get_running_loop()
    starts: list[float] = []
    claims: list[float] = []
    claimed = asyncio.Event()
    real_next = Dispatcher._next

    def next_step(self: Dispatcher, now: Any, only: Any, lane: Any, written: Any) -> Any:
        if lane.name == "email":
            claims.append(loop.time())
        step = real_next(self, now, only, lane, written)
        if lane.name == "email" and step.lease is not None and len(claims) == 2:
            loop.call_soon_threadsafe(claimed.set)
        return step

    monkeypatch.setattr(Dispatcher, "_next", next_step)

    class Watching(FakeChannel):
        async def send(self, message: Any) -> Any:
            starts.append(loop.time())
            if len(starts) == 1:  # the first message is out until the second is claimed
                await asyncio.wait_for(claimed.wait(), 10)
            return await super().send(message)

    email = Watching("email")
    lanes = {"email": LaneSpec(ahead_after=0.05)}
    report = await Dispatcher(env.runtime, env.channels(email=email), "w1", lanes=lanes).dispatch()

    assert report.sent == 2 and [m.key for m in email.sent] == [f"n{i}" for i in ids]
    assert claims[1] - starts[0] >= 0.05  # claimed during the first send, after the delay
    assert claims[1] < starts[1]
    assert {(env.row(i).status, env.row(i).attempts) for i in ids} == {("sent", 1)}


def test_a_lane_spec_refuses_a_delay_outside_a_second() -> None:
    for wrong in (-0.001, 1.0):
        with pytest.raises(ValueError, match="ahead_after"):
            LaneSpec(ahead_after=wrong)
