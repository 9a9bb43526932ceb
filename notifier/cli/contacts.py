"""``notifier contact list|add|set|disable``: people who receive messages."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlmodel import Session, col, select

from notifier.admin import (
    find_agency,
    find_person,
    log_event,
    person_values,
    validate_contact,
)
from notifier.cli import glossary
from notifier.cli.app import contact_app
from notifier.cli.common import console, print_json, state, table
from notifier.errors import ConfigError
from notifier.store.db import session_scope
from notifier.store.models import Agency, Person
from notifier.vocab import EventKind, Source

Json = Annotated[bool, typer.Option("--json", help=glossary.JSON)]


def person_json(person: Person, agency_code: str) -> dict[str, Any]:
    return {
        "key": person.key,
        "agency": agency_code,
        "name": person.name,
        "position": person.position,
        "role": person.role,
        "email": person.email,
        "phone": person.phone,
        "zalo_chat_id": person.zalo_chat_id,
        "telegram_chat_id": person.telegram_chat_id,
        "addresses": dict(person.addresses or {}),
        "channels": person.channels,
        "active": person.active,
        "source": person.source,
        "email_unusable": person.email_unusable,
        "zalo_unusable": person.zalo_unusable,
        "telegram_unusable": person.telegram_unusable,
        "addresses_unusable": dict(person.addresses_unusable or {}),
    }


@contact_app.command("list")
def contact_list(
    ctx: typer.Context,
    agency: Annotated[str | None, typer.Option(help="Chỉ cơ quan này (mã cơ quan).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Kể cả người đã ngừng nhận tin.")] = False,
    as_json: Json = False,
) -> None:
    """Người nhận tin: cơ quan, vị trí, kênh nhận."""
    engine = state(ctx).ready_engine()
    with Session(engine) as session:
        codes = {a.id: a.code for a in session.exec(select(Agency)).all()}
        query = select(Person).order_by(col(Person.agency_id), col(Person.key))
        people = [
            p
            for p in session.exec(query).all()
            if (all_ or p.active) and (agency is None or codes[p.agency_id] == agency)
        ]
    items = [person_json(p, codes[p.agency_id]) for p in people]
    if as_json:
        print_json(items)
        return
    rows = [
        [
            i["key"],
            i["agency"],
            i["name"],
            i["position"],
            i["role"],
            i["email"] or "",
            i["zalo_chat_id"] or "",
            i["telegram_chat_id"] or "",
            " > ".join(i["channels"]),
            "" if i["active"] else "ngừng",
        ]
        for i in items
    ]
    columns = [
        "Khóa",
        "Cơ quan",
        "Họ tên",
        "Chức vụ",
        "Vai trò",
        "Email",
        "Zalo",
        "Telegram",
        "Kênh",
        "",
    ]
    console.print(table("Người nhận", columns, rows))


def _fields(**given: Any) -> dict[str, Any]:
    return {k: v for k, v in given.items() if v is not None}


@contact_app.command("add")
def contact_add(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Mã cố định của người nhận, ví dụ vp.theo-doi-2.")],
    agency: Annotated[str, typer.Option(help=glossary.AGENCY)],
    name: Annotated[str, typer.Option(help="Họ và tên.")],
    position: Annotated[str, typer.Option(help="Chức vụ.")] = "",
    role: Annotated[str, typer.Option(help=glossary.POSITION_ROLES)] = "staff",
    email: Annotated[str | None, typer.Option(help="Địa chỉ thư điện tử.")] = None,
    telegram: Annotated[
        str | None, typer.Option(help="Mã cuộc trò chuyện Telegram (một số).")
    ] = None,
    phone: Annotated[str | None, typer.Option(help="Số điện thoại, ví dụ 0255 3861 234.")] = None,
    channels: Annotated[str, typer.Option(help=glossary.CHANNELS)] = "email",
) -> None:
    """Thêm người nhận (`notifier sync` giữ nguyên: lệnh đó chỉ quản lý người trong tệp)."""
    fields = _fields(
        key=key,
        agency=agency,
        name=name,
        position=position,
        role=role,
        email=email,
        telegram_chat_id=telegram,
        phone=phone,
        channels=[c.strip() for c in channels.split(",") if c.strip()],
    )
    person = validate_contact(fields)
    st = state(ctx)
    with session_scope(st.ready_engine()) as session:
        agency_row = find_agency(session, person.agency)
        if session.exec(select(Person).where(Person.key == key)).first() is not None:
            raise ConfigError([f"đã có người nhận mã '{key}'; sửa bằng `notifier contact set`"])
        assert agency_row.id is not None
        row = Person(key=key, **person_values(person, agency_row.id, None, Source.CLI))
        session.add(row)
        session.flush()
        log_event(session, st.clock.now(), EventKind.CONTACT_ADD, f"added {key}", person_id=row.id)
    console.print(f"Đã thêm người nhận {key} ({person.name}).")


@contact_app.command("set")
def contact_set(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help=glossary.PERSON)],
    agency: Annotated[str | None, typer.Option(help=glossary.AGENCY)] = None,
    name: Annotated[str | None, typer.Option(help="Họ và tên.")] = None,
    position: Annotated[str | None, typer.Option(help="Chức vụ.")] = None,
    role: Annotated[str | None, typer.Option(help=glossary.POSITION_ROLES)] = None,
    email: Annotated[str | None, typer.Option(help="Địa chỉ thư điện tử.")] = None,
    telegram: Annotated[
        str | None, typer.Option(help="Mã cuộc trò chuyện Telegram (một số).")
    ] = None,
    phone: Annotated[str | None, typer.Option(help="Số điện thoại, ví dụ 0255 3861 234.")] = None,
    channels: Annotated[str | None, typer.Option(help=glossary.CHANNELS)] = None,
    enable: Annotated[bool, typer.Option(help="Cho người đã ngừng nhận tin trở lại.")] = False,
) -> None:
    """Sửa thông tin người nhận; địa chỉ được sửa sẽ dùng lại được."""
    st = state(ctx)
    with session_scope(st.ready_engine()) as session:
        row = find_person(session, key)
        codes = {a.id: a.code for a in session.exec(select(Agency)).all()}
        merged: dict[str, Any] = {
            "key": row.key,
            "agency": codes[row.agency_id],
            "name": row.name,
            "position": row.position,
            "role": row.role,
            "email": row.email,
            "phone": row.phone,
            "telegram_chat_id": row.telegram_chat_id,
            "channels": row.channels,
            "active": row.active or enable,
        }
        merged.update(
            _fields(
                agency=agency,
                name=name,
                position=position,
                role=role,
                email=email,
                telegram_chat_id=telegram,
                phone=phone,
                channels=[c.strip() for c in channels.split(",")] if channels else None,
            )
        )
        person = validate_contact(merged)
        agency_id = find_agency(session, person.agency).id
        assert agency_id is not None
        for column, value in person_values(person, agency_id, row, row.source).items():
            setattr(row, column, value)
        log_event(
            session, st.clock.now(), EventKind.CONTACT_SET, f"cập nhật {key}", person_id=row.id
        )
        from_file = row.source == Source.CONFIG
    console.print(f"Đã cập nhật {key}.")
    if from_file:
        console.print(
            "[yellow]Lưu ý:[/] người này được khai báo trong directory.yaml; "
            "`notifier sync` sẽ áp dụng lại nội dung tệp. Hãy sửa cả tệp cấu hình."
        )


@contact_app.command("disable")
def contact_disable(
    ctx: typer.Context, key: Annotated[str, typer.Argument(help=glossary.PERSON)]
) -> None:
    """Ngừng gửi tin cho một người (lịch sử được giữ lại)."""
    st = state(ctx)
    with session_scope(st.ready_engine()) as session:
        row = find_person(session, key)
        row.active = False
        log_event(
            session,
            st.clock.now(),
            EventKind.CONTACT_DISABLE,
            f"ngừng gửi tin cho {key}",
            person_id=row.id,
        )
    console.print(f"Đã ngừng gửi tin cho {key}.")
