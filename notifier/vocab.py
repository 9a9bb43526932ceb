"""The project's nouns, once: every kind, status, channel and answer, with its Vietnamese label.

Pure and at the bottom of the import graph (it imports nothing of the project), so the
domain, the store, the engine, the templates' context, the bot, the web app and the CLI
all say the same thing with the same word. A StrEnum member *is* its stored string
("reminder" == MessageKind.REMINDER), so columns and JSON keep their values; comparisons
in code use the members, never raw strings.

The named sets at the end answer the questions several layers ask ("does this kind chase
an open deadline?", "does it carry answer buttons?") in one place.
"""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A StrEnum whose members carry the Vietnamese word users read."""

    @property
    def label(self) -> str:
        return _LABELS[type(self).__name__][self.value]


class MessageKind(Labelled):
    """What a message is about; also the kind of each step the policy plans."""

    REMINDER = "reminder"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    REPORT_REQUEST = "report_request"
    COMPILED_REPORT = "compiled_report"
    DIGEST = "digest"
    FOLLOWUP = "followup"
    OBSTACLE = "obstacle"
    CONFIRMATION = "confirmation"
    TEST = "test"
    ADMIN_ALERT = "admin_alert"
    CATCH_UP = "catch_up"


class AckAction(Labelled):
    """What an acknowledgement records: a recipient's answer, or the office's escalation."""

    RECEIVED = "received"
    DONE = "done"
    BLOCKED = "blocked"
    ESCALATED = "escalated"
    EXTENDED = "extended"  # the office moved the deadline (new date, reason)
    EXTENSION_REQUESTED = "extension_requested"  # "Xin gia hạn": proposed date + reason
    EXTENSION_REFUSED = "extension_refused"  # the office refused a request

    @property
    def past(self) -> str:
        """The answer as a sentence fragment: "đã nhận", "đã báo cáo hoàn thành"."""
        return _PAST[self.value]


# The answers a recipient can give, in the order officials expect them.
RECIPIENT_ANSWERS: tuple[AckAction, ...] = (
    AckAction.RECEIVED,
    AckAction.DONE,
    AckAction.BLOCKED,
    AckAction.EXTENSION_REQUESTED,
)


class LateReason(Labelled):
    """Why a message goes out after its planned time (said truthfully in the message)."""

    IMPORTED_LATE = "imported_late"  # the plan was imported after the step's date
    SERVICE_DOWN = "service_down"  # the service was not running (its own heartbeat says so)
    SEND_WINDOW = "send_window"  # it waited for the send window (working days, office hours)


class DigestMode(Labelled):
    """When the monitor's digest goes out."""

    DAILY_WHEN_CHANGED = "daily_when_changed"  # a working day whose content changed
    WEEKLY = "weekly"  # one day a week (policy.digest.weekday)


class ChannelName(Labelled):
    """The built-in delivery channels (more may be registered as plug-ins by name)."""

    EMAIL = "email"
    ZALO = "zalo"
    TELEGRAM = "telegram"
    ZNS = "zns"  # Zalo Notification Service: an approved template to a phone number
    CONSOLE = "console"


class Via(Labelled):
    """How an answer reached the program."""

    TELEGRAM = "telegram"
    ZALO = "zalo"
    EMAIL = "email"
    WEB = "web"
    CLI = "cli"
    BOARD = "board"  # an account signed in to the web board

    @property
    def phrase(self) -> str:
        """How it came, as a message says it: "qua Telegram", "do quản trị viên cập nhật"."""
        return _VIA_PHRASES[self.value]


class DeliveryStatus(Labelled):
    """The state of one outbox row."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class AttemptOutcome(Labelled):
    """How one delivery attempt ended."""

    STARTED = "started"
    SENT = "sent"
    TRANSIENT = "transient"
    PERMANENT = "permanent"


class Role(Labelled):
    """The part an agency plays in a task; policy steps address roles, not agencies."""

    LEAD = "lead"
    COORDINATING = "coordinating"
    MONITOR = "monitor"
    DIRECTING = "directing"
    COMPILER = "compiler"


# Roles a task row names itself (the others are plan-wide duties).
TASK_ROLES: tuple[Role, ...] = (Role.DIRECTING, Role.LEAD, Role.COORDINATING)


class PlanDuty(Labelled):
    """A plan-wide duty from section III (who monitors, compiles, receives obstacles)."""

    MONITOR = "monitor"
    COMPILER = "compiler"
    OBSTACLE_TO = "obstacle_to"
    OBSTACLE_CC = "obstacle_cc"
    DIRECTING = "directing"  # from the plan's own settings file: directs tasks naming none


class PersonRole(Labelled):
    """The position of a person inside an agency."""

    HEAD = "head"
    DEPUTY = "deputy"
    FOCAL_POINT = "focal_point"
    STAFF = "staff"


class AccountRole(Labelled):
    """What a web account may see and do (decided in notifier.accounts.access)."""

    ADMIN = "admin"
    OFFICE = "office"
    AGENCY = "agency"
    VIEWER = "viewer"


class LoginOutcome(Labelled):
    """How one sign-in attempt ended (what the failed-login limits count)."""

    OK = "ok"
    BAD_PASSWORD = "bad_password"
    UNKNOWN_LOGIN = "unknown_login"
    DISABLED = "disabled"
    LIMITED = "limited"


class LinkOutcome(Labelled):
    """How one ``/start CODE`` ended (what the invite-code limits count)."""

    OK = "ok"
    WRONG = "wrong"
    USED = "used"
    EXPIRED = "expired"
    INACTIVE = "inactive"
    LIMITED = "limited"


class OccurrenceKind(Labelled):
    """A deadline row is a task's own deadline or one reporting period of ongoing work."""

    DEADLINE = "deadline"
    REPORT = "report"


class DeadlineStatus(Labelled):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class PlanStatus(Labelled):
    OPEN = "open"
    CLOSED = "closed"


class Source(Labelled):
    """Where a directory record comes from (``sync`` manages only the file's)."""

    CONFIG = "config"
    CLI = "cli"
    WEB = "web"  # created or edited on the admin pages: sync leaves it alone


class Awaiting(Labelled):
    """What a bot waits for from a chat."""

    REASON = "reason"
    EXTENSION_DATE = "extension_date"  # after "Xin gia hạn": the proposed date, then
    EXTENSION_REASON = "extension_reason"  # the reason


class ExtensionStatus(Labelled):
    """Where a recipient's extension request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class EventKind(Labelled):
    """Entries of the append-only event log."""

    PLAN_IMPORT = "plan.import"
    DIRECTORY_SYNC = "directory.sync"
    CONTACT_ADD = "contact.add"
    CONTACT_SET = "contact.set"
    CONTACT_DISABLE = "contact.disable"
    AGENCY_SAVE = "agency.save"
    GROUP_SAVE = "group.save"
    DIRECTORY_HANDBACK = "directory.handback"
    SWEEP_NOBODY = "sweep.nobody"
    DIGEST_RUN = "digest.run"
    CALENDAR_APPLY = "calendar.apply"
    CALENDAR_ESTIMATE = "calendar.estimate"
    HORIZON = "reporting.horizon"
    DELIVERY_PROBLEM = "delivery_problem"
    CHANNEL_OUTAGE = "channel.outage"
    CHANNEL_RECOVERED = "channel.recovered"
    CHAT_INVITE = "telegram.invite"
    CHAT_LINK = "telegram.link"
    ANSWER_RECEIVED = "answer.received"
    ANSWER_DONE = "answer.done"
    ANSWER_BLOCKED = "answer.blocked"
    ANSWER_ESCALATED = "answer.escalated"
    ANSWER_EXTENDED = "answer.extended"
    ANSWER_EXTENSION_REQUESTED = "answer.extension_requested"
    ANSWER_EXTENSION_REFUSED = "answer.extension_refused"
    ACCOUNT_ADD = "account.add"
    ACCOUNT_DISABLE = "account.disable"
    ACCOUNT_ENABLE = "account.enable"
    ACCOUNT_PASSWORD = "account.password"
    AGENCY_ADD = "agency.add"
    AGENCY_ALIAS = "agency.alias"
    CALENDAR_DAY_ADD = "calendar.day_add"
    CALENDAR_DAY_REMOVE = "calendar.day_remove"
    # Written before the bot kept its own state table; kept so old log rows read back.
    LEGACY_TELEGRAM_OFFSET = "telegram.offset"
    LEGACY_AWAITING_REASON = "telegram.awaiting_reason"

    @classmethod
    def answer(cls, action: AckAction) -> EventKind:
        return cls(f"answer.{action.value}")


# ---------------------------------------------------------------- named sets

# Kinds that chase an open deadline: pointless once it is closed, so dispatch cancels them.
# Confirmations, obstacles, compiled reports and admin alerts about a closed deadline still go.
CHASING_KINDS: frozenset[MessageKind] = frozenset(
    {
        MessageKind.REMINDER,
        MessageKind.DUE_TODAY,
        MessageKind.OVERDUE,
        MessageKind.ESCALATION,
        MessageKind.REPORT_REQUEST,
        MessageKind.FOLLOWUP,
    }
)
# Kinds that ask the recipient for an answer (buttons, links): exactly the chasing ones.
ANSWER_KINDS: frozenset[MessageKind] = CHASING_KINDS
# Kinds whose unanswered message to the lead agency gets one no-answer follow-up.
FOLLOWED_UP_KINDS: frozenset[MessageKind] = frozenset(
    {MessageKind.REMINDER, MessageKind.DUE_TODAY, MessageKind.REPORT_REQUEST}
)
# What each role may answer to a message that asks for an answer: the lead agency reports
# received, done or blocked; the monitor may also record done (told by phone); the
# leadership, the compiler and coordinating agencies acknowledge (coordinating ones may
# report an obstacle of their part). One table, read by offered_answers().
ROLE_ANSWERS: dict[Role, tuple[AckAction, ...]] = {
    Role.LEAD: RECIPIENT_ANSWERS,
    Role.MONITOR: (AckAction.RECEIVED, AckAction.DONE),
    Role.DIRECTING: (AckAction.RECEIVED,),
    Role.COMPILER: (AckAction.RECEIVED,),
    Role.COORDINATING: (AckAction.RECEIVED, AckAction.BLOCKED),
}


def offered_answers(kind: MessageKind, role: Role, copy: bool) -> tuple[AckAction, ...]:
    """The answers a message offers its recipient (links, buttons), in order; () for none.

    The one decision: the dispatcher signs exactly these, the templates show them, and
    the services accept from a message's recipient only these.
    """
    if copy or MessageKind(kind) not in ANSWER_KINDS:
        return ()
    return ROLE_ANSWERS.get(Role(role), ())


# The word a person replies in a chat without buttons (Zalo) to give each answer;
# notifier.interact.replies also reads them without accents and a few synonyms.
REPLY_WORDS: dict[AckAction, str] = {
    AckAction.RECEIVED: "đã nhận",
    AckAction.DONE: "xong",
    AckAction.BLOCKED: "vướng",
    AckAction.EXTENSION_REQUESTED: "gia hạn",  # + the proposed date and the reason
}

# Outbox states in which a row may still go out.
WAITING_STATUSES: tuple[DeliveryStatus, ...] = (DeliveryStatus.PENDING, DeliveryStatus.CLAIMED)
LIVE_STATUSES: tuple[DeliveryStatus, ...] = (*WAITING_STATUSES, DeliveryStatus.SENT)


# ---------------------------------------------------------------- the words

_LABELS: dict[str, dict[str, str]] = {
    "MessageKind": {
        "reminder": "Nhắc hạn",
        "due_today": "Đến hạn",
        "overdue": "Quá hạn",
        "escalation": "Đôn đốc",
        "report_request": "Đề nghị báo cáo",
        "compiled_report": "Báo cáo tổng hợp",
        "digest": "Tổng hợp hằng ngày",
        "followup": "Nhắc lại khi chưa phản hồi",
        "obstacle": "Báo cáo vướng mắc",
        "confirmation": "Xác nhận phản hồi",
        "test": "Tin thử",
        "admin_alert": "Cảnh báo quản trị",
        "catch_up": "Thông báo gửi bù",
    },
    "AckAction": {
        "received": "Đã nhận",
        "done": "Đã hoàn thành",
        "blocked": "Báo vướng mắc",
        "escalated": "Chuyển cấp",
        "extended": "Gia hạn",
        "extension_requested": "Xin gia hạn",
        "extension_refused": "Không chấp thuận gia hạn",
    },
    "LateReason": {
        "imported_late": "kế hoạch được nhập sau thời điểm gửi",
        "service_down": "hệ thống tạm ngừng hoạt động",
        "send_window": "chờ giờ làm việc",
    },
    "DigestMode": {
        "daily_when_changed": "hằng ngày khi có thay đổi",
        "weekly": "hằng tuần",
    },
    "ChannelName": {
        "email": "thư điện tử",
        "zalo": "Zalo",
        "telegram": "Telegram",
        "zns": "tin báo Zalo (ZNS)",
        "console": "màn hình",
    },
    "Via": {
        "telegram": "Telegram",
        "zalo": "Zalo",
        "email": "thư điện tử",
        "web": "web",
        "cli": "quản trị",
        "board": "trang theo dõi",
    },
    "DeliveryStatus": {
        "pending": "chờ gửi",
        "claimed": "đang gửi",
        "sent": "đã gửi",
        "failed": "không gửi được",
        "skipped": "bỏ qua",
        "cancelled": "đã hủy",
    },
    "AttemptOutcome": {
        "started": "đang gửi",
        "sent": "đã gửi",
        "transient": "lỗi tạm thời",
        "permanent": "địa chỉ không dùng được",
    },
    "Role": {
        "lead": "chủ trì",
        "coordinating": "phối hợp",
        "monitor": "theo dõi, đôn đốc",
        "directing": "chỉ đạo",
        "compiler": "tổng hợp",
    },
    "PlanDuty": {
        "monitor": "theo dõi, đôn đốc",
        "compiler": "tổng hợp",
        "obstacle_to": "nhận báo cáo vướng mắc",
        "obstacle_cc": "đồng nhận báo cáo vướng mắc",
        "directing": "chỉ đạo",
    },
    "PersonRole": {
        "head": "thủ trưởng",
        "deputy": "cấp phó",
        "focal_point": "đầu mối",
        "staff": "chuyên viên",
    },
    "AccountRole": {
        "admin": "Quản trị hệ thống",
        "office": "Văn phòng (theo dõi, đôn đốc)",
        "agency": "Cơ quan, đơn vị",
        "viewer": "Lãnh đạo (chỉ xem)",
    },
    "LoginOutcome": {
        "ok": "đăng nhập thành công",
        "bad_password": "sai mật khẩu",
        "unknown_login": "không có tài khoản",
        "disabled": "tài khoản đã khóa",
        "limited": "tạm khóa do đăng nhập sai nhiều lần",
    },
    "LinkOutcome": {
        "ok": "đã liên kết",
        "wrong": "mã không đúng",
        "used": "mã đã dùng",
        "expired": "mã hết hạn",
        "inactive": "người được mời không còn trong danh bạ",
        "limited": "tạm khóa do nhập sai mã nhiều lần",
    },
    "OccurrenceKind": {"deadline": "thời hạn", "report": "kỳ báo cáo"},
    "DeadlineStatus": {"open": "đang theo dõi", "done": "đã hoàn thành", "cancelled": "đã hủy"},
    "PlanStatus": {"open": "đang theo dõi", "closed": "đã kết thúc"},
    "Source": {
        "config": "tệp directory.yaml",
        "cli": "dòng lệnh (contact add)",
        "web": "trang quản trị",
    },
    "EventKind": {
        "plan.import": "nhập kế hoạch",
        "directory.sync": "cập nhật danh bạ",
        "contact.add": "thêm người nhận",
        "contact.set": "sửa người nhận",
        "contact.disable": "ngừng người nhận",
        "agency.save": "cập nhật cơ quan",
        "group.save": "cập nhật nhóm cơ quan",
        "directory.handback": "trả bản ghi về tệp danh bạ",
        "sweep.nobody": "không có người nhận",
        "digest.run": "tổng hợp hằng ngày",
        "calendar.apply": "áp dụng lịch làm việc",
        "calendar.estimate": "lịch nghỉ Tết chưa được xác nhận",
        "reporting.horizon": "bổ sung kỳ báo cáo",
        "delivery_problem": "sự cố gửi tin",
        "telegram.invite": "cấp mã liên kết",
        "telegram.link": "liên kết trò chuyện",
        "answer.received": "đã nhận",
        "answer.done": "đã hoàn thành",
        "answer.blocked": "báo vướng mắc",
        "answer.escalated": "chuyển cấp",
        "answer.extended": "gia hạn",
        "answer.extension_requested": "xin gia hạn",
        "answer.extension_refused": "không chấp thuận gia hạn",
        "account.add": "thêm tài khoản",
        "account.disable": "khóa tài khoản",
        "account.enable": "mở lại tài khoản",
        "account.password": "đổi mật khẩu tài khoản",
        "agency.add": "thêm cơ quan, đơn vị",
        "agency.alias": "thêm tên gọi khác của cơ quan",
        "calendar.day_add": "thêm ngày vào lịch làm việc",
        "calendar.day_remove": "bỏ ngày khỏi lịch làm việc",
        "telegram.offset": "vị trí đọc tin Telegram",
        "telegram.awaiting_reason": "chờ lý do vướng mắc",
    },
    "Awaiting": {
        "reason": "lý do vướng mắc",
        "extension_date": "ngày đề nghị gia hạn",
        "extension_reason": "lý do đề nghị gia hạn",
    },
    "ExtensionStatus": {
        "pending": "chờ xem xét",
        "approved": "đã chấp thuận",
        "refused": "không chấp thuận",
    },
}

_VIA_PHRASES = {
    "telegram": "qua Telegram",
    "zalo": "qua Zalo",
    "email": "qua thư điện tử",
    "web": "qua liên kết trên trang web",
    "cli": "do quản trị viên cập nhật",
    "board": "do văn phòng cập nhật trên trang theo dõi",
}

_PAST = {
    "received": "đã nhận",
    "done": "đã báo cáo hoàn thành",
    "blocked": "đã báo vướng mắc",
    "escalated": "đã chuyển cấp",
    "extended": "đã gia hạn",
    "extension_requested": "đã đề nghị gia hạn",
    "extension_refused": "không chấp thuận đề nghị gia hạn",
}
