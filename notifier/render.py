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
from collections.abc import Mapping
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
from notifier.store.readmodel import Answer
from notifier.vocab import ANSWER_KINDS, RECIPIENT_ANSWERS, MessageKind, Role

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
TELEGRAM_LIMIT = 4096
TELEGRAM_LIST_LIMIT = 10
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


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    telegram_html: str


def expects_answer(ctx: MessageContext) -> bool:
    """Whether the message asks for received/done/blocked (links or buttons)."""
    return not ctx.copy and ctx.kind in ANSWER_KINDS


def plan_reference(number: str, plan_date: str, title: str = "") -> str:
    """ "Kế hoạch số 24/KH-UBND ngày 05/4/2024 về ..."; a draft number reads "(chưa có số)"."""
    number = number.strip()
    has_number = bool(number) and not number.startswith("/")
    parts = [f"Kế hoạch số {number}" if has_number else "Kế hoạch (chưa có số)"]
    when = plan_date.strip()
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
                plan_reference(line.plan_number, ""),
            )
            if p
        ),  # fmt: skip
        "lead": line.lead,
        "deadline": textfmt.vn_deadline(line.deadline),
        "days": textfmt.days_phrase(line.working_days),
        "last_answer": line.last_answer,
        "level": line.level,
    }


def _buckets(counts: tuple[tuple[str, int], ...]) -> list[tuple[str, int]]:
    """The four official buckets first, in order (missing ones count 0), then any extras."""
    given = dict(counts)
    rows = [(label, given.pop(label, 0)) for label in OFFICIAL_BUCKETS]
    return rows + list(given.items())


def _view(ctx: MessageContext) -> dict[str, Any]:
    """Everything a template may use; templates print, this module decides wording."""
    buckets = _buckets(ctx.counts)
    total = sum(n for label, n in buckets if label in OFFICIAL_BUCKETS)
    task_label = f"Nhiệm vụ {ctx.task_ref}".strip()
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
        "task_label": task_label,
        "headline": ctx.task_title or plan_reference(ctx.plan_number, ctx.plan_date),
        "deadline_text": textfmt.vn_deadline(ctx.deadline) if ctx.deadline else "",
        "days_text": textfmt.days_phrase(ctx.working_days),
        "level_text": f"lần {ctx.level}" if ctx.level > 0 else "",
        "acks": [_ack_view(a) for a in ctx.acks],
        "late_news": ctx.late_news,
        "answer": expects_answer(ctx),
        "links": [
            (a.label, ctx.links[a.value]) for a in RECIPIENT_ANSWERS if ctx.links.get(a.value)
        ],
        "buckets": buckets,
        "total": total,
        "overdue_share": textfmt.vn_percent(dict(buckets)[OFFICIAL_BUCKETS[3]], total),
        "overdue": [_line_view(t) for t in ctx.overdue],
        "due_soon": [_line_view(t) for t in ctx.due_soon],
        "open_items": [_line_view(t) for t in ctx.open_items],
        "now_text": textfmt.vn_datetime(ctx.now) if ctx.now else "",
        "today_text": textfmt.vn_date(_local_date(ctx.now)) if ctx.now else "",
        "list_limit": TELEGRAM_LIST_LIMIT,
    }


def _local_date(now: datetime) -> date:
    return as_utc(now).astimezone(VN_TZ).date()


def _shorten(text: str, width: int = 120) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _tidy(text: str) -> str:
    """Drop trailing spaces and runs of blank lines left by template conditionals."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _autoescape(name: str | None) -> bool:
    return bool(name) and str(name).endswith((".html.j2", ".telegram.j2"))


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


class Renderer:
    """Renders a :class:`MessageContext` into subject, plain text, HTML and Telegram HTML."""

    def __init__(self, override_dir: Path | None = None) -> None:
        self._override_dir = override_dir
        loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(PACKAGE_TEMPLATES)]
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
        )

    @property
    def sandboxed(self) -> bool:
        return isinstance(self._env, SandboxedEnvironment)

    def render(self, ctx: MessageContext) -> Rendered:
        """Render all four parts; a template error raises ConfigError naming the template."""
        kind = MessageKind(ctx.kind)
        Role(ctx.role)  # unknown roles fail here, not half-way through a template
        view = _view(ctx)
        view["request"] = self._render_part("_request.j2", view).strip()
        view["late_text"] = self._render_part("_late.j2", view).strip()
        parts = {part: self._render_part(f"{kind}.{part}.j2", view) for part in Part}
        return Rendered(
            subject=" ".join(parts[Part.SUBJECT].split()),
            text=_tidy(parts[Part.TEXT]),
            html=parts[Part.HTML].strip() + "\n",
            telegram_html=_tidy(parts[Part.TELEGRAM]).rstrip("\n"),
        )

    def _render_part(self, name: str, view: dict[str, Any]) -> str:
        try:
            return self._env.get_template(name).render(view)
        except jinja2.TemplateError as exc:
            where = self._origin(name)
            raise ConfigError([f"mẫu thông báo {where}: {type(exc).__name__}: {exc}"]) from exc

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
