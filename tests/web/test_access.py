"""HTTP level: each role sees exactly what it should, on the board, the task pages and the log."""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session

from notifier.accounts.access import Permission, Principal, can, sees
from notifier.accounts.roles import AccountRole
from notifier.clock import VN_TZ
from notifier.domain.steps import TaskRoles
from notifier.store.facts import load_occurrences
from tests.web.conftest import ACCOUNTS, World, send_due

ROW = re.compile(r'<tr class="item bucket-[a-z_]+" id="d(\d+)"')


def expected_ids(world: World) -> dict[str, set[int]]:
    """Per account, the deadline ids it must see, computed from the stored roles."""
    with Session(world.runtime.engine) as session:
        occurrences = load_occurrences(session, world.runtime.policy)
    out = {}
    for login, (role, agency) in ACCOUNTS.items():
        if role != AccountRole.AGENCY:
            out[login] = {o.deadline_id for o in occurrences}
        else:
            out[login] = {
                o.deadline_id
                for o in occurrences
                if agency in o.roles.lead or agency in o.roles.coordinating
            }
    return out


async def test_each_role_sees_exactly_its_tasks(world: World) -> None:
    expected = expected_ids(world)
    everything = expected["vanphong"]
    assert len(everything) == 6
    assert expected["gddt"] == expected["noivu"] and len(expected["gddt"]) == 1
    assert expected["vp"] == expected["vhtt"] == everything - expected["gddt"]
    assert expected["dantoc"] == set()
    for login in ACCOUNTS:
        client = await world.signed_in(login)
        async with client.get("/") as response:
            assert response.status == 200
            page = await response.text()
        assert set(map(int, ROW.findall(page))) == expected[login], login
        for deadline_id in everything:
            async with client.get(f"/task/{deadline_id}") as response:
                body = await response.text()
                if deadline_id in expected[login]:
                    assert response.status == 200, (login, deadline_id)
                    assert "Diễn biến" in body
                else:
                    assert response.status == 403, (login, deadline_id)
                    assert "Không có quyền truy cập" in body
                    assert "Diễn biến" not in body and "Tham quan" not in body


async def test_agency_log_holds_only_its_tasks(world: World) -> None:
    await send_due(world, datetime(2024, 6, 21, 8, 0, tzinfo=VN_TZ))  # 5 days before 28/6
    office = await world.signed_in("vanphong")
    gddt = await world.signed_in("gddt")
    dantoc = await world.signed_in("dantoc")
    async with office.get("/log.csv") as response:
        all_rows = (await response.text()).splitlines()
    async with gddt.get("/log.csv") as response:
        gddt_rows = (await response.text()).splitlines()
    async with dantoc.get("/log.csv") as response:
        dantoc_rows = (await response.text()).splitlines()
    assert len(all_rows) > len(gddt_rows) > 1
    assert all("31/KH-UBND" in row for row in gddt_rows[1:])  # only the second plan's task
    assert len(dantoc_rows) == 1  # the header only


async def test_unknown_or_malformed_task_is_404(world: World) -> None:
    client = await world.signed_in("vanphong")
    for path in ("/task/99999", "/task/abc", "/task/1234567890123456"):
        async with client.get(path) as response:
            assert response.status == 404


def test_policy_grants() -> None:
    roles = TaskRoles(lead=("a",), coordinating=("b",), monitor=("m",))

    def who(role: AccountRole, agency: str | None = None) -> Principal:
        return Principal(1, "x", role, agency)

    assert [can(who(r), Permission.READ) for r in AccountRole] == [True] * 4
    assert {r for r in AccountRole if can(who(r), Permission.ACT)} == {
        AccountRole.ADMIN,
        AccountRole.OFFICE,
        AccountRole.AGENCY,
    }
    assert {r for r in AccountRole if can(who(r), Permission.MANAGE_USERS)} == {AccountRole.ADMIN}
    assert sees(who(AccountRole.VIEWER), roles) and sees(who(AccountRole.OFFICE), roles)
    assert sees(who(AccountRole.AGENCY, "a"), roles) and sees(who(AccountRole.AGENCY, "b"), roles)
    assert not sees(who(AccountRole.AGENCY, "m"), roles)  # monitoring is the office's role
    assert not sees(who(AccountRole.AGENCY, None), roles)
