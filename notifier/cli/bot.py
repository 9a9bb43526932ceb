"""``notifier contact invite PERSON [--channel zalo|telegram]``: a one-time code that links
a chat (the same codes for every chat platform, :mod:`notifier.interact.linking`)."""

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

CHAT_PLATFORMS = (ChannelName.ZALO, ChannelName.TELEGRAM)


@contact_app.command("invite")
def contact_invite(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help=glossary.PERSON)],
    channel: Annotated[
        str, typer.Option("--channel", help="Bot mà người nhận sẽ nhắn tới: zalo | telegram.")
    ] = ChannelName.ZALO,
) -> None:
    """Cấp mã liên kết dùng một lần (hiệu lực 7 ngày); người nhận gửi /start MÃ cho bot Zalo
    (hoặc chỉ gửi MÃ) hay bot Telegram."""
    if channel not in CHAT_PLATFORMS:
        raise typer.BadParameter(
            f"không có kênh {channel!r} để mời; chọn một trong: {', '.join(CHAT_PLATFORMS)} "
            "(các nền tảng trò chuyện có bot)",
            param_hint="--channel",
        )
    platform = ChannelName(channel)
    st = state(ctx)
    with session_scope(st.ready_engine()) as session:
        person = find_person(session, key)
        code, expires = issue_code(session, person, st.clock.now())
        name, channels, active = person.name, list(person.channels), person.active
    local = expires.astimezone(VN_TZ)
    label = platform.label
    console.print(f"Mã liên kết {label} cho {name} ({key}): [bold]{code}[/]")
    console.print(
        f"Hướng dẫn: mở bot {label} của đơn vị và gửi tin nhắn:  /start {code}"
        + (" (hoặc chỉ gửi mã)" if platform == ChannelName.ZALO else "")
        + f"\nMã dùng được một lần, hết hạn lúc {local:%H:%M} {vn_date(local.date())} "
        f"({CODE_LIFETIME.days} ngày)."
    )
    if not active:
        console.print(f"[yellow]Lưu ý:[/] {key} đang ngừng nhận tin; mã sẽ bị từ chối.")
    if platform not in channels:
        others = [c for c in channels if c != platform]
        console.print(
            f"[yellow]Lưu ý:[/] {label} chưa có trong các kênh của {key} "
            f"({', '.join(channels) or 'không có'}); thêm bằng "
            f"`notifier contact set {key} --channels {','.join([platform, *others])}`."
        )
