"""The use cases behind every answer: received, done, blocked, escalate now.

The Telegram bot, the email-link web app and the CLI all call these functions,
so an answer means the same thing whichever way it arrives. Each call is one
transaction: it checks who may act (:func:`authorize`), appends an
:class:`Acknowledgement` and an :class:`Event` (both append-only), changes the
deadline if needed and queues the resulting messages in the outbox (inserted
idempotently on the outbox key, due at once). Messages are rendered later by the
dispatcher, so they show the acknowledgements current at sending time.
"""

from notifier.services.answers import acknowledge, complete, report_obstacle
from notifier.services.common import (
    AckKind,
    Outcome,
    ReasonRequired,
    TaskMatch,
    Via,
    authorize,
    authorize_deadline,
)
from notifier.services.escalation import current_level, escalate_now
from notifier.services.lookup import find_task

__all__ = [
    "AckKind",
    "Outcome",
    "ReasonRequired",
    "TaskMatch",
    "Via",
    "acknowledge",
    "authorize",
    "authorize_deadline",
    "complete",
    "current_level",
    "escalate_now",
    "find_task",
    "report_obstacle",
]
