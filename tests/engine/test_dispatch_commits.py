"""One commit per message: the outcome of message k is written by the transaction that
claims and prepares message k+1, and never lost when that transaction does not happen."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from notifier.engine.dispatch import Dispatcher, dispatch_all
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
    # one per message, one more for the claim that finds nothing (it writes the last outcome)
    assert commits[0] <= len(ids) + 2, commits[0]
    rows = [env.row(i) for i in ids]
    assert {(r.status, r.attempts, r.claimed_by) for r in rows} == {("sent", 1, None)}
    with Session(env.engine) as session:
        attempts = session.exec(select(DeliveryAttempt).order_by(col(DeliveryAttempt.id))).all()
    assert [(a.notification_id, a.outcome) for a in attempts] == [(i, "sent") for i in ids]
    assert all(a.finished_at is not None for a in attempts)


async def test_the_last_outcome_is_written_when_the_next_claim_fails(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database goes away after a send: that message's outcome, which was to ride on
    the next claim, is written on its own; the next row is untouched (pending)."""
    first, second = queue_many(env, "vp.pho-chanh", "email", 2)
    email = FakeChannel("email")
    real_next, calls = Dispatcher._next, [0]
    gone = OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("disk I/O error"))

    def next_step(self: Dispatcher, now: Any, only: Any, lane: Any, sent: Any) -> Any:
        if lane.name == "email":
            calls[0] += 1
            if calls[0] == 2:  # after the first send: the claim of the second fails
                assert sent is not None  # it carried the first message's outcome
                raise gone
        return real_next(self, now, only, lane, sent)

    monkeypatch.setattr(Dispatcher, "_next", next_step)
    with pytest.raises(OperationalError):
        await dispatch_all(env.runtime, env.channels(email=email), "w1")

    assert [m.key for m in email.sent] == [f"n{first}"]
    sent = env.row(first)
    assert (sent.status, sent.attempts, sent.claimed_by) == ("sent", 1, None)
    assert (env.row(second).status, env.row(second).attempts) == ("pending", 0)
