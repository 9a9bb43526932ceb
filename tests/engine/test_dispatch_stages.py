"""The dispatcher's stages: the pure decision, the send window, and typed row contexts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from notifier.clock import VN_TZ
from notifier.engine.dispatch import Decision, Dispatcher, decide
from notifier.store.contexts import (
    AnswerContext,
    CatchUpContext,
    CatchUpItem,
    DigestContext,
    EscalationContext,
    FollowupContext,
    NoteContext,
    StepContext,
    dump_context,
    load_context,
)
from notifier.vocab import DeadlineStatus, LateReason, MessageKind, Role
from tests.engine.test_dispatch import Env, FakeChannel, env, queue  # noqa: F401  (fixture)

NOW = datetime(2024, 4, 16, 1, 0, tzinfo=UTC)


def test_a_chasing_message_of_a_closed_deadline_is_cancelled() -> None:
    verdict = decide(MessageKind.REMINDER, DeadlineStatus.DONE, 0.0, NOW, NOW)
    assert (verdict.decision, verdict.reason) == (Decision.CANCEL, "deadline done")


def test_a_confirmation_of_a_closed_deadline_still_goes() -> None:
    assert decide(MessageKind.CONFIRMATION, DeadlineStatus.DONE, 0.0, NOW, NOW).decision == (
        Decision.SEND
    )


def test_outside_the_window_a_reminder_waits_for_it_and_an_answer_does_not() -> None:
    opens = NOW + timedelta(hours=14)
    waiting = decide(MessageKind.REMINDER, DeadlineStatus.OPEN, 0.0, opens, NOW)
    assert (waiting.decision, waiting.until) == (Decision.WAIT_WINDOW, opens)
    assert decide(MessageKind.OBSTACLE, None, 0.0, opens, NOW).decision == Decision.SEND
    assert decide(MessageKind.TEST, None, 0.0, opens, NOW).decision == Decision.SEND


def test_the_rate_limit_holds_a_message_back_for_its_wait() -> None:
    verdict = decide(MessageKind.REMINDER, DeadlineStatus.OPEN, 0.25, NOW, NOW)
    assert (verdict.decision, verdict.until) == (
        Decision.WAIT_RATE,
        NOW + timedelta(seconds=0.25),
    )


async def test_a_retry_due_at_night_waits_for_the_next_opening(env: Env) -> None:  # noqa: F811
    evening = datetime(2024, 4, 16, 18, 0, tzinfo=VN_TZ)
    env.clock.set(evening)
    row_id = queue(env, "vp.pho-chanh", "email", kind=MessageKind.REMINDER.value)
    email = FakeChannel("email")
    report = await Dispatcher(env.runtime, env.channels(email=email), "w1").dispatch()
    assert (report.deferred, email.sent) == (1, [])
    assert env.row(row_id).next_attempt_at == datetime(2024, 4, 17, 7, 30, tzinfo=VN_TZ)


@pytest.mark.parametrize(
    ("kind", "ctx"),
    [
        (MessageKind.REMINDER, StepContext("r", "vp", 1, "k", "Quý II/2024", date(2024, 5, 2))),
        (MessageKind.FOLLOWUP, FollowupContext(reason="r", followup_of=3,
                                              followup_of_kind=MessageKind.REMINDER)),
        (MessageKind.ESCALATION, EscalationContext(note="n", reporter="VP", ack_id=2, manual=True)),
        (MessageKind.OBSTACLE, AnswerContext("Thiếu xe", "Trần Văn Minh – VP", 5)),
        (MessageKind.DIGEST, DigestContext(("a", "b"))),
        (MessageKind.ADMIN_ALERT, NoteContext("Tin số 3 không gửi được")),
        (MessageKind.CATCH_UP, CatchUpContext(
            (CatchUpItem(7, "d7@2024-05-02", "reminder-5", MessageKind.REMINDER),
             CatchUpItem(8, "d8@2024-05-03", "escalation-1", MessageKind.ESCALATION, 1,
                         Role.COORDINATING)),
            LateReason.SERVICE_DOWN, datetime(2024, 4, 29, 1, 30, tzinfo=UTC))),
    ],
)  # fmt: skip
def test_row_contexts_round_trip_through_their_stored_json(kind: MessageKind, ctx: object) -> None:
    stored = dump_context(ctx)  # type: ignore[arg-type]
    assert json.loads(json.dumps(stored)) == stored  # plain JSON values only
    assert load_context(kind, stored) == ctx


def test_an_old_row_with_extra_or_missing_keys_still_reads() -> None:
    ctx = load_context(MessageKind.REMINDER, {"reason": "x", "unknown": 1})
    assert ctx == StepContext(reason="x")
