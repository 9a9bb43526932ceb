"""What an outbox row remembers about why it exists: one typed context per message kind.

The ``context`` JSON column is written and read only through these dataclasses, so a
writer cannot forget a key and a reader cannot misspell one. The stored shape is the
dataclass's fields (dates as ISO strings, enums as their values); unknown keys in old
rows are ignored, missing ones take the defaults.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from notifier.vocab import MessageKind


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
    """The monitor's digest: which plans it summarises."""

    plan_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoteContext:
    """Admin alerts and test messages: a note only."""

    note: str = ""


RowContext = (
    StepContext | FollowupContext | EscalationContext | AnswerContext | DigestContext | NoteContext
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
}


def step_context(kind: MessageKind, **fields: Any) -> StepContext:
    """The context of a step the policy planned (its kind's StepContext class)."""
    cls = CONTEXT_OF_KIND[kind]
    if not issubclass(cls, StepContext):
        raise TypeError(f"{kind} is not a planned step")
    return cls(**fields)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _names(cls: type[RowContext]) -> tuple[str, ...]:
    """The field names of a context class (cached: the sweep writes thousands of rows)."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def dump_context(ctx: RowContext) -> dict[str, Any]:
    """The JSON to store: every field, dates as ISO strings, tuples as lists."""
    out: dict[str, Any] = {}
    for name in _names(type(ctx)):
        value = getattr(ctx, name)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[name] = value
    return out


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
    if name == "plan_keys":
        return tuple(str(v) for v in value)
    if name == "followup_of_kind":
        return MessageKind(value)
    return value
