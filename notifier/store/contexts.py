"""What an outbox row remembers about why it exists: one typed context per message kind.

The ``context`` JSON column is written and read only through these dataclasses, so a
writer cannot forget a key and a reader cannot misspell one. The stored shape is the
dataclass's fields (dates as ISO strings, enums as their values); unknown keys in old
rows are ignored, missing ones take the defaults.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from notifier.vocab import LateReason, MessageKind, Role


@dataclass(frozen=True)
class StepContext:
    """A step the sweep planned: why, for which agency, which plan and period, late or not."""

    reason: str = ""
    agency: str = ""
    plan_id: int | None = None
    plan_key: str = ""
    period: str = ""
    deadline: date | None = None
    late_news: bool = False
    # created after its planned time: why, and since when (the plan's import, or the
    # service's last heartbeat before the gap); None when it went out on time
    late_reason: LateReason | None = None
    late_since: datetime | None = None


@dataclass(frozen=True)
class FollowupContext(StepContext):
    """The no-answer follow-up of an earlier message (which one, and of what kind)."""

    followup_of: int | None = None
    followup_of_kind: MessageKind | None = None


@dataclass(frozen=True)
class EscalationContext(StepContext):
    """An escalation: planned by the sweep, or pushed by the office with a note (manual)."""

    note: str = ""
    reporter: str = ""
    ack_id: int | None = None
    manual: bool = False


@dataclass(frozen=True)
class AnswerContext:
    """A message caused by an answer (confirmation, obstacle): what was said, by whom."""

    note: str = ""
    reporter: str = ""
    ack_id: int | None = None


@dataclass(frozen=True)
class DigestContext:
    """The monitor's digest: which plans it summarises, and the fingerprint of its
    content when it was queued (the next digest goes only if that changes)."""

    plan_keys: tuple[str, ...] = ()
    fingerprint: str = ""


@dataclass(frozen=True)
class CatchUpItem:
    """One stale item a catch-up message lists: the latest step it stands for."""

    deadline_id: int
    occurrence: str
    step: str
    kind: MessageKind
    level: int = 0
    role: Role = Role.LEAD


@dataclass(frozen=True)
class CatchUpContext:
    """One message per person after a late import or downtime, listing the stale items."""

    items: tuple[CatchUpItem, ...] = ()
    late_reason: LateReason | None = None
    late_since: datetime | None = None


@dataclass(frozen=True)
class NoteContext:
    """Admin alerts and test messages: a note, and (alerts) what it is about."""

    note: str = ""
    topic: str = ""


RowContext = (
    StepContext
    | FollowupContext
    | EscalationContext
    | AnswerContext
    | DigestContext
    | NoteContext
    | CatchUpContext
)

CONTEXT_OF_KIND: dict[MessageKind, type[RowContext]] = {
    MessageKind.REMINDER: StepContext,
    MessageKind.DUE_TODAY: StepContext,
    MessageKind.OVERDUE: StepContext,
    MessageKind.REPORT_REQUEST: StepContext,
    MessageKind.COMPILED_REPORT: StepContext,
    MessageKind.ESCALATION: EscalationContext,
    MessageKind.FOLLOWUP: FollowupContext,
    MessageKind.CONFIRMATION: AnswerContext,
    MessageKind.OBSTACLE: AnswerContext,
    MessageKind.DIGEST: DigestContext,
    MessageKind.ADMIN_ALERT: NoteContext,
    MessageKind.TEST: NoteContext,
    MessageKind.CATCH_UP: CatchUpContext,
}


def step_context(kind: MessageKind, **fields: Any) -> StepContext:
    """The context of a step the policy planned (its kind's StepContext class)."""
    cls = CONTEXT_OF_KIND[kind]
    if not issubclass(cls, StepContext):
        raise TypeError(f"{kind} is not a planned step")
    return cls(**fields)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _names(cls: type[Any]) -> tuple[str, ...]:
    """The field names of a context class or of a dataclass inside one (cached: the
    sweep writes thousands of rows, a catch-up one item per task)."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


_SCALARS = (str, int, float)  # bool is an int


def dump_context(ctx: RowContext) -> dict[str, Any]:
    """The JSON to store: every field, dates as ISO strings, tuples as lists."""
    return _fields(ctx)


def _fields(value: Any) -> dict[str, Any]:
    """A dataclass's fields as JSON values. Most are strings, numbers or None, kept as they
    are without a call (the sweep writes thousands of rows; enum members are strings and
    are stored as their value)."""
    out: dict[str, Any] = {}
    for name in _names(type(value)):
        field = getattr(value, name)
        out[name] = field if field is None or isinstance(field, _SCALARS) else _plain(field)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, tuple):
        return [v if v is None or isinstance(v, _SCALARS) else _plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _fields(value)
    return value


def load_context(kind: MessageKind | str, data: dict[str, Any] | None) -> RowContext:
    """The typed context of a row of ``kind`` from its stored JSON."""
    cls = CONTEXT_OF_KIND[MessageKind(kind)]
    data = data or {}
    values: dict[str, Any] = {}
    for name in _names(cls):
        if data.get(name) is not None:
            values[name] = _typed(name, data[name])
    return cls(**values)


def _typed(name: str, value: Any) -> Any:
    if name == "deadline":
        return date.fromisoformat(str(value))
    if name == "late_since":
        return datetime.fromisoformat(str(value))
    if name == "late_reason":
        return LateReason(value)
    if name == "plan_keys":
        return tuple(str(v) for v in value)
    if name in ("followup_of_kind", "kind"):
        return MessageKind(value)
    if name == "role":
        return Role(value)
    if name == "items":
        return tuple(_item(v) for v in value)
    return value


def _item(data: dict[str, Any]) -> CatchUpItem:
    known = {f.name for f in dataclasses.fields(CatchUpItem)}
    values = {k: _typed(k, v) for k, v in data.items() if k in known and v is not None}
    return CatchUpItem(**values)
