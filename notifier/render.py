"""Messages in official Vietnamese, rendered from Jinja2 templates.

One template per kind and part: ``<kind>.subject.j2``, ``<kind>.text.j2``,
``<kind>.html.j2`` and ``<kind>.telegram.j2`` in ``notifier/templates``.  An admin
may replace any of them (same file name) in an override directory; as soon as
an override directory holds templates, *all* templates are rendered in a
:class:`~jinja2.sandbox.SandboxedEnvironment` so an overridden shared partial
cannot reach Python internals either.  Undefined variables always raise, so a
typo in a template is found by :meth:`Renderer.check`, not by a recipient.

Wording built from several fields (plan reference, addressee, ack lines) is
built here as plain strings; the templates decide layout and sentences
(``_request.j2`` and ``_late.j2`` are rendered first and passed on as ``request``
and ``late_text``).  Rendering errors become
:class:`~notifier.errors.ConfigError` naming the template.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from html.parser import HTMLParser
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from notifier import textfmt
from notifier.clock import VN_TZ, as_utc
from notifier.domain.status import BUCKET_ORDER
from notifier.errors import ConfigError
from notifier.reports import wording
from notifier.reports.model import BucketCounts, CompiledReport
from notifier.store.readmodel import Answer, Unanswered
from notifier.vocab import (
    REPLY_WORDS,
    AckAction,
    LateReason,
    MessageKind,
    Role,
    offered_answers,
)

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
TELEGRAM_LIMIT = 4096
TELEGRAM_LIST_LIMIT = 10
ZALO_LIMIT = 2000  # characters (UTF-16 units) of a Zalo message
ZALO_LIST_LIMITS = (5, 3, 1)  # list lengths tried in the Zalo form, longest first
SUBJECT_LIMIT = 120  # characters; the task title is shortened on a word boundary to fit
# Who the messages speak for when notifier.yaml names no office.
DEFAULT_OFFICE = "Bộ phận theo dõi, đôn đốc thực hiện nhiệm vụ"
TELEGRAM_TAGS = frozenset({"b", "i", "a", "code"})


class Part(StrEnum):
    SUBJECT = "subject"
    TEXT = "text"
    HTML = "html"
    TELEGRAM = "telegram"


# The four official status buckets (domain.md section 6), always in this order.
OFFICIAL_BUCKETS = tuple(b.label for b in BUCKET_ORDER)


@dataclass(frozen=True)
class TaskLine:
    plan_number: str
    task_ref: str
    task_title: str
    lead: str
    deadline: date
    working_days: int
    last_answer: str = ""
    level: int = 0
    unanswered: str = ""  # "Văn phòng ...: 4 lần nhắc, từ 22/4/2024 đến 03/5/2024"
    period: str = ""


@dataclass(frozen=True)
class CatchUpLine:
    """One stale item of a catch-up message, with its own answer links (link channels)."""

    line: TaskLine
    what: str  # the latest step it stands for: "quá hạn", "đôn đốc", "nhắc hạn"
    role: Role = Role.LEAD
    row_id: int | None = None  # the recipient's recorded row of this item (answered by links)
    answers: tuple[AckAction, ...] = ()  # what the item's own message would have offered
    links: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class ReportFile:
    """A file of the compiled report the message carries: attached (email) or linked."""

    label: str  # "Tải báo cáo (Word)"
    filename: str  # "bao-cao-ke-hoach-24-kh-ubnd-6-thang-dau-nam-2024.docx"
    url: str = ""  # the signed download link; "" when the file is attached


@dataclass(frozen=True)
class MessageContext:
    kind: MessageKind
    recipient_name: str
    recipient_position: str
    recipient_agency: str
    role: Role
    copy: bool = False
    plan_number: str = ""
    plan_date: str = ""
    plan_title: str = ""
    task_ref: str = ""
    task_title: str = ""
    lead_agencies: str = ""
    period: str = ""
    deadline: date | None = None
    working_days: int = 0
    level: int = 0
    acks: tuple[Answer, ...] = ()
    late_news: bool = False
    note: str = ""
    reporter: str = ""
    counts: tuple[tuple[str, int], ...] = ()
    overdue: tuple[TaskLine, ...] = ()
    due_soon: tuple[TaskLine, ...] = ()
    open_items: tuple[TaskLine, ...] = ()
    links: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    now: datetime | None = None
    # the plan's own date when the calendar moved it (Civil Code art. 148), and why
    nominal: date | None = None
    nominal_off: str = ""
    # escalations: who this level reports to, the recipient's Nth message of it, and the
    # people reminded who have not answered (from the read model)
    level_title: str = ""
    nth: int = 0
    unanswered: tuple[Unanswered, ...] = ()
    # why the message goes out after its planned time, and since when
    late_reason: LateReason | None = None
    late_since: datetime | None = None
    # report requests: the data period (Decree 09/2019 art. 12)
    data_from: date | None = None
    data_to: date | None = None
    # the answers offered (None: what the kind and role allow, vocab.offered_answers)
    answers: tuple[AckAction, ...] | None = None
    items: tuple[CatchUpLine, ...] = ()
    weekly: bool = False
    counted_reports: int = 0  # digest: how many of the counted items are report periods
    # the message's short reference in a chat without buttons (Zalo): "42" for "#42"
    reference: int | None = None
    done_label: str = ""  # "đã hoàn thành quá hạn" once the deadline is done
    # the compiled report (to the compiler): the model the Word and Excel reports share
    report: CompiledReport | None = None
    files: tuple[ReportFile, ...] = ()  # its files (dispatch: attached or linked)
    topic: str = ""  # admin alerts: what it is about (default: a delivery problem)
    office: str = ""
    contact: str = ""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    telegram_html: str
    # the short plain form for Zalo (2,000 characters), when asked for: render(zalo=True)
    zalo_text: str | None = None


def offered(ctx: MessageContext) -> tuple[AckAction, ...]:
    """The answers this message offers (links or buttons): vocab.offered_answers."""
    if ctx.answers is not None:
        return ctx.answers
    return offered_answers(ctx.kind, ctx.role, ctx.copy)


def expects_answer(ctx: MessageContext) -> bool:
    """Whether the message asks for an answer (links or buttons)."""
    return bool(offered(ctx))


def plan_reference(number: str, plan_date: str, title: str = "") -> str:
    """ "Kế hoạch số 24/KH-UBND ngày 05/4/2024 về ..."; a draft number reads "(chưa có số)"."""
    number = number.strip()
    has_number = bool(number) and not number.startswith("/")
    parts = [f"Kế hoạch số {number}" if has_number else "Kế hoạch (chưa có số)"]
    when = plan_date.strip()
    if when[:4].isdigit():  # stored ISO ("2024-04-05", "2024-04"): as officials write it
        when = textfmt.vn_plan_date(when)
    if when:
        parts.append(when if when[0].isalpha() else f"ngày {when}")
    title = " ".join(title.split())
    if title:
        words = title.split()
        if len(words) > 1 and words[1][:1].islower():  # sentence case: "Triển khai ..."
            title = title[:1].lower() + title[1:]
        parts.append(title if title.startswith("về ") else f"về {title}")
    return " ".join(parts)


def _addressee(ctx: MessageContext) -> str:
    if not ctx.recipient_name:
        return ctx.recipient_agency
    who = f"Đồng chí {ctx.recipient_name}"
    where = ", ".join(p for p in (ctx.recipient_position, ctx.recipient_agency) if p)
    return f"{who} – {where}" if where else who


def _ack_view(ack: Answer) -> dict[str, str]:
    return {
        "person": ack.person,
        "agency": ack.agency,
        "action": ack.action.past,
        "when": textfmt.vn_datetime(ack.at),
        "channel": ack.via.phrase,
        "note": ack.note,
    }


def _line_view(line: TaskLine) -> dict[str, Any]:
    return {
        "plan_number": line.plan_number,
        "task_ref": line.task_ref,
        "task_title": line.task_title,
        "ref": ", ".join(
            p
            for p in (
                f"nhiệm vụ {line.task_ref}" if line.task_ref else "",
                f"kỳ {textfmt.lowerfirst(line.period)}" if line.period else "",
                plan_reference(line.plan_number, ""),
            )
            if p
        ),  # fmt: skip
        "lead": line.lead,
        "period": textfmt.lowerfirst(line.period),
        "deadline": textfmt.vn_deadline(line.deadline),
        "days": textfmt.days_phrase(line.working_days, line.deadline),
        "last_answer": line.last_answer,
        "level": line.level,
        "unanswered": line.unanswered,
    }


def unanswered_lines(people: tuple[Unanswered, ...]) -> list[dict[str, str]]:
    """Per agency, the people reminded who have not answered: how often, first and last."""
    by_agency: dict[str, list[str]] = {}
    for u in people:
        who = f"đồng chí {u.person}" + (f" ({u.position})" if u.position else "")
        count = f"{u.reminders} lần nhắc"
        first, last = (
            textfmt.vn_date(as_utc(t).astimezone(VN_TZ).date()) for t in (u.first, u.last)
        )
        span = f"ngày {first}" if first == last else f"từ {first} đến {last}"
        by_agency.setdefault(u.agency, []).append(f"{who}: {count}, {span}")
    return [{"agency": agency, "people": "; ".join(items)} for agency, items in by_agency.items()]


def _buckets(counts: tuple[tuple[str, int], ...]) -> list[tuple[str, int]]:
    """The four official buckets first, in order (missing ones count 0), then any extras."""
    given = dict(counts)
    rows = [(label, given.pop(label, 0)) for label in OFFICIAL_BUCKETS]
    return rows + list(given.items())


def _deadline_note(ctx: MessageContext) -> str:
    """Why the effective deadline differs from the plan's date (art. 148), or ""."""
    if ctx.nominal is None or ctx.deadline is None or ctx.nominal == ctx.deadline:
        return ""
    why = f" ({ctx.nominal_off})" if ctx.nominal_off else ""
    plan = f"ngày {textfmt.vn_date(ctx.nominal)} là ngày nghỉ{why}"
    if ctx.deadline > ctx.nominal:
        return (
            f"{plan}; theo Điều 148 Bộ luật Dân sự 2015, thời hạn kết thúc vào cuối "
            "ngày làm việc tiếp theo"
        )
    return f"{plan}; thời hạn tính vào ngày làm việc liền trước"


def _item_view(item: CatchUpLine) -> dict[str, Any]:
    view = _line_view(item.line)
    view["what"] = item.what
    view["role"] = Role(item.role).label
    view["links"] = [
        (a.label, item.links[a.value]) for a in item.answers if item.links.get(a.value)
    ]
    return view


def _view(ctx: MessageContext) -> dict[str, Any]:
    """Everything a template may use; templates print, this module decides wording."""
    buckets = _buckets(ctx.counts)
    total = sum(n for label, n in buckets if label in OFFICIAL_BUCKETS)
    answers = offered(ctx)
    return {
        "ctx": ctx,
        "kind": ctx.kind,
        "role": ctx.role,
        "copy": ctx.copy,
        "addressee": _addressee(ctx),
        "role_text": Role(ctx.role).label,
        "plan_ref": plan_reference(ctx.plan_number, ctx.plan_date, ctx.plan_title),
        "plan_ref_short": plan_reference(ctx.plan_number, ctx.plan_date),
        "has_plan": bool(ctx.plan_number or ctx.plan_date or ctx.plan_title),
        "task_label": f"Nhiệm vụ {ctx.task_ref}" if ctx.task_ref else "Nhiệm vụ",
        "headline": ctx.task_title or plan_reference(ctx.plan_number, ctx.plan_date),
        "deadline_text": textfmt.vn_deadline(ctx.deadline) if ctx.deadline else "",
        "deadline_short": textfmt.vn_date(ctx.deadline) if ctx.deadline else "",
        "deadline_note": _deadline_note(ctx),
        "days_text": ctx.done_label or textfmt.days_phrase(ctx.working_days, ctx.deadline),
        "level_title": ctx.level_title,
        "nth_text": f"lần thứ {ctx.nth}" if ctx.nth >= 2 else "",
        "unanswered": unanswered_lines(ctx.unanswered),
        "acks": [_ack_view(a) for a in ctx.acks],
        "late_news": ctx.late_news,
        "late_reason": ctx.late_reason.value if ctx.late_reason else "",
        "late_since": textfmt.vn_datetime(ctx.late_since) if ctx.late_since else "",
        "data_period": _data_period(ctx),
        "answer": bool(answers),
        "answer_labels": [a.label for a in answers],
        "zalo": False,
        "ref": ctx.reference or "",
        "reply_words": [REPLY_WORDS[a] for a in answers if a in REPLY_WORDS],
        "links": [(a.label, ctx.links[a.value]) for a in answers if ctx.links.get(a.value)],
        "items": [_item_view(i) for i in ctx.items],
        "items_tasks": len({(i.line.plan_number, i.line.task_ref) for i in ctx.items}),
        "buckets": buckets,
        "total": total,
        "overdue_share": textfmt.vn_percent(dict(buckets)[OFFICIAL_BUCKETS[3]], total),
        "overdue": [_line_view(t) for t in ctx.overdue],
        "due_soon": [_line_view(t) for t in ctx.due_soon],
        "open_items": [_line_view(t) for t in ctx.open_items],
        "now_text": textfmt.vn_datetime(ctx.now) if ctx.now else "",
        "today_text": textfmt.vn_date(_local_date(ctx.now)) if ctx.now else "",
        "list_limit": TELEGRAM_LIST_LIMIT,
        "subject_limit": SUBJECT_LIMIT,
        "weekly": ctx.weekly,
        "counted": _counted(total, ctx.counted_reports),
        "report": report_view(ctx.report),
        "files": [{"label": f.label, "name": f.filename, "url": f.url} for f in ctx.files],
        "files_attached": bool(ctx.files) and not any(f.url for f in ctx.files),
        "office": ctx.office or DEFAULT_OFFICE,
        "contact": ctx.contact,
    }


def _counts_view(counts: BucketCounts) -> dict[str, Any]:
    return {
        "rows": [(b.label, n, rate) for b, n, rate in counts.rows()],
        "total": counts.total,
        "overdue_share": counts.rate(BUCKET_ORDER[3]),
    }


def report_view(report: CompiledReport | None) -> dict[str, Any] | None:
    """The compiled report as the message shows it, in the report files' own sentences
    (:mod:`notifier.reports.wording`): tasks and report periods counted apart."""
    if report is None:
        return None
    return {
        "title": wording.subject_line(report),
        "status": wording.status_instant(report),
        "period": report.period.label if report.period is not None else "",
        "data": report.period.data_text if report.period is not None else "",
        "task_total": report.task_total,
        "tasks": _counts_view(report.tasks),
        "reports": _counts_view(report.reports),
        "completed": [wording.done_line(i) for i in report.completed],
        "overdue": [wording.open_line(i) for i in report.overdue],
        "in_time": [wording.open_line(i) for i in report.in_time],
        "obstacles": [wording.obstacle_line(o) for o in report.obstacles],
        "no_obstacles": wording.no_obstacles(report),
        "agencies": [
            {
                "agency": a.agency,
                "tasks": a.tasks.counts,
                "reports": a.reports.counts,
                "tasks_total": a.tasks.total,
                "reports_total": a.reports.total,
            }
            for a in report.agencies
        ],  # fmt: skip
    }


def _counted(total: int, reports: int) -> str:
    """ "3 nhiệm vụ", or "1 thời hạn nhiệm vụ và 5 kỳ báo cáo": periods are not tasks."""
    if not reports:
        return f"{textfmt.vn_int(total)} nhiệm vụ"
    deadlines = textfmt.vn_int(total - reports)
    return f"{deadlines} thời hạn nhiệm vụ và {textfmt.vn_int(reports)} kỳ báo cáo"


def _data_period(ctx: MessageContext) -> str:
    if ctx.data_from is None or ctx.data_to is None:
        return ""
    return f"Số liệu từ {textfmt.vn_date(ctx.data_from)} đến {textfmt.vn_date(ctx.data_to)}"


def _local_date(now: datetime) -> date:
    return as_utc(now).astimezone(VN_TZ).date()


def _shorten(text: str, width: int = 120) -> str:
    return textfmt.shorten_words(text, width)


def _tidy(text: str) -> str:
    """Drop trailing spaces and runs of blank lines left by template conditionals."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _autoescape(name: str | None) -> bool:
    return bool(name) and str(name).endswith((".html.j2", ".telegram.j2", ".zalo.j2"))


_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def plain_text(chat_html: str) -> str:
    """Telegram-style HTML as plain text for a chat without formatting (Zalo): a link
    keeps its address after its words, the other tags go, entities are decoded."""
    import html as _html

    text = _LINK.sub(lambda m: m.group(2) if m.group(2) == m.group(1) else
                     f"{m.group(2)} ({m.group(1)})", chat_html)  # fmt: skip
    return _html.unescape(_TAG.sub("", text))


class _TelegramTagCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS or (tag != "a" and attrs):
            self.bad.add(tag)
        elif tag == "a" and [k for k, _ in attrs] != ["href"]:
            self.bad.add("a (only href is allowed)")


def telegram_problems(html: str) -> list[str]:
    """Reasons Telegram would refuse this HTML message (tags, length)."""
    checker = _TelegramTagCheck()
    checker.feed(html)
    problems = [f"thẻ không được Telegram hỗ trợ: <{tag}>" for tag in sorted(checker.bad)]
    if len(html) > TELEGRAM_LIMIT:
        problems.append(f"dài {len(html)} ký tự, vượt giới hạn {TELEGRAM_LIMIT} của Telegram")
    return problems


class _ShippedTemplates(jinja2.FileSystemLoader):
    """The package's own templates: they change only with the package, so a template
    once loaded is never looked at on disk again (every render asked the file's time
    of each template it used). Templates of the override folder keep Jinja's check:
    an edit there shows in the next message."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        source, filename, _ = super().get_source(environment, template)
        return source, filename, _always_current


def _always_current() -> bool:
    return True


class Renderer:
    """Renders a :class:`MessageContext` into subject, plain text, HTML and Telegram HTML."""

    def __init__(self, override_dir: Path | None = None) -> None:
        self._override_dir = override_dir
        self._said: dict[str, tuple[jinja2.Template, str]] = {}
        loaders: list[jinja2.BaseLoader] = [_ShippedTemplates(PACKAGE_TEMPLATES)]
        env_class: type[jinja2.Environment] = jinja2.Environment
        if override_dir is not None and override_dir.exists():
            if not override_dir.is_dir():
                raise ConfigError([f"{override_dir}: thư mục mẫu thông báo phải là một thư mục"])
            if any(override_dir.glob("*.j2")):
                loaders.insert(0, jinja2.FileSystemLoader(override_dir))
                env_class = SandboxedEnvironment
        self._env = env_class(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            autoescape=_autoescape,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters.update(
            vn_date=textfmt.vn_date,
            vn_deadline=textfmt.vn_deadline,
            vn_datetime=textfmt.vn_datetime,
            days_phrase=textfmt.days_phrase,
            capfirst=textfmt.capfirst,
            vn_int=textfmt.vn_int,
            shorten=_shorten,
            fit=_shorten,
            lowerfirst=textfmt.lowerfirst,
        )

    @property
    def sandboxed(self) -> bool:
        return isinstance(self._env, SandboxedEnvironment)

    def render(
        self, ctx: MessageContext, *, zalo: bool = False, parts: Collection[Part] = tuple(Part)
    ) -> Rendered:
        """Render the four parts, or only ``parts`` (subject and text always; a part left
        out is ""), and the Zalo form with ``zalo``; a template error raises ConfigError
        naming the template. The dispatcher asks only for what the channel sends."""
        kind = MessageKind(ctx.kind)
        Role(ctx.role)  # unknown roles fail here, not half-way through a template
        base = _view(ctx)
        wanted = {Part.SUBJECT, Part.TEXT, *parts}
        rendered = dict.fromkeys(Part, "")
        shared: dict[str, tuple[str, str]] = {}  # by form of address: the subject's is the text's
        for part in (p for p in Part if p in wanted):
            you = self.you(part)
            view = dict(base, you=you)
            if you not in shared:
                shared[you] = (
                    self._render_part("_request.j2", view).strip(),
                    self._render_part("_late.j2", view).strip(),
                )
            view["request"], view["late_text"] = shared[you]
            rendered[part] = self._render_part(f"{kind}.{part}.j2", view)
        return Rendered(
            subject=" ".join(rendered[Part.SUBJECT].split()),
            text=_tidy(rendered[Part.TEXT]),
            html=rendered[Part.HTML].strip() + "\n" if Part.HTML in wanted else "",
            telegram_html=_tidy(rendered[Part.TELEGRAM]).rstrip("\n"),
            zalo_text=self._render_zalo(kind, base) if zalo else None,
        )

    def _render_zalo(self, kind: MessageKind, base: dict[str, Any]) -> str:
        """The Zalo form: ``<kind>.zalo.j2`` when there is one, else the Telegram form
        with the reference, the reply words and the answer links in place of the
        buttons, as plain text (Zalo shows no formatting and has no buttons)."""
        view = dict(base, you=self.you(Part.TELEGRAM), zalo=True)
        view["request"] = self._render_part("_request.j2", view).strip()
        view["late_text"] = self._render_part("_late.j2", view).strip()
        name = f"{kind}.zalo.j2"
        try:
            self._env.get_template(name)
        except jinja2.TemplateNotFound:
            name = f"{kind}.{Part.TELEGRAM}.j2"
        text = ""
        for limit in ZALO_LIST_LIMITS:  # shorter lists until it fits, rather than a cut
            view["list_limit"] = limit
            text = _tidy(plain_text(self._render_part(name, view))).rstrip("\n")
            if len(text.encode("utf-16-le")) // 2 <= ZALO_LIMIT:
                break
        return text

    def render_acks(self, answers: tuple[Answer, ...]) -> str:
        """The answers block of a Telegram message alone (``_acks.telegram.j2``): what a
        chat shows once an answer comes in, in place of the block the message was sent with."""
        view = {"acks": [_ack_view(a) for a in answers], "unanswered": []}
        return _tidy(self._render_part("_acks.telegram.j2", view)).strip()

    def you(self, part: Part | str) -> str:
        """The form of address of a channel ("đồng chí"), set in ``_you.<part>.j2``
        (the subject uses the email's); the chat bot says it the same way."""
        name = f"_you.{Part.TEXT if Part(part) == Part.SUBJECT else Part(part)}.j2"
        template = self._template(name)
        said = self._said.get(name)
        if said is None or said[0] is not template:  # the same words until it is edited
            said = self._said[name] = (template, self._render_part(name, {}).strip())
        return said[1]

    def _render_part(self, name: str, view: dict[str, Any]) -> str:
        template = self._template(name)
        try:
            return template.render(view)
        except jinja2.TemplateError as exc:
            raise self._broken(name, exc) from exc

    def _template(self, name: str) -> jinja2.Template:
        try:
            return self._env.get_template(name)
        except jinja2.TemplateError as exc:
            raise self._broken(name, exc) from exc

    def _broken(self, name: str, exc: jinja2.TemplateError) -> ConfigError:
        where = self._origin(name)
        return ConfigError([f"mẫu thông báo {where}: {type(exc).__name__}: {exc}"])

    def _origin(self, name: str) -> str:
        if self._override_dir is not None and (self._override_dir / name).is_file():
            return str(self._override_dir / name)
        return name

    def check(self) -> list[str]:
        """Render every kind with sample contexts; return the problems found (empty if none)."""
        problems = self._unknown_overrides()
        for kind in MessageKind:
            for ctx in _samples(kind):
                try:
                    out = self.render(ctx)
                except ConfigError as exc:
                    problems.extend(p for p in exc.problems if p not in problems)
                    continue
                if not out.subject:
                    problems.append(f"{kind}.subject.j2: tiêu đề rỗng")
                problems.extend(
                    f"{kind}.telegram.j2: {p}" for p in telegram_problems(out.telegram_html)
                )
        return problems

    def _unknown_overrides(self) -> list[str]:
        if self._override_dir is None or not self._override_dir.is_dir():
            return []
        known = {p.name for p in PACKAGE_TEMPLATES.glob("*.j2")}
        return [
            f"{path}: không có mẫu thông báo nào tên {path.name} (sai tên tệp?)"
            for path in sorted(self._override_dir.glob("*.j2"))
            if path.name not in known
        ]


def _samples(kind: MessageKind) -> list[MessageContext]:
    from notifier.render_samples import sample_contexts

    return sample_contexts(kind)
