"""`notifier user add|list|disable|enable|set-password`: the accounts of the web board.

Passwords come from a hidden prompt (asked twice) or from standard input with
``--password-stdin`` (first line), never from the command line, where they would end
up in the shell history and the process list. A weak or empty password is bad input
(exit 2) and nothing is written.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from notifier.accounts import manage
from notifier.accounts.passwords import WeakPassword
from notifier.accounts.roles import AccountRole
from notifier.cli import glossary
from notifier.cli.app import app
from notifier.cli.common import console, err_console, print_json, state, table
from notifier.store.db import session_scope
from notifier.textfmt import vn_datetime

user_app = typer.Typer(no_args_is_help=True, help="Tài khoản đăng nhập trang theo dõi.")
app.add_typer(user_app, name="user")

StdinOpt = Annotated[
    bool,
    typer.Option("--password-stdin", help="Đọc mật khẩu từ dòng đầu của đầu vào chuẩn (stdin)."),
]


MISMATCH = "Hai lần nhập mật khẩu không khớp; xin nhập lại."


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    while True:  # asked twice by us: click's own confirmation complains in English
        first = str(typer.prompt("Mật khẩu", hide_input=True, default="", show_default=False))
        again = str(
            typer.prompt("Nhập lại mật khẩu", hide_input=True, default="", show_default=False)
        )
        if first == again:
            return first
        err_console.print(MISMATCH)


def _weak(exc: WeakPassword) -> typer.Exit:
    err_console.print(f"[bold red]Lỗi dữ liệu đầu vào:[/] {exc} Không có thay đổi nào.")
    return typer.Exit(2)


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(help="Tên đăng nhập, ví dụ vp.nguyen.")],
    role: Annotated[
        AccountRole,
        typer.Option(
            "--role",
            help="Vai trò: admin (quản trị), office (văn phòng), agency (cơ quan), viewer (xem).",
        ),
    ],
    agency: Annotated[
        str | None, typer.Option("--agency", help="Mã cơ quan (chỉ với vai trò agency).")
    ] = None,
    password_stdin: StdinOpt = False,
) -> None:
    """Tạo tài khoản (tài khoản quản trị đầu tiên tạo bằng lệnh này: không có sẵn tài khoản)."""
    st = state(ctx)
    engine = st.ready_engine()
    password = _read_password(password_stdin)
    try:
        with session_scope(engine) as session:
            account = manage.add_account(session, login, role, agency, password, st.clock.now())
            created = account.login
    except WeakPassword as exc:
        raise _weak(exc) from None
    console.print(f"Đã tạo tài khoản {created} ({role.label}).")


@user_app.command("list")
def user_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help=glossary.JSON)] = False,
) -> None:
    """Các tài khoản: vai trò, cơ quan, trạng thái, lần đăng nhập gần nhất."""
    from sqlmodel import Session

    with Session(state(ctx).ready_engine()) as session:
        rows = manage.list_accounts(session)
    if as_json:
        print_json([r.to_json() for r in rows])
        return
    lines = [
        [r.login, r.role.label, r.agency or "", "hoạt động" if r.active else "đã khóa",
         vn_datetime(r.last_login_at) if r.last_login_at else "chưa đăng nhập"]
        for r in rows
    ]  # fmt: skip
    columns = ["Tên đăng nhập", "Vai trò", "Cơ quan", "Trạng thái", "Đăng nhập gần nhất"]
    console.print(table("Tài khoản", columns, lines))


def _set_active(ctx: typer.Context, login: str, active: bool) -> None:
    st = state(ctx)
    with session_scope(st.ready_engine()) as session:
        account = manage.set_active(session, login, active, st.clock.now())
        name = account.login
    console.print(f"Đã {'mở lại' if active else 'khóa'} tài khoản {name}.")


@user_app.command("disable")
def user_disable(
    ctx: typer.Context, login: Annotated[str, typer.Argument(help=glossary.LOGIN)]
) -> None:
    """Khóa tài khoản; các phiên đang mở kết thúc ngay. Lịch sử được giữ lại."""
    _set_active(ctx, login, False)


@user_app.command("enable")
def user_enable(
    ctx: typer.Context, login: Annotated[str, typer.Argument(help=glossary.LOGIN)]
) -> None:
    """Mở lại tài khoản đã khóa."""
    _set_active(ctx, login, True)


@user_app.command("set-password")
def user_set_password(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(help=glossary.LOGIN)],
    password_stdin: StdinOpt = False,
) -> None:
    """Đặt mật khẩu mới; các phiên mở bằng mật khẩu cũ kết thúc."""
    st = state(ctx)
    engine = st.ready_engine()
    password = _read_password(password_stdin)
    try:
        with session_scope(engine) as session:
            account = manage.set_password(session, login, password, st.clock.now())
            name = account.login
    except WeakPassword as exc:
        raise _weak(exc) from None
    console.print(f"Đã đổi mật khẩu tài khoản {name}.")
