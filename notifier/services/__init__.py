"""The use cases behind every answer: received, done, blocked, escalate now, extend.

The bots, the answer-link web app and the CLI all call these, so an answer means the
same thing whichever way it arrives. Each call is **one transaction**: the shared
preamble authorizes the actor once (:func:`~notifier.services.common.open_scope`), an
:class:`Acknowledgement` and an :class:`Event` are appended (both append-only), the
deadline changes if needed and the resulting messages are queued in the outbox
(inserted idempotently on the outbox key, due at once). Messages are rendered later by
the dispatcher, so they show the acknowledgements current at sending time.

The functions here are the one-shot form; a surface that must write its own state in
the same transaction uses :func:`answering` and the :class:`Answers` methods.
"""

from __future__ import annotations

from datetime import date, datetime

from notifier.runtime import Runtime
from notifier.services.answers import Answers, answering
from notifier.services.common import (
    Actor,
    AnswerResult,
    ByChat,
    ByOperator,
    ByPerson,
    ReasonRequired,
    Target,
    TaskMatch,
)
from notifier.services.lookup import find_task
from notifier.vocab import Via

__all__ = [
    "Actor",
    "AnswerResult",
    "Answers",
    "ByChat",
    "ByOperator",
    "ByPerson",
    "ReasonRequired",
    "Target",
    "TaskMatch",
    "acknowledge",
    "answering",
    "complete",
    "escalate_now",
    "extend",
    "find_task",
    "report_obstacle",
]


def actor_of(person_id: int | None, chat: ByChat | None = None, by: str = "") -> Actor:
    """A chat if given, else a person if given, else the office (``by`` names it)."""
    if chat is not None:
        return chat
    return ByPerson(person_id) if person_id is not None else ByOperator(by)


def acknowledge(
    runtime: Runtime,
    *,
    notification_id: int,
    person_id: int | None = None,
    chat: ByChat | None = None,
    via: Via,
    now: datetime | None = None,
    by: str = "",
    account: str = "",
) -> AnswerResult:
    """ "Đã nhận" for a message (``account``: the web account recording it)."""
    with answering(runtime, now, account) as answers:
        actor = actor_of(person_id, chat, by)
        return answers.acknowledge(Target(notification_id), actor, Via(via))


def complete(
    runtime: Runtime,
    *,
    deadline_id: int | None = None,
    notification_id: int | None = None,
    person_id: int | None = None,
    chat: ByChat | None = None,
    via: Via,
    note: str = "",
    at: datetime | None = None,
    now: datetime | None = None,
    by: str = "",
    account: str = "",
) -> AnswerResult:
    """ "Đã hoàn thành" for a message or a deadline (``at``: when it was done)."""
    with answering(runtime, now, account) as answers:
        target = Target(notification_id, deadline_id)
        return answers.complete(target, actor_of(person_id, chat, by), Via(via), note, at)


def report_obstacle(
    runtime: Runtime,
    *,
    notification_id: int | None = None,
    deadline_id: int | None = None,
    person_id: int | None = None,
    chat: ByChat | None = None,
    via: Via,
    reason: str,
    now: datetime | None = None,
) -> AnswerResult:
    """ "Báo vướng mắc" with its reason, sent at once along the plan's obstacle route."""
    with answering(runtime, now) as answers:
        target = Target(notification_id, deadline_id)
        return answers.report_obstacle(target, actor_of(person_id, chat), Via(via), reason)


def escalate_now(
    runtime: Runtime,
    *,
    deadline_id: int,
    note: str,
    by: str = "",
    person_id: int | None = None,
    via: Via = Via.CLI,
    now: datetime | None = None,
    account: str = "",
) -> AnswerResult:
    """The office pushes an open item to the next escalation level now, with a note."""
    with answering(runtime, now, account) as answers:
        actor = actor_of(person_id, by=by)
        return answers.escalate_now(Target(deadline_id=deadline_id), actor, Via(via), note)


def extend(
    runtime: Runtime,
    *,
    deadline_id: int,
    new_date: date,
    reason: str,
    by: str = "",
    via: Via = Via.CLI,
    now: datetime | None = None,
    account: str = "",
) -> AnswerResult:
    """The office extends a deadline to ``new_date`` with a reason (CLI and web board)."""
    with answering(runtime, now, account) as answers:
        target = Target(deadline_id=deadline_id)
        return answers.extend(target, actor_of(None, by=by), Via(via), new_date, reason)
