"""The forward preview page: the next N working days' messages, as `notifier preview` plans them."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from notifier.cli import run_cli
from notifier.cli.common import AppState
from notifier.clock import VN_TZ
from tests.web.conftest import World

ROW = '<tr class="item kind-'


async def page(client, path: str) -> str:  # type: ignore[no-untyped-def]
    async with client.get(path) as response:
        assert response.status == 200, path
        return str(await response.text())


async def test_preview_page_lists_what_the_preview_command_plans(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.clock.set(datetime(2024, 4, 22, 9, 0, tzinfo=VN_TZ))
    office = await world.signed_in("vanphong")
    html = await page(office, "/preview?days=5")  # to the end of Thu 2/5 (29/4–1/5 off)
    assert "Dự kiến gửi thông báo" in html and "đến hết Thứ Năm, 02/5/2024" in html
    settings = world.runtime.settings
    url = world.runtime.engine.url.render_as_string(hide_password=False)
    capsys.readouterr()
    argv = ["--config", str(settings.config_dir), "--db", url, "preview", "--json"]
    code = run_cli(
        [*argv, "--from", "2024-04-22", "--to", "2024-05-02"], state=AppState(clock=world.clock)
    )
    assert code == 0
    planned = [
        i for i in json.loads(capsys.readouterr().out) if i["at"] >= "2024-04-22T09:00:00+07:00"
    ]
    assert planned and html.count(ROW) == len(planned)
    assert "Thứ Năm, 25/4/2024" in html and "Nhắc hạn" in html and "Trần Văn Minh" in html
    gddt = await world.signed_in("gddt")  # leads only the second plan's task, due 28/6
    assert (await page(gddt, "/preview?days=5")).count(ROW) == 0
    bad = await page(office, "/preview?days=abc")  # ignored: the default five days
    assert "đến hết Thứ Năm, 02/5/2024" in bad
