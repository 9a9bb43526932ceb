"""The tables. The database is the only source of truth: a restart changes nothing.

Every instant is a ``UTCDateTime`` (stored in UTC, returned time-zone aware). Kinds,
statuses, roles and actions are the StrEnums of :mod:`notifier.vocab`, stored as their
plain string values (``EnumText``) and read back as members. ``channel`` columns stay
plain strings: channels are registered by name, so a plug-in may add one.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from notifier.store.types import EnumText, UTCDateTime
from notifier.vocab import (
    AccountRole,
    AckAction,
    AttemptOutcome,
    Awaiting,
    DeadlineStatus,
    DeliveryStatus,
    EventKind,
    ExtensionStatus,
    LinkOutcome,
    LoginOutcome,
    MessageKind,
    OccurrenceKind,
    PersonRole,
    PlanDuty,
    PlanStatus,
    Role,
    Source,
    Via,
)


def _utc(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _enum(
    enum: type[StrEnum], default: Any = ..., *, index: bool = False, length: int | None = None
) -> Any:
    column: Column[Any] = Column(EnumText(enum, length), nullable=False, index=index)
    return Field(default=default, sa_column=column)


class Agency(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=64)
    name: str
    aliases: list[str] = _json()
    locality: str = ""
    parent_code: str | None = None
    active: bool = True
    source: Source = _enum(Source, Source.CONFIG)  # WEB: edited on the admin pages


class AgencyAlias(SQLModel, table=True):
    """A name a plan wrote for an agency, picked in the browser (upload page).

    Kept apart from ``Agency.aliases`` (which ``sync`` rewrites from directory.yaml), so
    ``sync`` keeps it; the agency index reads both.
    """

    __tablename__ = "agency_alias"
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    alias: str = Field(max_length=500)
    created_at: datetime = _utc(nullable=False)
    created_by: str = Field(default="", max_length=64)  # account login


class AgencyGroup(SQLModel, table=True):
    __tablename__ = "agency_group"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=64)
    name: str
    phrases: list[str] = _json()
    active: bool = True
    source: Source = _enum(Source, Source.CONFIG)  # WEB: edited on the admin pages


class GroupMember(SQLModel, table=True):
    __tablename__ = "group_member"
    group_id: int = Field(foreign_key="agency_group.id", primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", primary_key=True)


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True, max_length=64)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    name: str
    position: str = ""
    role: PersonRole = _enum(PersonRole, PersonRole.STAFF)
    email: str | None = None
    phone: str | None = None
    telegram_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    zalo_chat_id: str | None = Field(default=None, index=True, max_length=128)
    channels: list[str] = _json()
    active: bool = True
    source: Source = _enum(Source, Source.CONFIG)
    email_unusable: str | None = None
    telegram_unusable: str | None = None
    zalo_unusable: str | None = None
    # Addresses on plug-in channels (name -> address) and why one stopped working.
    addresses: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict)
    )
    addresses_unusable: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict)
    )


class Plan(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True, max_length=200)
    issuer: str = ""
    number: str = ""
    place: str = ""
    plan_date: str = ""
    title: str = ""
    source_name: str = ""
    content_hash: str = Field(index=True, max_length=64)
    status: PlanStatus = _enum(PlanStatus, PlanStatus.OPEN)
    policy: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    parsed: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    imported_at: datetime = _utc(nullable=False)
    updated_at: datetime = _utc(nullable=False)


class PlanRole(SQLModel, table=True):
    """A plan-wide duty (vocab.PlanDuty): monitor, compiler, obstacle route."""

    __tablename__ = "plan_role"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    role: PlanDuty = _enum(PlanDuty)
    written: str
    agency_id: int | None = Field(default=None, foreign_key="agency.id")
    group_id: int | None = Field(default=None, foreign_key="agency_group.id")


class Task(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "ref"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    ref: str = Field(max_length=32)
    title: str
    output: str = ""
    timeframe_text: str = ""
    timeframe_kind: str = ""
    line: int = 0
    active: bool = True
    policy: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class TaskRole(SQLModel, table=True):
    """directing | lead | coordinating, pointing at an agency or a named group."""

    __tablename__ = "task_role"
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    role: Role = _enum(Role)
    written: str
    agency_id: int | None = Field(default=None, foreign_key="agency.id")
    group_id: int | None = Field(default=None, foreign_key="agency_group.id")


class Deadline(SQLModel, table=True):
    """One due occurrence of a task: its deadline, or one reporting period."""

    __table_args__ = (
        UniqueConstraint("task_id", "kind", "seq"),
        Index("ix_deadline_due", "status", "next_action_at"),
        # the open rows of a task (what the digest lists), without its done ones
        Index(
            "ix_deadline_open",
            "task_id",
            sqlite_where=text("completed_at IS NULL"),
            postgresql_where=text("completed_at IS NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    kind: OccurrenceKind = _enum(OccurrenceKind, OccurrenceKind.DEADLINE)
    seq: int = 0
    period: str = ""
    nominal_date: date
    effective_date: date
    status: DeadlineStatus = _enum(DeadlineStatus, DeadlineStatus.OPEN)
    completed_at: datetime | None = _utc()
    completion_note: str = ""
    completed_by: str = ""
    next_action_at: datetime | None = _utc()
    processed_until: datetime | None = _utc()
    # a reporting period's data (Decree 09/2019 art. 12): "số liệu từ ... đến ..."
    data_from: date | None = None
    data_to: date | None = None
    # the effective deadline before the office first extended it (None: never extended),
    # and the plan's own date it came from
    original_date: date | None = None
    original_nominal: date | None = None


class Notification(SQLModel, table=True):
    """The outbox: one row per message, created once per (occurrence, step, person, channel)."""

    __table_args__ = (
        UniqueConstraint("occurrence", "step", "person_id", "channel", name="uq_notification_key"),
        Index("ix_notification_dispatch", "status", "next_attempt_at"),
        Index("ix_notification_lane", "status", "channel", "next_attempt_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    occurrence: str = Field(max_length=100)
    step: str = Field(max_length=64)
    person_id: int = Field(foreign_key="person.id", index=True)
    channel: str = Field(max_length=16)
    deadline_id: int | None = Field(default=None, foreign_key="deadline.id", index=True)
    kind: MessageKind = _enum(MessageKind)
    level: int = 0
    role: Role = _enum(Role, Role.LEAD)
    copy_only: bool = False
    late: bool = False
    due_at: datetime = _utc(nullable=False)
    status: DeliveryStatus = _enum(DeliveryStatus, DeliveryStatus.PENDING)
    attempts: int = 0
    next_attempt_at: datetime | None = _utc()
    claimed_by: str | None = None
    claimed_at: datetime | None = _utc()  # when the lease was taken or last renewed
    claim_token: str | None = Field(default=None, max_length=32)  # one per claim (CAS)
    address: str = ""
    subject: str = ""
    body_text: str = ""
    body_html: str = ""
    provider_id: str | None = None
    sent_at: datetime | None = _utc()
    last_error: str = ""
    context: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _utc(nullable=False)
    # When to check whether anybody answered (no-answer follow-up); NULL once decided.
    followup_at: datetime | None = _utc(index=True)


class DeliveryAttempt(SQLModel, table=True):
    __tablename__ = "delivery_attempt"
    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id", index=True)
    channel: str
    address: str
    worker: str = ""
    started_at: datetime = _utc(nullable=False)
    finished_at: datetime | None = _utc()
    outcome: AttemptOutcome = _enum(AttemptOutcome, AttemptOutcome.STARTED)
    error: str = ""


class Acknowledgement(SQLModel, table=True):
    """Append-only: who answered what, when and how."""

    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int = Field(foreign_key="deadline.id", index=True)
    notification_id: int | None = Field(default=None, foreign_key="notification.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    action: AckAction = _enum(AckAction)
    via: Via = _enum(Via)
    note: str = ""
    at: datetime = _utc(nullable=False)
    account: str = Field(default="", max_length=64)  # the web account's login, if any


class Event(SQLModel, table=True):
    """Append-only log of everything that happened (imports, syncs, sends, answers)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc(nullable=False, index=True)
    kind: EventKind = _enum(EventKind, index=True)
    message: str = ""
    plan_id: int | None = None
    deadline_id: int | None = None
    person_id: int | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class LinkCode(SQLModel, table=True):
    """One-time code that links a Telegram chat to a person (stored hashed)."""

    __tablename__ = "link_code"
    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(unique=True, max_length=64)
    person_id: int = Field(foreign_key="person.id")
    created_at: datetime = _utc(nullable=False)
    expires_at: datetime = _utc(nullable=False)
    used_at: datetime | None = _utc()


class LinkAttempt(SQLModel, table=True):
    """Append-only: every ``/start CODE`` (what the invite-code guessing limits count)."""

    __tablename__ = "link_attempt"
    __table_args__ = (
        Index("ix_link_attempt_chat_at", "platform", "chat_id", "at"),
        Index("ix_link_attempt_at", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    outcome: LinkOutcome = _enum(LinkOutcome, length=16)
    at: datetime = _utc(nullable=False)


class ChatSession(SQLModel, table=True):
    """What a bot waits for from one chat (the reason after "Báo vướng mắc").

    Conversation state of a chat platform, not history: it is replaced and deleted
    freely, unlike the append-only event log. ``message_id`` / ``message_html`` are the
    platform's message being answered, so it can be edited once the reason arrives.
    """

    __tablename__ = "chat_session"
    platform: str = Field(primary_key=True, max_length=16)
    chat_id: str = Field(primary_key=True, max_length=64)
    awaiting: Awaiting = _enum(Awaiting)
    notification_id: int | None = Field(default=None, foreign_key="notification.id")
    deadline_id: int | None = Field(default=None, foreign_key="deadline.id")
    person_id: int | None = Field(default=None, foreign_key="person.id")
    message_id: str = ""
    message_html: str = ""
    expires_at: datetime = _utc(nullable=False)
    proposed_date: date | None = None  # "Xin gia hạn": the date given, awaiting the reason


class ExtensionRequest(SQLModel, table=True):
    """A recipient's "Xin gia hạn" (proposed date, reason) and the office's decision."""

    __tablename__ = "extension_request"
    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int = Field(foreign_key="deadline.id", index=True)
    ack_id: int = Field(foreign_key="acknowledgement.id")
    person_id: int | None = Field(default=None, foreign_key="person.id")
    notification_id: int | None = Field(default=None, foreign_key="notification.id")
    proposed_date: date
    reason: str
    status: ExtensionStatus = _enum(ExtensionStatus, ExtensionStatus.PENDING, length=16)
    requested_at: datetime = _utc(nullable=False)
    decided_at: datetime | None = _utc()
    decided_by: str = Field(default="", max_length=64)  # the account's login
    decision_note: str = ""


class BotCursor(SQLModel, table=True):
    """Where a bot's long polling resumes: the next update id to ask for."""

    __tablename__ = "bot_cursor"
    bot: str = Field(primary_key=True, max_length=32)
    next_update: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    updated_at: datetime = _utc(nullable=False)


class ZaloUpdate(SQLModel, table=True):
    """The journal of the Zalo bot: every update recorded before the bot acts on it.

    Zalo's ``getUpdates`` has no offset (an update handed out is gone), so the row is
    the only copy. ``handled_at`` is set in the same transaction as what the update
    changed, so a crash never applies it twice; a row left unhandled is handled again
    at the next start. ``message_key`` (Zalo's message id) absorbs a webhook delivered
    twice. ``attempts`` stops an update that keeps failing from blocking the bot.
    """

    __tablename__ = "zalo_update"
    __table_args__ = (UniqueConstraint("bot", "message_key"),)
    id: int | None = Field(default=None, primary_key=True)
    bot: str = Field(max_length=32)
    message_key: str = Field(max_length=128)
    chat_id: str = Field(max_length=128)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    received_at: datetime = _utc(nullable=False)
    handled_at: datetime | None = _utc(index=True)
    attempts: int = 0
    error: str = ""


class OAuthToken(SQLModel, table=True):
    """An OAuth access/refresh pair (Zalo OA for ZNS), shared by every worker.

    Each refresh returns a new refresh token and burns the old one, so the pair is only
    ever replaced by a compare-and-set on ``version`` while the row is locked (see
    ``notifier.store.oauth``). ``seed_hash`` is the SHA-256 of the refresh token the row
    was seeded with from the environment; ``refused_at`` is set when the OAuth server
    refused the stored refresh token (an administrator must seed a new one).
    """

    __tablename__ = "oauth_token"
    name: str = Field(primary_key=True, max_length=64)
    access_token: str | None = None
    access_expires_at: datetime | None = _utc()
    refresh_token: str
    seed_hash: str = Field(max_length=64)
    version: int = Field(default=0)
    updated_at: datetime = _utc(nullable=False)
    refused_at: datetime | None = _utc()


class Account(SQLModel, table=True):
    """A person who signs in to the web board (not a message recipient: see Person).

    ``session_version`` is carried by the session cookie; raising it (logout, disable,
    new password) makes every cookie issued before invalid.
    """

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(unique=True, index=True, max_length=64)
    password_hash: str
    role: AccountRole = _enum(AccountRole)
    agency_id: int | None = Field(default=None, foreign_key="agency.id")
    active: bool = True
    session_version: int = 1
    created_at: datetime = _utc(nullable=False)
    updated_at: datetime = _utc(nullable=False)
    last_login_at: datetime | None = _utc()


class LoginAttempt(SQLModel, table=True):
    """Append-only: every attempt to sign in, successful or not (also what the limits count)."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_login_at", "login", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64)
    address: str = Field(max_length=64)
    success: bool
    outcome: LoginOutcome = _enum(LoginOutcome, length=16)
    at: datetime = _utc(nullable=False)


class Heartbeat(SQLModel, table=True):
    """What the running service writes each sweep: the last instant it was alive.

    A gap between two sweeps is downtime; the catch-up messages say so truthfully
    ("hệ thống tạm ngừng hoạt động từ ..."). ``horizon_on`` is the local day on which
    the sweep last extended the reporting periods of ongoing tasks.
    """

    name: str = Field(primary_key=True, max_length=32)
    last_seen: datetime = _utc(nullable=False)
    started_at: datetime = _utc(nullable=False)
    horizon_on: date | None = None


APPEND_ONLY_TABLES = ("event", "acknowledgement", "login_attempt")


class RateSlot(SQLModel, table=True):
    """When the next message may go through one rate-limit key (a bot, a chat, a group).

    Shared by every dispatcher of the installation, so several workers of one bot together
    keep the platform's limits; a provider's ``retry_after`` moves it later too
    (:mod:`notifier.engine.ratelimit`).
    """

    __tablename__ = "rate_slot"
    kind: str = Field(primary_key=True, max_length=32)  # "bot:telegram", "chat:zalo", ...
    key: str = Field(primary_key=True, max_length=64)  # the chat id; "" for the bot
    next_at: datetime = _utc(nullable=False)


class CalendarDay(SQLModel, table=True):
    """A day off or make-up working day added in the browser (calendar page).

    Overrides ``config/calendar.yaml`` and the ``holidays`` package for its date.
    """

    __tablename__ = "calendar_day"
    day: date = Field(primary_key=True)
    working: bool  # True: a make-up working day; False: a day off
    reason: str = Field(max_length=300)
    created_at: datetime = _utc(nullable=False)
    created_by: str = Field(default="", max_length=64)


class PlanUpload(SQLModel, table=True):
    """A plan document uploaded in the browser, kept between the check and the confirm.

    The id is random and the row belongs to the account that uploaded it; the page never
    carries the content. Deleted once imported (and after a day).
    """

    __tablename__ = "plan_upload"
    id: str = Field(primary_key=True, max_length=64)
    account_id: int = Field(foreign_key="account.id", index=True)
    filename: str = Field(max_length=255)
    size: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = _utc(nullable=False)
