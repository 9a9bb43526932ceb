"""The person page: details and form, linking a chat, and test messages.

Linking: an admin asks for an invite code (:func:`notifier.interact.linking.issue_code`,
the function behind ``notifier contact invite``). The code is shown once, on the answer
to that POST (only its hash is stored), with a t.me deep link and its QR code (SVG,
``segno``) for Telegram, and the same code to send to the Zalo bot (Zalo documents no
deep link). When each chat was linked comes from the event log.

Test messages are queued with :func:`~notifier.services.testmessage.queue_test_message`
(as ``notifier send-test`` does) and sent by the running service's dispatcher; the page
shows the row's outcome, refreshed by htmx until it is final.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import segno
from aiohttp import web
from markupsafe import Markup
from multidict import MultiDictProxy
from sqlmodel import Session, col, select

from notifier.interact.linking import CODE_LIFETIME, issue_code
from notifier.runtime import Runtime
from notifier.services.directory import (
    LISTED,
    PersonForm,
    declared_in_file,
    save_person,
)
from notifier.services.testmessage import TestMessageResult, queue_test_message, read_test_message
from notifier.store.models import Agency, Event, Person
from notifier.vocab import ChannelName, EventKind
from notifier.web.botinfo import telegram_username
from notifier.web.directory import (
    agency_choices,
    field_text,
    file_directory,
    html,
    in_thread,
    page,
    save_and_show,
)
from notifier.web.guard import RUNTIME, error_page, page_context, redirect
from notifier.web.templating import render

ZALO = "zalo"  # the Zalo bot links chats with the same codes (issue 10)
CHAT_PLATFORMS = (ChannelName.TELEGRAM.value, ZALO)


@dataclass(frozen=True)
class ChatLink:
    platform: str
    chat_id: str
    linked_at: datetime | None  # None: the address came from directory.yaml or the CLI


def person_form_of(form: MultiDictProxy[Any]) -> PersonForm:
    channels = [field_text(form, f"channel_{i}") for i in range(1, len(LISTED) + 1)]
    return PersonForm(
        key=field_text(form, "key"),
        agency=field_text(form, "agency"),
        name=field_text(form, "name"),
        position=field_text(form, "position"),
        role=field_text(form, "role"),
        email=field_text(form, "email"),
        phone=field_text(form, "phone"),
        channels=[c for c in channels if c],
        active=form.get("active") == "on",
    )


def chat_links(session: Session, person: Person) -> list[ChatLink]:
    """The person's chats now, each with when it was linked through a bot (if it was)."""
    events = session.exec(
        select(Event)
        .where(Event.person_id == person.id, Event.kind == EventKind.CHAT_LINK)
        .order_by(col(Event.at).desc())
    ).all()
    latest: dict[str, Event] = {}
    for row in events:
        latest.setdefault(str(row.data.get("platform", "")), row)
    links: list[ChatLink] = []
    for platform in CHAT_PLATFORMS:
        current = getattr(person, f"{platform}_chat_id", None)
        event = latest.get(platform)
        if current is None and event is None:
            continue
        if current is None:
            assert event is not None
            current = event.data.get("chat_id", "")
        linked = event is not None and str(event.data.get("chat_id")) == str(current)
        at = event.at if linked and event is not None else None
        links.append(ChatLink(platform, str(current), at))
    return links


def _person_state(runtime: Runtime, key: str) -> dict[str, Any] | None:
    with Session(runtime.engine) as session:
        row = session.exec(select(Person).where(Person.key == key)).first()
        if row is None:
            return None
        agency = session.get(Agency, row.agency_id)
        return {"row": row, "agency": agency, "links": chat_links(session, row)}


def _result(runtime: Runtime, row_id: int) -> TestMessageResult | None:
    with Session(runtime.engine) as session:
        return read_test_message(session, row_id)


async def person_page(request: web.Request) -> web.StreamResponse:
    return await _person_view(request, request.match_info.get("key"), None, {})


async def _person_view(
    request: web.Request,
    key: str | None,
    form: PersonForm | None,
    errors: dict[str, str],
    **extra: Any,
) -> web.Response:
    runtime = request.app[RUNTIME]
    state: dict[str, Any] | None = None
    if key is not None:
        state = await asyncio.to_thread(_person_state, runtime, key)
        if state is None:
            return error_page(request, 404, "Không tìm thấy", f"Không có người nhận mã “{key}”.")
    row: Person | None = state["row"] if state else None
    agency: Agency | None = state["agency"] if state else None
    if form is None and row is not None:
        form = PersonForm(
            row.key, agency.code if agency else "", row.name, row.position, row.role,
            row.email or "", row.phone or "", list(row.channels), row.active,
        )  # fmt: skip
    form = form or PersonForm("", request.query.get("agency", ""), "", channels=["email"])
    test = None
    raw = request.query.get("test", "")
    if raw.isdigit() and row is not None:
        test = await asyncio.to_thread(_result, runtime, int(raw))
        test = test if test is not None and test.person_id == row.id else None
    directory, problem = await asyncio.to_thread(file_directory, runtime)
    return page(
        request, "person.html", status=400 if errors else 200,
        title=f"Người nhận: {row.name}" if row else "Thêm người nhận", row=row, agency=agency,
        form=form, errors=errors, links=state["links"] if state else [],
        agencies=await asyncio.to_thread(agency_choices, runtime), test=test,
        in_file=row is not None and declared_in_file(directory, "person", row.key),
        file_problem=problem, **extra,
    )  # fmt: skip


async def person_submit(request: web.Request) -> web.StreamResponse:
    form = person_form_of(await request.post())
    return await save_and_show(
        request, "key", form, save_person, _person_view, lambda row: f"/directory/person/{row.key}"
    )


# -- invite codes ------------------------------------------------------------------------


def qr_svg(text: str, title: str) -> Markup:
    """The QR code of ``text`` as inline SVG (no script, no style attribute: CSP-safe)."""
    qr = segno.make(text, error="m")
    return Markup(qr.svg_inline(scale=5, border=4, title=title, svgclass="qr", lineclass=None))


def spaced(code: str) -> str:
    return f"{code[:5]} {code[5:]}"


async def invite_submit(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME]
    key = request.match_info["key"]
    now = runtime.clock.now()

    def issue(session: Session) -> tuple[str, datetime] | None:
        person = session.exec(select(Person).where(Person.key == key)).first()
        if person is None:
            return None
        return issue_code(session, person, now)

    issued = await in_thread(runtime, issue)
    if issued is None:
        return error_page(request, 404, "Không tìm thấy", f"Không có người nhận mã “{key}”.")
    code, expires = issued
    username = await telegram_username(request.app, runtime)
    link = f"https://t.me/{username}?start={code}" if username else ""
    qr = qr_svg(link or code, f"Mã QR liên kết Telegram cho mã {code}")
    return await _person_view(
        request, key, None, {},
        invite={"code": code, "spaced": spaced(code), "expires": expires, "link": link,
                "username": username, "qr": qr, "days": CODE_LIFETIME.days,
                "zalo_ready": bool(runtime.settings.zalo_bot_token)},
    )  # fmt: skip


# -- test messages -----------------------------------------------------------------------


async def test_submit(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME]
    key = request.match_info["key"]
    channel = field_text(await request.post(), "channel")
    now = runtime.clock.now()

    def queue(session: Session) -> int | None | str:
        person = session.exec(select(Person).where(Person.key == key)).first()
        if person is None:
            return None
        if channel not in person.channels:
            return "channel"
        return queue_test_message(session, person, channel, now)

    outcome = await in_thread(runtime, queue)
    if outcome is None:
        return error_page(request, 404, "Không tìm thấy", f"Không có người nhận mã “{key}”.")
    if outcome == "channel":
        return error_page(
            request, 400, "Kênh không hợp lệ",
            f"Kênh “{channel}” không có trong các kênh nhận tin của người này; không có tin nào "
            "được gửi.",
        )  # fmt: skip
    return redirect(f"/directory/person/{key}?test={outcome}#test")


async def test_result_fragment(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME]
    raw = request.match_info["row_id"]
    result = await asyncio.to_thread(_result, runtime, int(raw)) if raw.isdigit() else None
    if result is None:
        return error_page(request, 404, "Không tìm thấy", "Không có tin thử này.")
    return html(render("_test_result.html", test=result, **page_context(request)))
