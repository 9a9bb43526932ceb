"""Why a message goes out after its planned time: decided from facts, never assumed.

A step handled more than :data:`LATE_GRACE` after its time is late. It is late because
the plan was imported after the step's time (the plan's ``imported_at``), or because
the service was not running then (its last heartbeat before this sweep is older than
the step). Anything else (a moved deadline, a changed policy) is not named: a message
never claims a cause that did not happen. Waiting for the send window is decided at
sending time (:mod:`notifier.engine.context`). Pure.
"""

from __future__ import annotations

import datetime as dt

from notifier.clock import as_utc
from notifier.vocab import LateReason

# A sweep runs every 30 s; a message this much behind its time is simply on time.
LATE_GRACE = dt.timedelta(minutes=15)


def late_reason(
    step_at: dt.datetime,
    now: dt.datetime,
    imported_at: dt.datetime | None,
    last_seen: dt.datetime | None,
) -> tuple[LateReason | None, dt.datetime | None]:
    """(reason, since) for a step handled at ``now``; (None, None) when on time or unknown.

    ``since`` is when the plan was imported, or when the service was last seen running
    (None if it never ran before).
    """
    step_at, now = as_utc(step_at), as_utc(now)
    if now - step_at <= LATE_GRACE:
        return None, None
    if imported_at is not None and step_at < as_utc(imported_at) <= now:
        return LateReason.IMPORTED_LATE, as_utc(imported_at)
    if last_seen is None or as_utc(last_seen) < step_at:
        return LateReason.SERVICE_DOWN, as_utc(last_seen) if last_seen else None
    return None, None
