"""HTTP level: the directory pages and their forms (admin edits, office reads).

A wrong field is a 400 page naming it, with nothing written; an account without the
permission gets a 403 and nothing is written; ``sync`` keeps what the pages saved.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from sqlmodel import Session, select

from notifier.cli import run_cli
from notifier.cli.common import AppState
from notifier.interact.linking import redeem_code
from notifier.store.db import session_scope
from notifier.store.models import (
    Agency,
    AgencyGroup,
    Event,
    GroupMember,
    LinkCode,
    Notification,
    Person,
)
from notifier.vocab import DeliveryStatus, MessageKind, Source
from tests.web.conftest import World, csrf_of, send_due

TYPED = {"code", "key", "name", "email", "phone", "position", "locality", "aliases"}
TABLES = (Agency, AgencyGroup, GroupMember, Person, Event, LinkCode, Notification)
CODE = re.compile(r'<p class="code" aria-label="Mã liên kết">([A-Z0-9]{5}) ([A-Z0-9]{5})</p>')


def snapshot(world: World) -> dict[str, list[dict[str, Any]]]:
    with Session(world.runtime.engine) as session:
        return {m.__name__: [r.model_dump() for r in session.exec(select(m)).all()] for m in TABLES}


async def get(client: Any, path: str, status: int = 200) -> str:
    async with client.get(path) as response:
        body = await response.text()
        assert response.status == status, (path, response.status, body[:300])
        return str(body)


async def post(client: Any, path: str, data: dict[str, Any], page: str | None = None) -> Any:
    token = await csrf_of(client, page or "/directory")
    return await client.post(path, data={"csrf": token, **data}, allow_redirects=False)


def sync(world: World) -> None:
    settings = world.runtime.settings
    argv = ["--config", str(settings.config_dir), "--db", settings.database_url, "sync"]
    assert run_cli(argv, state=AppState(clock=world.clock)) == 0


def person(world: World, key: str) -> Person | None:
    with Session(world.runtime.engine) as session:
        return session.exec(select(Person).where(Person.key == key)).first()


def agency(world: World, code: str) -> Agency:
    with Session(world.runtime.engine) as session:
        return session.exec(select(Agency).where(Agency.code == code)).one()


NEW_PERSON = {
    "key": "tp.tu-phap",
    "name": "Đinh Thị Hoa",
    "agency": "phong-noi-vu",
    "position": "Chuyên viên",
    "role": "staff",
    "email": "hoa.dt@batu.example",
    "phone": "0255 3861 234",
    "channel_1": "telegram",
    "channel_2": "email",
    "active": "on",
}

EDIT = {k: v for k, v in NEW_PERSON.items() if k != "key"}  # the key of a person is fixed


def errors_of(body: str) -> dict[str, str]:
    found = re.findall(r'<p class="field-error" id="err-([a-z_]+)">([^<]*)</p>', body)
    return {name: html_lib.unescape(text) for name, text in found}


async def test_office_reads_admin_edits_others_are_refused(world: World) -> None:
    office = await world.signed_in("vanphong")
    overview = await get(office, "/directory")
    for text in ("Văn phòng HĐND và UBND huyện Ba Tơ", "UBND các xã, thị trấn", "Trần Văn Minh"):
        assert text in overview
    assert "Tệp directory.yaml" in overview and 'href="/directory/agency/new"' not in overview
    assert 'href="/directory"' in await get(office, "/")  # the board's navigation
    page = await get(office, "/directory/person/vp.chanh")
    assert "Trần Văn Minh" in page and "Cấp mã liên kết" not in page and "<form" in page  # logout
    assert 'name="name"' not in page
    await get(office, "/directory/agency/new", 403)
    for login in ("lanhdao", "vp"):
        client = await world.signed_in(login)
        await get(client, "/directory", 403)
        await get(client, "/directory/person/vp.chanh", 403)
        assert 'href="/directory"' not in await get(client, "/")
    admin = await world.signed_in("quantri")
    assert 'href="/directory/agency/new"' in await get(admin, "/directory")
    assert 'name="name"' in await get(admin, "/directory/person/vp.chanh")


FORMS = [
    ("/directory/agency/new", {"code": "phong-tu-phap", "name": "Phòng Tư pháp huyện Ba Tơ"}),
    ("/directory/agency/vp-hdnd-ubnd", {"name": "Văn phòng", "aliases": "VP", "active": "on"}),
    ("/directory/group/new", {"code": "nhom-moi", "name": "Nhóm mới", "members": "phong-noi-vu"}),
    ("/directory/group/xa-thi-tran", {"name": "UBND các xã", "active": "on"}),
    ("/directory/person/new", NEW_PERSON),
    ("/directory/person/vp.chanh", EDIT),
    ("/directory/person/vp.chanh/invite", {}),
    ("/directory/person/vp.chanh/test", {"channel": "email"}),
    ("/directory/agency/vp-hdnd-ubnd/handback", {}),
]


async def test_every_form_refuses_non_admins_and_writes_nothing(world: World) -> None:
    before = snapshot(world)
    for login in ("vanphong", "lanhdao", "vp"):
        client = await world.signed_in(login)
        for path, data in FORMS:
            response = await post(client, path, data, page="/")
            assert response.status == 403, (login, path)
            assert "Không có quyền truy cập" in await response.text()
    assert snapshot(world) == before


async def test_forms_without_csrf_are_refused(world: World) -> None:
    admin = await world.signed_in("quantri")
    before = snapshot(world)
    for path, data in FORMS:
        async with admin.post(path, data=data, allow_redirects=False) as response:
            assert response.status == 403, path
    assert snapshot(world) == before


BAD = [
    (
        "/directory/agency/new",
        {"code": "Phòng Tư pháp", "name": "", "parent": "khong-co", "aliases": "UBND huyện"},
        {"code": "không hợp lệ", "name": "Chưa nhập tên cơ quan", "parent": "khong-co",
         "aliases": "Ủy ban nhân dân huyện Ba Tơ (ubnd-huyen)"},
    ),
    (
        "/directory/agency/new",
        {"code": "vp-hdnd-ubnd", "name": "Văn phòng HĐND và UBND huyện", "locality": "x" * 301},
        {"code": "đã được dùng", "name": "Văn phòng HĐND và UBND huyện Ba Tơ (vp-hdnd-ubnd)",
         "locality": "dài quá 300"},
    ),
    (
        "/directory/agency/phong-noi-vu",
        {"name": "Phòng Nội vụ huyện Ba Tơ", "parent": "phong-noi-vu", "active": "on"},
        {"parent": "chính cơ quan này"},
    ),
    (
        "/directory/group/new",
        {"code": "new", "name": "", "members": ["phong-noi-vu", "khong-co"]},
        {"code": "dành cho trang thêm mới", "name": "Chưa nhập tên nhóm", "members": "khong-co"},
    ),
    (
        "/directory/person/new",
        {**NEW_PERSON, "key": "vp.chanh", "email": "hoa@", "phone": "12", "agency": "khong-co"},
        {"key": "Đã có người nhận", "email": "“hoa@” không hợp lệ", "phone": "“12” không hợp lệ",
         "agency": "Chưa chọn cơ quan"},
    ),
    (
        "/directory/person/vp.chanh",
        {**EDIT, "name": "", "email": "", "channel_1": "email", "channel_2": ""},
        {"name": "Chưa nhập họ và tên", "channels": "chưa nhập địa chỉ thư điện tử"},
    ),
    (
        "/directory/person/vp.chanh",
        {**EDIT, "role": "boss", "channel_1": "email", "channel_2": "email"},
        {"role": "Vai trò", "channels": "Mỗi kênh chỉ chọn một lần"},
    ),
    (
        "/directory/person/vp.chanh",
        {**EDIT, "channel_1": "", "channel_2": "", "channel_3": "fax"},
        {"channels": "Kênh không có: fax"},
    ),
]  # fmt: skip


async def test_bad_input_names_the_field_and_writes_nothing(world: World) -> None:
    admin = await world.signed_in("quantri")
    before = snapshot(world)
    for path, data, expected in BAD:
        await refused(admin, path, data, expected)
    assert snapshot(world) == before


async def refused(admin: Any, path: str, data: dict[str, Any], expected: dict[str, str]) -> None:
    response = await post(admin, path, data)
    body = await response.text()
    assert response.status == 400
    assert "Không có thay đổi nào được ghi nhận" in body
    errors = errors_of(body)
    assert set(errors) == set(expected), (path, errors)
    for name, part in expected.items():
        assert part in errors[name], (name, errors[name])
        assert f'aria-describedby="err-{name}"' in body
    # what the admin typed is shown again, so a correction does not mean retyping
    for name, value in data.items():
        if name in TYPED and value and len(value) < 60:
            assert html_lib.escape(value, quote=True) in body, (name, value)


async def test_sync_keeps_a_person_and_an_alias_added_in_the_browser(world: World) -> None:
    admin = await world.signed_in("quantri")
    response = await post(admin, "/directory/person/new", NEW_PERSON)
    assert response.status == 303
    assert response.headers["Location"] == "/directory/person/tp.tu-phap?saved=1"
    aliases = "\n".join([*agency(world, "phong-noi-vu").aliases, "Phòng NV huyện"])
    response = await post(
        admin, "/directory/agency/phong-noi-vu",
        {"name": "Phòng Nội vụ huyện Ba Tơ", "aliases": aliases, "parent": "ubnd-huyen",
         "locality": "huyện Ba Tơ", "active": "on"},
    )  # fmt: skip
    assert response.status == 303
    added = person(world, "tp.tu-phap")
    assert added is not None and added.source == Source.WEB and added.phone == "0255 3861 234"
    assert added.channels == ["telegram", "email"] and added.email == "hoa.dt@batu.example"
    sync(world)
    sync(world)
    kept = person(world, "tp.tu-phap")
    assert kept is not None and kept.active and kept.name == "Đinh Thị Hoa"
    row = agency(world, "phong-noi-vu")
    assert "Phòng NV huyện" in row.aliases and row.active and row.source == Source.WEB
    overview = await get(admin, "/directory")
    assert "Trang quản trị" in overview
    page = await get(admin, "/directory/agency/phong-noi-vu")
    assert "Tệp directory.yaml cũng khai báo bản ghi này" in page
    assert "Trả về theo tệp directory.yaml" in page
    # handed back, the next sync applies the file again (the alias was the browser's)
    response = await post(admin, "/directory/agency/phong-noi-vu/handback", {})
    assert response.headers["Location"] == "/directory/agency/phong-noi-vu?handed_back=1"
    sync(world)
    row = agency(world, "phong-noi-vu")
    assert "Phòng NV huyện" not in row.aliases and row.source == Source.CONFIG
    # a record the file does not declare cannot be handed back (sync would deactivate it)
    response = await post(admin, "/directory/person/tp.tu-phap/handback", {})
    assert response.status == 409 and "không khai báo" in await response.text()
    assert person(world, "tp.tu-phap").source == Source.WEB  # type: ignore[union-attr]


async def test_sync_leaves_a_group_edited_in_the_browser(world: World) -> None:
    admin = await world.signed_in("quantri")
    response = await post(
        admin, "/directory/group/xa-thi-tran",
        {"name": "UBND các xã, thị trấn", "phrases": "Ủy ban nhân dân các xã, thị trấn",
         "members": ["ubnd-tt-ba-to"], "active": "on"},
    )  # fmt: skip
    assert response.status == 303
    sync(world)
    with Session(world.runtime.engine) as session:
        group = session.exec(select(AgencyGroup).where(AgencyGroup.code == "xa-thi-tran")).one()
        members = session.exec(select(GroupMember).where(GroupMember.group_id == group.id)).all()
    assert group.source == Source.WEB and len(members) == 1


async def test_invite_code_deep_link_qr_and_linked_time(world: World) -> None:
    admin = await world.signed_in("quantri")
    body = await (await post(admin, "/directory/person/vp.chanh/invite", {})).text()
    code = "".join(CODE.search(body).groups())  # type: ignore[union-attr]
    assert "Chưa xác định được tên bot Telegram" in body  # no token, no username here
    assert f"/start {code}" in body and "Zalo chưa công bố" in body
    assert "<svg" in body and 'class="qr"' in body and "style=" not in body.split("<svg")[1][:200]
    with Session(world.runtime.engine) as session:
        assert session.exec(select(LinkCode)).one().code_hash != code  # only the hash is kept
    settings = world.runtime.settings
    telegram = settings.file.telegram.model_copy(update={"username": "batu_nhac_viec_bot"})
    world.runtime.settings = type(settings)(
        **{**settings.__dict__, "file": settings.file.model_copy(update={"telegram": telegram})}
    )
    body = await (await post(admin, "/directory/person/vp.chanh/invite", {})).text()
    code = "".join(CODE.search(body).groups())  # type: ignore[union-attr]
    assert f'href="https://t.me/batu_nhac_viec_bot?start={code}"' in body
    with session_scope(world.runtime.engine) as session:
        redeem_code(session, code, "telegram", "555000111", world.clock.now())
    page = await get(admin, "/directory/person/vp.chanh")
    assert "đã liên kết lúc 08:00 Thứ Hai, 22/4/2024" in page and "555000111" in page


async def test_send_test_message_shows_the_result(world: World) -> None:
    admin = await world.signed_in("quantri")
    response = await post(admin, "/directory/person/vp.chanh/test", {"channel": "email"})
    assert response.status == 303
    row_id = int(re.search(r"\?test=(\d+)#test$", response.headers["Location"]).group(1))  # type: ignore[union-attr]
    page = await get(admin, response.headers["Location"])
    assert f"Tin thử số {row_id} đang chờ gửi" in page and 'hx-trigger="every 1s"' in page
    await send_due(world, world.clock.now())  # the service's dispatcher takes it
    fragment = await get(admin, f"/directory/test/{row_id}")
    assert f"Đã gửi tin thử số {row_id}" in fragment and "hx-get" not in fragment
    assert "chưa được cấu hình" in fragment  # no SMTP here: it went to the console
    with Session(world.runtime.engine) as session:
        row = session.get(Notification, row_id)
    assert row is not None and row.kind == MessageKind.TEST and row.status == DeliveryStatus.SENT
    before = snapshot(world)
    refused = await post(admin, "/directory/person/vp.chanh/test", {"channel": "console"})
    assert refused.status == 400 and "không có trong các kênh" in await refused.text()
    for path in ("/directory/person/khong-co/test", "/directory/person/khong-co/invite"):
        missing = await post(admin, path, {"channel": "email"})
        assert missing.status == 404 and "khong-co" in await missing.text()
    assert snapshot(world) == before
