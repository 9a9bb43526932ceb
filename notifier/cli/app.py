"""The root command, global options, and the foundation commands (init, sync, agency, contact)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session, select

from notifier import __version__
from notifier.cli import glossary
from notifier.cli.common import AppState, console, err_console, print_json, state, table
from notifier.directory import DirectoryConfig, read_directory

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="notifier: nhắc hạn, đôn đốc và tổng hợp tình hình thực hiện kế hoạch.",
    pretty_exceptions_enable=False,
)
agency_app = typer.Typer(no_args_is_help=True, help="Cơ quan trong danh bạ.")
contact_app = typer.Typer(
    no_args_is_help=True, help="Người nhận tin: thêm, sửa, ngừng, cấp mã liên kết Telegram."
)
app.add_typer(agency_app, name="agency")
app.add_typer(contact_app, name="contact")


def _version(value: bool) -> None:
    if value:
        console.print(f"notifier {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="Thư mục cấu hình (mặc định: $NOTIFIER_CONFIG hoặc config/)."
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Địa chỉ cơ sở dữ liệu (mặc định: $NOTIFIER_DATABASE_URL)."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Xem phiên bản.")
    ] = False,
) -> None:
    if ctx.obj is None:
        ctx.obj = AppState()
    ctx.obj.config_dir = config or ctx.obj.config_dir
    ctx.obj.db_url = db or ctx.obj.db_url


def validate_configuration(st: AppState, warn: bool = True) -> DirectoryConfig:
    """Load every configuration file and check what spans them (templates, admins,
    webhooks) so that errors stop us before the database is touched."""
    from notifier.domain.calendar import WorkingCalendar
    from notifier.domain.policy import load_policy
    from notifier.errors import ConfigError
    from notifier.preflight import check_configuration

    settings = st.settings
    directory, warnings = read_directory(settings.directory_path)
    WorkingCalendar.from_yaml(settings.calendar_path)
    load_policy(settings.policy_path)
    problems = check_configuration(settings, directory, _stored_people(st, directory))
    if problems:
        raise ConfigError(problems)
    for warning in warnings if warn else []:
        err_console.print(f"[yellow]Cảnh báo:[/] {warning}")
    return directory


def _stored_people(st: AppState, directory: DirectoryConfig) -> set[str]:
    """Keys of people in an initialised database (added with `contact add`), read only
    when an ``admins`` entry is not in directory.yaml; a missing database is never created."""
    from sqlalchemy.engine import make_url

    from notifier.store.db import current_revision, head_revision
    from notifier.store.models import Person

    in_file = {p.key for p in directory.people}
    if all(key in in_file for key in st.settings.file.admins):
        return set()
    url = make_url(st.settings.database_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).exists()):
        return set()
    if current_revision(st.engine) != head_revision():
        return set()
    with Session(st.engine) as session:
        return set(session.exec(select(Person.key)).all())


def _apply_directory(st: AppState, verb: str) -> None:
    from notifier.admin import sync_directory
    from notifier.store.db import session_scope, upgrade

    directory = validate_configuration(st)
    engine = st.engine
    if verb == "init":
        upgrade(engine)
    else:
        st.ready_engine()
    with session_scope(engine) as session:
        report = sync_directory(session, directory, st.clock.now())
    if report.changed:
        console.print(
            f"Danh bạ: thêm {len(report.added)}, cập nhật {len(report.updated)}, "
            f"ngừng {len(report.deactivated)}."
        )
        for line in report.deactivated:
            console.print(f"  ngừng: {line}")
    else:
        console.print("Danh bạ không thay đổi.")
    if report.kept:
        console.print(
            f"Giữ nguyên {len(report.kept)} bản ghi đã sửa trên trang quản trị (tệp không áp dụng "
            "cho các bản ghi này; muốn áp dụng lại tệp, bấm “Trả về theo tệp” trên trang):"
        )
        for line in report.kept:
            console.print(f"  giữ: {line}")
    from notifier.cli.calendar import report_apply

    report_apply(st, always=False)  # a changed calendar.yaml reaches the stored deadlines


@app.command()
def init(ctx: typer.Context) -> None:
    """Tạo hoặc nâng cấp cơ sở dữ liệu và nạp cấu hình (chạy lại nhiều lần không sao)."""
    st = state(ctx)
    _apply_directory(st, "init")
    from notifier.store.db import safe_url

    console.print(f"Cơ sở dữ liệu: {safe_url(st.settings.database_url)}")
    _show_directory(st)


@app.command()
def sync(ctx: typer.Context) -> None:
    """Cập nhật lại danh bạ từ config/directory.yaml: thêm, sửa, ngừng; không xóa lịch sử."""
    _apply_directory(state(ctx), "sync")


def _show_directory(st: AppState) -> None:
    from notifier.store.models import Agency, Person

    with Session(st.engine) as session:
        agencies = session.exec(select(Agency).where(Agency.active == True)).all()  # noqa: E712
        people = session.exec(select(Person).where(Person.active == True)).all()  # noqa: E712
        count: dict[int, int] = {}
        for person in people:
            count[person.agency_id] = count.get(person.agency_id, 0) + 1
        rows = [[a.code, a.name, count.get(a.id or 0, 0)] for a in agencies]
    console.print(table("Danh bạ cơ quan", ["Mã", "Tên cơ quan", "Số người nhận"], rows))


@agency_app.command("list")
def agency_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help=glossary.JSON)] = False,
    all_: Annotated[bool, typer.Option("--all", help="Kể cả cơ quan đã ngừng.")] = False,
) -> None:
    """Các cơ quan, tên gọi khác và số người nhận đang hoạt động."""
    from notifier.store.models import Agency, Person

    engine = state(ctx).ready_engine()
    with Session(engine) as session:
        agencies = session.exec(select(Agency).order_by(Agency.code)).all()
        people = session.exec(select(Person).where(Person.active == True)).all()  # noqa: E712
    count: dict[int | None, int] = {}
    for person in people:
        count[person.agency_id] = count.get(person.agency_id, 0) + 1
    items: list[dict[str, Any]] = [
        {
            "code": a.code,
            "name": a.name,
            "aliases": a.aliases,
            "locality": a.locality,
            "parent": a.parent_code,
            "active": a.active,
            "source": a.source,
            "people": count.get(a.id, 0),
        }
        for a in agencies
        if a.active or all_
    ]
    if as_json:
        print_json(items)
        return
    rows = [
        [i["code"], i["name"], "; ".join(i["aliases"]), i["parent"] or "", i["people"]]
        + ([] if not all_ else ["có" if i["active"] else "ngừng"])
        for i in items
    ]
    columns = ["Mã", "Tên", "Tên gọi khác", "Cấp trên", "Người"] + (["Hoạt động"] if all_ else [])
    console.print(table("Cơ quan", columns, rows))


from notifier.cli import answers as _answers  # noqa: E402,F401  (status, log, done, escalate, ack)
from notifier.cli import bot as _bot  # noqa: E402,F401  (contact invite: Telegram link codes)
from notifier.cli import calendar as _calendar  # noqa: E402,F401  (calendar show, apply)
from notifier.cli import contacts as _contacts  # noqa: E402,F401  (registers contact commands)
from notifier.cli import engine as _engine  # noqa: E402,F401  (run, simulate, send-test)
from notifier.cli import plans as _plans  # noqa: E402,F401  (plan and preview commands)
from notifier.cli import report as _report  # noqa: E402,F401  (report: docx, xlsx, csv)
from notifier.cli import users as _users  # noqa: E402,F401  (user add/list/disable/set-password)
