"""``notifier contact invite PERSON``: a one-time code that links a Telegram chat."""

from __future__ import annotations

from typing import Annotated

import typer

from notifier.admin import find_person
from notifier.cli import glossary
from notifier.cli.app import contact_app
from notifier.cli.common import console, state
from notifier.clock import VN_TZ
from notifier.interact.linking import CODE_LIFETIME, issue_code
from notifier.store.db import session_scope
from notifier.textfmt import vn_date
from notifier.vocab import ChannelName


@contact_app.command("invite")
def contact_invite(
    ctx: typer.Context, key: Annotated[str, typer.Argument(help=glossary.PERSON)]
) -> None:
    """Cấp mã liên kết Telegram dùng một lần (hiệu lực 7 ngày); người nhận gửi /start MÃ cho bot."""
    st = state(ctx)
    with session_scope(st.ready_engine()) as session:
        person = find_person(session, key)
        code, expires = issue_code(session, person, st.clock.now())
        name, channels, active = person.name, list(person.channels), person.active
    local = expires.astimezone(VN_TZ)
    console.print(f"Mã liên kết Telegram cho {name} ({key}): [bold]{code}[/]")
    console.print(
        f"Hướng dẫn: mở bot Telegram của đơn vị và gửi tin nhắn:  /start {code}\n"
        f"Mã dùng được một lần, hết hạn lúc {local:%H:%M} {vn_date(local.date())} "
        f"({CODE_LIFETIME.days} ngày)."
    )
    if not active:
        console.print(f"[yellow]Lưu ý:[/] {key} đang ngừng nhận tin; mã sẽ bị từ chối.")
    if ChannelName.TELEGRAM not in channels:
        console.print(
            f"[yellow]Lưu ý:[/] Telegram chưa có trong các kênh của {key} "
            f"({', '.join(channels) or 'không có'}); thêm bằng "
            f"`notifier contact set {key} --channels telegram,email`."
        )
