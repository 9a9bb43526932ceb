"""What a chat bot says and records, for any chat platform: the transports only carry it.

A platform's transport turns what arrives into one of two calls, :meth:`Conversation.press`
(a button under a message) or :meth:`Conversation.text` (a text message, a command
included), and carries out the replies it gets back (:class:`AnswerPress`, :class:`Edit`,
:class:`Say`, in Telegram-style HTML; a platform without HTML strips the tags). Everything
else is here, written once: signed button data, the answers through
:mod:`notifier.services`, the reason prompt after "Báo vướng mắc" (kept in the
``chat_session`` table, not in the event log), linking codes, ``/viec`` and ``/help``.

Each update is **one transaction**: the service call and the chat state it changes commit
together, and a refusal rolls both back (nothing changed), while the person still gets an
answer saying why.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from notifier import services
from notifier.channels.base import Button
from notifier.clock import VN_TZ, as_utc
from notifier.errors import NotifierError, Refused
from notifier.interact.linking import LinkRefused, looks_like_code, record_refusal, redeem_code
from notifier.interact.replies import DATE_AT_START, AnswerWord, answer_word, command_word
from notifier.render import Part
from notifier.runtime import Runtime
from notifier.services import AnswerResult, Answers, ByChat, Target
from notifier.services.common import NOT_LINKED
from notifier.signing import answer_buttons, parse_callback_data
from notifier.store.addresses import people_of_chat
from notifier.store.db import session_scope
from notifier.store.facts import load_occurrences
from notifier.store.models import Agency, ChatSession, Notification
from notifier.store.open_messages import OpenMessage, open_messages
from notifier.store.readmodel import deadline_states, open_deadlines_led_by
from notifier.textfmt import capfirst, days_phrase, parse_vn_date, vn_date, vn_deadline
from notifier.vocab import (
    REPLY_WORDS,
    AckAction,
    Awaiting,
    OccurrenceKind,
    Via,
    offered_answers,
)

REASON_WINDOW = timedelta(hours=1)
MAX_TASKS = 20
HELP = (
    "<b>Hướng dẫn sử dụng</b>\n"
    "• Bấm các nút dưới mỗi tin nhắc việc: <b>Đã nhận</b>, <b>Đã hoàn thành</b>, "
    "<b>Báo vướng mắc</b> (sau đó gửi lý do), <b>Xin gia hạn</b> (sau đó gửi ngày đề nghị và "
    "lý do).\n"
    "• /viec — các việc đang mở mà cơ quan {you} chủ trì, kèm hạn.\n"
    "• /start MÃ — liên kết {platform} với tài khoản (mã do văn phòng cấp).\n"
    "• /help — hướng dẫn này."
)
HINT = "Gõ /viec để xem các việc đang mở, /help để xem hướng dẫn."
# Platforms without buttons (Zalo) answer with words (notifier.interact.replies).
TEXT_HELP = (
    "<b>Hướng dẫn sử dụng</b>\n"
    "• Trả lời tin nhắc việc bằng một tin nhắn: «đã nhận», «xong», hoặc «vướng» kèm lý do "
    "(ví dụ «vướng chưa bố trí được kinh phí»), hoặc «gia hạn» kèm ngày đề nghị và lý do "
    "(ví dụ «gia hạn 15/5/2024 chờ bố trí kinh phí»); khi có nhiều tin "
    "đang chờ, thêm mã tin ghi trong tin nhắn, ví dụ «xong #42». Có thể dùng các liên kết "
    "trong tin thay cho tin nhắn.\n"
    "• /viec (hoặc «việc») — các việc đang mở mà cơ quan {you} chủ trì, kèm hạn.\n"
    "• /start MÃ — liên kết {platform} với tài khoản (mã do văn phòng cấp).\n"
    "• /help (hoặc «giúp») — hướng dẫn này."
)
TEXT_HINT = (
    "Để phản hồi, đề nghị gửi «đã nhận», «xong», «vướng» kèm lý do hoặc «gia hạn» kèm ngày "
    "và lý do; gõ /viec để xem "
    "các việc đang mở, /help để xem hướng dẫn."
)
Mark = Callable[[Session], None]  # writes the transport's journal in the same transaction


@dataclass(frozen=True)
class AnswerPress:
    """Answer a button press (always sent, a refusal included, so the spinner stops)."""

    query_id: str
    text: str


@dataclass(frozen=True)
class Edit:
    """Replace a shown message; no buttons removes them."""

    chat_id: str
    message_id: str
    html: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Say:
    chat_id: str
    html: str


Reply = AnswerPress | Edit | Say


@dataclass(frozen=True)
class Shown:
    """The message a button was pressed under, as the chat shows it now."""

    message_id: str
    html: str
    buttons: tuple[Button, ...] = ()


def short(what: Exception | str, limit: int = 190) -> str:
    """Button answers are limited to 200 characters."""
    text = str(what) or "Không thực hiện được."
    return text if len(text) <= limit else text[: limit - 1] + "…"


def stamp(action: AckAction, name: str, at: datetime) -> str:
    """ "✅ Đã ghi nhận: Đã hoàn thành — Trần Văn Minh, 08:15 03/5/2024"."""
    local = as_utc(at).astimezone(VN_TZ)
    who = html.escape(name, quote=False)
    return f"✅ Đã ghi nhận: {action.label} — {who}, {local:%H:%M} {vn_date(local.date())}"


class Conversation:
    """The bot's decisions for one chat platform (``platform`` is its channel name).

    ``buttons=False`` (Zalo): the help and hints explain the answer words instead of
    buttons. Answer words work on every platform.
    """

    def __init__(
        self,
        runtime: Runtime,
        key: bytes,
        platform: str,
        via: Via,
        platform_label: str,
        *,
        buttons: bool = True,
    ) -> None:
        self.runtime, self.key, self.platform, self.via = runtime, key, platform, via
        self.platform_label = platform_label  # "Telegram", as people call it
        # the form of address of this channel, set in its templates (_you.telegram.j2)
        self.you = runtime.renderer.you(Part.TELEGRAM)
        self.help = (HELP if buttons else TEXT_HELP).format(platform=platform_label, you=self.you)
        self.hint = HINT if buttons else TEXT_HINT

    def now(self) -> datetime:
        return as_utc(self.runtime.clock.now())

    def actor(self, chat_id: str) -> ByChat:
        return ByChat(self.platform, chat_id)

    # -- button presses ----------------------------------------------------------------

    def press(self, chat_id: str, shown: Shown, data: str, query_id: str) -> list[Reply]:
        """A press of "Đã nhận" / "Đã hoàn thành" / "Báo vướng mắc"; always answered."""
        now = self.now()
        try:
            notification_id, action = parse_callback_data(self.key, data)
            with services.answering(self.runtime, now) as answers:
                if action == AckAction.BLOCKED:
                    return self._ask_reason(answers, chat_id, notification_id, shown, query_id)
                if action == AckAction.EXTENSION_REQUESTED:
                    return self._ask_date(answers, chat_id, notification_id, shown, query_id)
                result = self._answer(answers, chat_id, notification_id, action)
        except NotifierError as exc:
            return [AnswerPress(query_id, short(exc))]
        replies: list[Reply] = [AnswerPress(query_id, short(result.message))]
        if result.changed:  # already done, or already acknowledged: nothing new to show
            line = stamp(action, result.actor_name, now)
            keep = shown.buttons if action == AckAction.RECEIVED else ()
            shown_now = self._refreshed(shown.html, result.deadline_id)
            replies.append(Edit(chat_id, shown.message_id, f"{shown_now}\n\n{line}", keep))
        return replies

    def _refreshed(self, shown_html: str, deadline_id: int) -> str:
        """The shown message with its answers block as it is now: a message sent before
        any answer no longer says that nobody answered (issue 14 §4)."""
        renderer = self.runtime.renderer
        nobody = renderer.render_acks(())
        if nobody not in shown_html:
            return shown_html
        with Session(self.runtime.engine) as session:
            answers = deadline_states(session, [deadline_id]).get(deadline_id)
        if answers is None or not answers.answers:
            return shown_html
        return shown_html.replace(nobody, renderer.render_acks(answers.answers), 1)

    def _answer(
        self, answers: Answers, chat_id: str, notification_id: int, action: AckAction
    ) -> AnswerResult:
        target, actor = Target(notification_id), self.actor(chat_id)
        if action == AckAction.RECEIVED:
            return answers.acknowledge(target, actor, self.via)
        return answers.complete(target, actor, self.via)

    def _ask_reason(
        self, answers: Answers, chat_id: str, notification_id: int, shown: Shown, query_id: str
    ) -> list[Reply]:
        """Remember, for one hour, that the next text from this chat is the reason."""
        checked = answers.check_obstacle(Target(notification_id), self.actor(chat_id), self.via)
        session = answers.session
        state = session.get(ChatSession, (self.platform, chat_id)) or ChatSession(
            platform=self.platform, chat_id=chat_id, awaiting=Awaiting.REASON
        )
        state.awaiting = Awaiting.REASON
        state.notification_id = notification_id
        state.deadline_id = checked.deadline_id
        state.person_id = checked.actor_id
        state.message_id, state.message_html = shown.message_id, shown.html
        state.expires_at = answers.now + REASON_WINDOW
        session.add(state)
        title = html.escape(checked.task_title, quote=False)
        prompt = (
            f"Đề nghị {self.you} gửi <b>lý do vướng mắc</b> của nhiệm vụ «{title}» "
            "trong một tin nhắn (trong vòng 1 giờ)."
        )
        return [AnswerPress(query_id, checked.message), Say(chat_id, prompt)]

    def _ask_date(
        self, answers: Answers, chat_id: str, notification_id: int, shown: Shown, query_id: str
    ) -> list[Reply]:
        """ "Xin gia hạn": ask the proposed date first, then (in :meth:`_extension`) the reason."""
        target = Target(notification_id)
        checked = answers.check_extension(target, self.actor(chat_id), self.via)
        state = self._awaiting(answers, chat_id, Awaiting.EXTENSION_DATE, shown, checked)
        state.notification_id = notification_id
        answers.session.add(state)
        title = html.escape(checked.task_title, quote=False)
        prompt = (
            f"Đề nghị {self.you} gửi <b>ngày đề nghị gia hạn</b> của nhiệm vụ «{title}» "
            "(ngày/tháng/năm, ví dụ 15/5/2024) trong một tin nhắn (trong vòng 1 giờ)."
        )
        return [AnswerPress(query_id, checked.message), Say(chat_id, prompt)]

    def _awaiting(
        self, answers: Answers, chat_id: str, what: Awaiting, shown: Shown, checked: AnswerResult
    ) -> ChatSession:
        state = answers.session.get(ChatSession, (self.platform, chat_id)) or ChatSession(
            platform=self.platform, chat_id=chat_id, awaiting=what
        )
        state.awaiting, state.proposed_date = what, None
        state.deadline_id, state.person_id = checked.deadline_id, checked.actor_id
        state.message_id, state.message_html = shown.message_id, shown.html
        state.expires_at = answers.now + REASON_WINDOW
        return state

    # -- text messages -----------------------------------------------------------------

    def text(self, chat_id: str, text: str, mark: Mark | None = None) -> list[Reply]:
        """A command (or its word), the awaited reason after "Báo vướng mắc", an answer
        word, a bare link code, or a hint.

        ``mark`` is called inside every transaction that may change something, so the
        transport's journal row commits with it (or rolls back with a refusal).
        """
        text = text.strip()
        if text.startswith("/"):
            return self.command(chat_id, text, mark)
        word = command_word(text)
        if word is not None:
            return self.command(chat_id, f"/{word}", mark)
        if looks_like_code(text):
            return [Say(chat_id, self.start(chat_id, text, mark))]
        try:
            return self._extension(chat_id, text, mark) or self._reason(chat_id, text, mark)
        except NotifierError as exc:
            return [Say(chat_id, html.escape(short(exc, 500), quote=False))]

    def _extension(self, chat_id: str, text: str, mark: Mark | None = None) -> list[Reply]:
        """The date, then the reason, after "Xin gia hạn" ([] when not awaiting them)."""
        now = self.now()
        waiting = (Awaiting.EXTENSION_DATE, Awaiting.EXTENSION_REASON)
        with Session(self.runtime.engine) as session:  # read first: no commit for nothing
            found = session.get(ChatSession, (self.platform, chat_id))
            if found is None or found.awaiting not in waiting:
                return []
        with services.answering(self.runtime, now) as answers:
            state = answers.session.get(ChatSession, (self.platform, chat_id))
            if state is None or state.awaiting not in waiting or not state.notification_id:
                return []
            if mark is not None:
                mark(answers.session)
            if now >= state.expires_at:
                answers.session.delete(state)
                return [Say(chat_id, "Đã quá 1 giờ; vui lòng bấm lại nút «Xin gia hạn».")]
            target = Target(state.notification_id)
            if state.awaiting == Awaiting.EXTENSION_DATE:
                try:
                    proposed = parse_vn_date(text)
                except ValueError:
                    return [
                        Say(
                            chat_id, "Ngày chưa đúng; vui lòng gửi ngày/tháng/năm, ví dụ 15/5/2024."
                        )
                    ]
                answers.check_extension(target, self.actor(chat_id), self.via, proposed)
                state.awaiting, state.proposed_date = Awaiting.EXTENSION_REASON, proposed
                state.expires_at = now + REASON_WINDOW
                answers.session.add(state)
                return [
                    Say(
                        chat_id,
                        f"Đề nghị {self.you} gửi <b>lý do đề nghị gia hạn</b> "
                        f"đến ngày {vn_date(proposed)}.",
                    )
                ]
            assert state.proposed_date is not None
            result = answers.request_extension(
                target, self.actor(chat_id), self.via, state.proposed_date, text
            )
            shown = (state.message_id, state.message_html)
            buttons = self._buttons(answers.session, state.notification_id)
            answers.session.delete(state)
        replies: list[Reply] = [Say(chat_id, html.escape(result.message, quote=False))]
        if result.changed and shown[0]:
            line = stamp(AckAction.EXTENSION_REQUESTED, result.actor_name, now)
            body = self._refreshed(shown[1], result.deadline_id)
            replies.append(Edit(chat_id, shown[0], f"{body}\n\n{line}", buttons))
        return replies

    def _reason(self, chat_id: str, text: str, mark: Mark | None = None) -> list[Reply]:
        """report_obstacle and forget the prompt, together; then edit the pressed message.
        Without a prompt waiting, the text may be an answer word."""
        now = self.now()
        with services.answering(self.runtime, now) as answers:
            if mark is not None:
                mark(answers.session)
            state = answers.session.get(ChatSession, (self.platform, chat_id))
            if state is None or state.awaiting != Awaiting.REASON or not state.notification_id:
                word = answer_word(text)
                if word is None:
                    return [Say(chat_id, self.hint)]
                return self._word(answers, chat_id, word)
            if now >= state.expires_at:
                answers.session.delete(state)
                return [Say(chat_id, "Đã quá 1 giờ; vui lòng bấm lại nút «Báo vướng mắc».")]
            target = Target(state.notification_id)
            result = answers.report_obstacle(target, self.actor(chat_id), self.via, text)
            shown = (state.message_id, state.message_html)
            buttons = self._buttons(answers.session, state.notification_id)
            answers.session.delete(state)
        replies: list[Reply] = [Say(chat_id, html.escape(result.message, quote=False))]
        if result.changed and shown[0]:
            reason = html.escape(text if len(text) <= 300 else text[:299] + "…", quote=False)
            line = stamp(AckAction.BLOCKED, result.actor_name, now)
            body = self._refreshed(shown[1], result.deadline_id)
            # the buttons stay: the person reports done once the obstacle is cleared
            replies.append(Edit(chat_id, shown[0], f"{body}\n\n{line}\nLý do: {reason}", buttons))
        return replies

    def _buttons(self, session: Session, notification_id: int) -> tuple[Button, ...]:
        """The buttons the message was sent with (the answers it offers), signed again."""
        row = session.get(Notification, notification_id)
        if row is None:
            return ()
        offered = offered_answers(row.kind, row.role, row.copy_only)
        return answer_buttons(self.key, notification_id, offered)

    # -- answer words (chats without buttons) -------------------------------------------

    def _word(self, answers: Answers, chat_id: str, word: AnswerWord) -> list[Reply]:
        """ "xong", "đã nhận", "vướng LÝ DO", with or without "#42": the message it means,
        then the same service call as a button; refusals change nothing."""
        session = answers.session
        people = people_of_chat(session, self.platform, chat_id)
        if not people:
            raise Refused(NOT_LINKED)
        waiting = open_messages(session, [p.id for p in people if p.id], self.platform)
        known = {m.notification_id for m in waiting}
        if word.action == AckAction.EXTENSION_REQUESTED:
            return self._extension_word(answers, chat_id, word, waiting, known)
        reason = word.rest
        if word.reference is not None and (word.hashed or word.reference in known):
            target = word.reference
        else:
            reason = word.rest_with_number  # "vướng 3 xã chưa ..." : the number is text
            offering = [m for m in waiting if word.action in m.offered]
            if len(offering) != 1:
                return [Say(chat_id, self._which(word.action, offering or waiting))]
            target = offering[0].notification_id
        if word.action == AckAction.BLOCKED and not reason.strip():
            return self._ask_reason_text(answers, chat_id, target)
        result = self._give(answers, chat_id, target, word.action, reason)
        return [Say(chat_id, html.escape(result.message, quote=False))]

    def _extension_word(
        self,
        answers: Answers,
        chat_id: str,
        word: AnswerWord,
        waiting: list[OpenMessage],
        known: set[int],
    ) -> list[Reply]:
        """ "gia hạn [#42] 15/5/2024 lý do": the same request as the "Xin gia hạn" button."""
        text, target = word.rest_with_number, None
        if word.reference is not None and (
            word.hashed or (word.reference in known and not DATE_AT_START.match(text))
        ):
            text, target = word.rest, word.reference
        found = DATE_AT_START.match(text)
        usage = (
            f"Đề nghị {self.you} gửi: «gia hạn» + ngày đề nghị + lý do, "
            "ví dụ «gia hạn 15/5/2024 chờ bố trí kinh phí»."
        )
        if found is None:
            return [Say(chat_id, usage)]
        try:
            proposed = parse_vn_date(found.group(1))
        except ValueError:
            return [Say(chat_id, f"Ngày {found.group(1)} không có thật. {usage}")]
        if target is None:
            offering = [m for m in waiting if word.action in m.offered]
            if len(offering) != 1:
                return [Say(chat_id, self._which(word.action, offering or waiting))]
            target = offering[0].notification_id
        reason = text[found.end() :].lstrip(" \t:;,.-–—")
        result = answers.request_extension(
            Target(target), self.actor(chat_id), self.via, proposed, reason
        )
        return [Say(chat_id, html.escape(result.message, quote=False))]

    def _give(
        self, answers: Answers, chat_id: str, notification_id: int, action: AckAction, reason: str
    ) -> AnswerResult:
        if action == AckAction.BLOCKED:
            target = Target(notification_id)
            return answers.report_obstacle(target, self.actor(chat_id), self.via, reason.strip())
        return self._answer(answers, chat_id, notification_id, action)

    def _which(self, action: AckAction, waiting: list[OpenMessage]) -> str:
        """No single message to apply a bare answer to: say so, listing the open ones."""
        if not waiting:
            return (
                f"Hiện không có tin nhắn nào đang chờ {self.you} phản hồi. "
                "Gõ /viec để xem các việc đang mở."
            )
        word = REPLY_WORDS[action]
        lines = [
            f"{capfirst(self.you)} có {len(waiting)} tin đang chờ phản hồi; đề nghị gửi lại "
            f"kèm mã tin, ví dụ «{word} #{waiting[0].notification_id}»:"
        ]
        for m in waiting[:MAX_TASKS]:
            title = m.task_title if len(m.task_title) <= 120 else m.task_title[:119] + "…"
            period = f", báo cáo kỳ {m.period}" if m.period else ""
            lines.append(
                f"#{m.notification_id} — {html.escape(m.task_ref)} "
                f"{html.escape(title, quote=False)}{html.escape(period, quote=False)} "
                f"(hạn {vn_date(m.deadline)})"
            )
        if len(waiting) > MAX_TASKS:
            lines.append(f"… và {len(waiting) - MAX_TASKS} tin khác.")
        return "\n".join(lines)

    def _ask_reason_text(self, answers: Answers, chat_id: str, notification_id: int) -> list[Reply]:
        """ "vướng" without a reason: ask for it (the next text is the reason, 1 hour)."""
        checked = answers.check_obstacle(Target(notification_id), self.actor(chat_id), self.via)
        session = answers.session
        state = session.get(ChatSession, (self.platform, chat_id)) or ChatSession(
            platform=self.platform, chat_id=chat_id, awaiting=Awaiting.REASON
        )
        state.awaiting, state.notification_id = Awaiting.REASON, notification_id
        state.deadline_id, state.person_id = checked.deadline_id, checked.actor_id
        state.message_id, state.message_html = "", ""
        state.expires_at = answers.now + REASON_WINDOW
        session.add(state)
        title = html.escape(checked.task_title, quote=False)
        return [
            Say(
                chat_id,
                f"Đề nghị {self.you} gửi <b>lý do vướng mắc</b> của nhiệm vụ «{title}» "
                "trong một tin nhắn (trong vòng 1 giờ).",
            )
        ]

    # -- commands ----------------------------------------------------------------------

    def command(self, chat_id: str, text: str, mark: Mark | None = None) -> list[Reply]:
        head, _, rest = text.partition(" ")
        name = head[1:].split("@", 1)[0].lower()
        if name == "start":
            return [Say(chat_id, self.start(chat_id, rest.strip(), mark))]
        if name == "viec":
            with Session(self.runtime.engine) as session:
                return [Say(chat_id, self.my_tasks(session, chat_id))]
        return [Say(chat_id, self.help)]

    def start(self, chat_id: str, code: str, mark: Mark | None = None) -> str:
        """``/start CODE`` links this chat; ``/start`` alone greets or explains."""
        if not code:
            with Session(self.runtime.engine) as session:
                people = people_of_chat(session, self.platform, chat_id)
                names = ", ".join(html.escape(p.name) for p in people)
            if names:
                return f"Xin chào {names}. Cuộc trò chuyện đã được liên kết.\n\n{self.help}"
            return f"{NOT_LINKED}\n\n{self.help}"
        now = self.now()
        try:
            with session_scope(self.runtime.engine) as session:
                if mark is not None:
                    mark(session)
                person = redeem_code(session, code, self.platform, chat_id, now)
                agency = session.get(Agency, person.agency_id)
                where = f" ({html.escape(agency.name)})" if agency is not None else ""
                return (
                    f"Đã liên kết {self.platform_label} với <b>{html.escape(person.name)}</b>"
                    f"{where}. "
                    "Tin nhắc việc sẽ được gửi tới đây. Gõ /viec để xem các việc đang mở."
                )
        except LinkRefused as exc:
            with session_scope(self.runtime.engine) as session:  # counted by the limits
                if mark is not None:
                    mark(session)
                record_refusal(session, exc, self.platform, chat_id, now)
            return html.escape(str(exc), quote=False)

    def my_tasks(self, session: Session, chat_id: str) -> str:
        """``/viec``: open deadlines led by the agencies of this chat's people, soonest first."""
        people = people_of_chat(session, self.platform, chat_id)
        if not people:
            return NOT_LINKED
        agency_ids = list(dict.fromkeys(p.agency_id for p in people))
        found = session.exec(select(Agency).where(col(Agency.id).in_(agency_ids))).all()
        by_id = {a.id: a.name for a in found}
        names = html.escape(", ".join(by_id[i] for i in agency_ids if i in by_id), quote=False)
        ids = open_deadlines_led_by(session, agency_ids)
        open_items = [
            o for o in load_occurrences(session, self.runtime.policy, deadline_ids=ids) if o.is_open
        ]
        if not open_items:
            return f"Không có việc nào đang mở do {names} chủ trì."
        today = self.now().astimezone(VN_TZ).date()
        lines = [f"<b>Việc đang mở do {names} chủ trì</b> ({len(open_items)} việc)"]
        for number, occ in enumerate(open_items[:MAX_TASKS], start=1):
            title = occ.task_title if len(occ.task_title) <= 160 else occ.task_title[:159] + "…"
            period = ""
            if occ.kind == OccurrenceKind.REPORT:
                period = f" — báo cáo kỳ {occ.period}" if occ.period else " — báo cáo"
            days = self.runtime.calendar.working_days_between(today, occ.effective)
            lines.append(
                f"{number}. <b>{html.escape(occ.task_ref)}</b> {html.escape(title, quote=False)}"
                f"{html.escape(period, quote=False)}\n"
                f"    Hạn: {vn_deadline(occ.effective)} — {days_phrase(days, occ.effective)}"
            )
        if len(open_items) > MAX_TASKS:
            lines.append(f"… và {len(open_items) - MAX_TASKS} việc khác.")
        return "\n".join(lines)
