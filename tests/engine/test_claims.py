"""Leases: a row taken by another worker is dropped, a slow send keeps its lease alive."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col

from notifier.channels.base import OutgoingMessage, SendResult
from notifier.engine.claims import claim_leases, renew
from notifier.engine.dispatch import Dispatcher, Outcome
from notifier.store.db import session_scope
from notifier.store.models import Notification
from tests.engine.test_dispatch import T0, Env, FakeChannel, queue
from tests.engine.test_dispatch import env as env  # noqa: F401,F811  (the fixture)

LEASE = timedelta(seconds=2)


async def test_a_row_whose_lease_was_taken_over_is_dropped_not_sent(env: Env) -> None:
    row_id = queue(env, "vp.pho-chanh", "email")
    with session_scope(env.engine) as session:
        (mine,) = claim_leases(session, "slow", T0, lease=LEASE)
    later = T0 + LEASE + timedelta(seconds=1)
    with session_scope(env.engine) as session:  # the slow worker's lease expired
        (theirs,) = claim_leases(session, "fast", later, lease=LEASE)
    assert theirs.row_id == mine.row_id == row_id and theirs.token != mine.token
    with session_scope(env.engine) as session:
        assert renew(session, mine, later) is False
        assert renew(session, theirs, later) is True

    email = FakeChannel("email")
    env.clock.set(later)
    dispatcher = Dispatcher(env.runtime, env.channels(email=email), "slow", lease=LEASE)
    assert await dispatcher.deliver(mine, later) == Outcome.DROPPED
    assert email.tried == 0
    row = env.row(row_id)
    assert (row.status, row.claimed_by, row.attempts) == ("claimed", "fast", 0)


class _SlowChannel:
    """Holds each send until the lease has been renewed under it (seen in the database)."""

    name = "email"

    def __init__(self, env: Env) -> None:
        self.env = env
        self.sent: list[str] = []

    async def send(self, message: OutgoingMessage) -> SendResult:
        row_id = int(message.key[1:])
        before = self.env.row(row_id).claimed_at
        self.env.clock.advance(LEASE * 0.75)  # the send is slow: most of a lease passes
        while self.env.row(row_id).claimed_at == before:
            await asyncio.sleep(0.01)  # waiting for the renewal to land, not for time
        self.env.clock.advance(LEASE * 0.75)  # now past the original lease
        with session_scope(self.env.engine) as session:
            stolen = claim_leases(session, "other", self.env.clock.now(), lease=LEASE)
        assert stolen == []  # renewed: the other worker cannot take it
        self.sent.append(message.key)
        return SendResult(provider_id=message.key)

    async def aclose(self) -> None:
        return None


async def test_a_slow_send_renews_its_lease_so_nobody_else_takes_the_row(env: Env) -> None:
    row_id = queue(env, "vp.pho-chanh", "email")
    slow = _SlowChannel(env)
    dispatcher = Dispatcher(env.runtime, env.channels(email=slow), "w1", lease=LEASE)
    dispatcher.renew_every = 0.05  # real seconds between renewals (default: a quarter lease)
    report = await dispatcher.dispatch()
    assert report.sent == 1 and slow.sent == [f"n{row_id}"]
    assert env.row(row_id).status == "sent"


def test_rows_left_behind_are_claimed_first_then_due_rows_in_queue_order(env: Env) -> None:
    """A crashed holder's row (lease expired) and a pending row without a planned attempt
    come before due rows, which come in the order of their planned attempt."""
    later = queue(env, "vp.pho-chanh", "email", occurrence="later")
    sooner = queue(env, "vp.pho-chanh", "email", occurrence="sooner", at=T0 - timedelta(hours=1))
    unplanned = queue(env, "vp.pho-chanh", "email", occurrence="unplanned")
    crashed = queue(env, "vp.pho-chanh", "email", occurrence="crashed", at=T0 - LEASE * 3)
    future = queue(env, "vp.pho-chanh", "email", occurrence="future", at=T0 + timedelta(hours=1))
    with session_scope(env.engine) as session:
        (lost,) = claim_leases(session, "crashed", T0 - LEASE * 2, only=[crashed], lease=LEASE)
        # planned after "sooner": only being left behind puts it first
        session.execute(
            update(Notification)
            .where(col(Notification.id) == unplanned)
            .values(next_attempt_at=None, due_at=T0 - timedelta(minutes=5))
        )
    order = []
    for _ in range(6):
        with session_scope(env.engine) as session:
            order += [lease.row_id for lease in claim_leases(session, "w", T0, 1, lease=LEASE)]
    assert lost.row_id == crashed
    assert order[:2] in ([crashed, unplanned], [unplanned, crashed])
    assert order[2:] == [sooner, later]  # the future row is not due
    assert future not in order
