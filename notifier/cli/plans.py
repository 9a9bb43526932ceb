"""``notifier plan parse|import|list`` and ``notifier preview``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from json.encoder import encode_basestring as _q  # json.dumps' own, ensure_ascii=False
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session, col, select

from notifier.cli import glossary
from notifier.cli.app import app
from notifier.cli.common import (
    channel_label,
    console,
    date_range,
    kind_label,
    parse_date,
    plan_key,
    print_json,
    state,
    table,
)
from notifier.clock import VN_TZ
from notifier.domain.preview import PreviewItem
from notifier.textfmt import capfirst, plan_number, vn_date, vn_date_time, vn_plan_date
from notifier.vocab import ChannelName, DeadlineStatus, MessageKind, PlanStatus, Role

plan_app = typer.Typer(
    no_args_is_help=True, help="Kế hoạch: đọc văn bản, nhập vào theo dõi, xem danh sách."
)
app.add_typer(plan_app, name="plan")

Json = Annotated[bool, typer.Option("--json", help=glossary.JSON)]


def _iso_date(value: str | None, option: str) -> date | None:
    return None if value is None else parse_date(value, option)


@plan_app.command("parse")
def plan_parse(
    file: Annotated[Path, typer.Argument(help=glossary.PLAN_FILE)],
    as_json: Json = False,
    until: Annotated[str | None, typer.Option(help=glossary.UNTIL)] = None,
) -> None:
    """Đọc một văn bản kế hoạch và cho xem những gì đọc được; không ghi vào cơ sở dữ liệu."""
    from notifier.plans.parse import parse_plan_file
    from notifier.plans.summary import plan_summary

    parsed = parse_plan_file(file, until=_iso_date(until, "--until"))
    if as_json:
        print_json(parsed.to_json())
    else:
        console.print(plan_summary(parsed))


@plan_app.command("import")
def plan_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=glossary.PLAN_FILE)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra, không ghi gì.")] = False,
    until: Annotated[
        str | None, typer.Option(help="Tạo các thời hạn đến ngày này (YYYY-MM-DD).")
    ] = None,
    allow_empty: Annotated[
        bool, typer.Option("--allow-empty", help="Vẫn nhập khi không tìm thấy nhiệm vụ nào.")
    ] = False,
    replace: Annotated[
        str | None,
        typer.Option(
            "--replace",
            help="Văn bản này thay cho kế hoạch đã nhập (ID, khóa hoặc số).",
            metavar="KẾ_HOẠCH",
        ),
    ] = None,
    new: Annotated[
        bool, typer.Option("--new", help="Là kế hoạch mới, dù giống một kế hoạch đã nhập.")
    ] = False,
) -> None:
    """Đọc kế hoạch, đối chiếu tên cơ quan với danh bạ, tạo hoặc cập nhật nhiệm vụ và thời hạn."""
    from notifier.plans.importer import default_until
    from notifier.plans.parse import parse_plan_file
    from notifier.plans.plan_policy import load_plan_settings
    from notifier.services.plans import ImportRequest, import_plan

    st = state(ctx)
    runtime = st.runtime()
    parsed = parse_plan_file(file, until=_iso_date(until, "--until"))
    settings = load_plan_settings(file, runtime.policy)
    now = st.clock.now()
    limit = _iso_date(until, "--until") or default_until(parsed, now)
    with Session(runtime.engine) as session:
        target = plan_key(session, replace)
    request = ImportRequest(
        parsed, str(file), settings, limit, replace=target, new=new, allow_empty=allow_empty
    )
    report = import_plan(runtime, request, now, dry_run=dry_run)
    verb = "Kiểm tra (không ghi)" if dry_run else ("Đã tạo" if report.created else "Đã cập nhật")
    console.print(f"{verb} kế hoạch [bold]{report.plan_key}[/]: {len(parsed.tasks)} nhiệm vụ.")
    if settings.path is not None:
        console.print(f"  cài đặt riêng của kế hoạch: {settings.path}")
    if report.tasks_added or report.tasks_removed:
        console.print(
            f"  nhiệm vụ mới: {', '.join(report.tasks_added) or '-'}; "
            f"bỏ: {', '.join(report.tasks_removed) or '-'}"
        )
    console.print(f"  hạn mới: {report.deadlines_added}; hạn hủy: {report.deadlines_cancelled}")
    for moved in report.deadlines_moved:
        console.print(f"  đổi hạn {moved}")
    for warning in report.warnings:
        console.print(f"[yellow]Cảnh báo:[/] {warning}")


@plan_app.command("list")
def plan_list(ctx: typer.Context, as_json: Json = False) -> None:
    """Các kế hoạch đã nhập: số nhiệm vụ và số thời hạn đang theo dõi."""
    from notifier.store.models import Deadline, Plan, Task

    with Session(state(ctx).ready_engine()) as session:
        plans = session.exec(select(Plan).order_by(col(Plan.id))).all()
        items: list[dict[str, Any]] = []
        for plan in plans:
            tasks = session.exec(select(Task).where(Task.plan_id == plan.id, Task.active)).all()
            ids = [t.id for t in tasks]
            open_ = session.exec(
                select(Deadline).where(
                    col(Deadline.task_id).in_(ids), Deadline.status == DeadlineStatus.OPEN
                )
            ).all()
            items.append(
                {
                    "id": plan.id,
                    "key": plan.key,
                    "number": plan.number,
                    "date": plan.plan_date,
                    "title": plan.title,
                    "status": plan.status,
                    "tasks": len(tasks),
                    "open_deadlines": len(open_),
                }
            )
    if as_json:
        print_json(items)
        return
    rows = [
        [i["id"], i["key"], plan_number(i["number"]), vn_plan_date(i["date"]),
         i["title"][:60], i["tasks"], i["open_deadlines"], PlanStatus(i["status"]).label]
        for i in items
    ]  # fmt: skip
    columns = ["ID", "Khóa", "Số", "Ngày", "Trích yếu", "NV", "Hạn mở", "Trạng thái"]
    console.print(table("Kế hoạch", columns, rows))
    console.print("Chọn kế hoạch trong các lệnh khác bằng --plan ID, --plan KHÓA hoặc --plan SỐ.")


@app.command()
def preview(
    ctx: typer.Context,
    from_: Annotated[str, typer.Option("--from", help=glossary.DAY_FROM)],
    to: Annotated[str, typer.Option("--to", help=glossary.DAY_TO)],
    as_json: Json = False,
    plan: Annotated[str | None, typer.Option(help=glossary.PLAN)] = None,
    task: Annotated[str | None, typer.Option(help=glossary.TASK)] = None,
) -> None:
    """Mọi tin sẽ gửi trong khoảng thời gian, giả sử không ai phản hồi; không gửi tin nào."""
    from notifier.cli import stream
    from notifier.forward import day_window, iter_forward_items

    first, last = date_range(parse_date(from_, "--from"), parse_date(to, "--to"))
    runtime = state(ctx).runtime()
    start, end = day_window(first, last)
    with Session(runtime.engine) as session:
        key = plan_key(session, plan)
        items = iter_forward_items(session, runtime, start, end, plan_key=key, task_ref=task)
    labels: dict[tuple[Any, ...], str] = {}
    if as_json:
        stream.json_texts(_preview_json(i, labels) for i in items)
        return
    lines = (_preview_row(i, labels) for i in items)
    title = f"Dự kiến gửi từ {vn_date(first)} đến {vn_date(last)}"
    with Session(runtime.engine) as session:
        columns = preview_columns(session)
    count = stream.rows(title, columns, lines)
    console.print(f"Tổng cộng: {count} tin.")


def _preview_row(i: PreviewItem, labels: dict[tuple[Any, ...], str]) -> list[str]:
    """One row of the preview listing. Its instants, dates and labels repeat from row to
    row, so each is formatted once (``labels``, kept small: cleared when it grows)."""
    if len(labels) > 4096:
        labels.clear()
    return [
        _once(labels, ("at", i.at), _at_text),
        _once(labels, ("kind", i.kind, i.level), _kind_text),
        i.task,
        i.agency,
        i.person or "—",
        _once(labels, ("channel", i.channel), _channel_text),
        _once(labels, ("role", i.role, i.copy), _role_text),
        _once(labels, ("day", i.deadline), _day_text),
        i.reason,
    ]


def _preview_json(i: PreviewItem, labels: dict[tuple[Any, ...], str]) -> str:
    """``json.dumps(i.to_json(), ensure_ascii=False)`` byte for byte, the instants and
    dates formatted once per distinct value (``labels``, as :func:`_preview_row`)."""
    if len(labels) > 4096:
        labels.clear()
    at = _once(labels, ("iso-at", i.at), _iso_at_text)
    day = _once(labels, ("iso-day", i.deadline), _iso_day_text)
    return (
        f'{{"at": "{at}", "kind": {_q(i.kind)}, "level": {int(i.level)!r}, '
        f'"plan": {_q(i.plan)}, "task": {_q(i.task)}, "agency": {_q(i.agency)}, '
        f'"person": {_q(i.person)}, "channel": {_q(i.channel)}, "role": {_q(i.role)}, '
        f'"deadline": "{day}", "reason": {_q(i.reason)}, "step": {_q(i.step)}, '
        f'"copy": {"true" if i.copy else "false"}}}'
    )


def _iso_at_text(key: tuple[Any, ...]) -> str:
    return str(key[1].astimezone(VN_TZ).isoformat())


def _iso_day_text(key: tuple[Any, ...]) -> str:
    return str(key[1].isoformat())


def _once(
    labels: dict[tuple[Any, ...], str],
    key: tuple[Any, ...],
    text: Callable[[tuple[Any, ...]], str],
) -> str:
    found = labels.get(key)
    if found is None:
        found = labels[key] = text(key)
    return found


def _at_text(key: tuple[Any, ...]) -> str:
    return vn_date_time(key[1])


def _kind_text(key: tuple[Any, ...]) -> str:
    return kind_label(key[1]) + (f" cấp {key[2]}" if key[2] else "")


def _channel_text(key: tuple[Any, ...]) -> str:
    return channel_label(key[1]) if key[1] else "—"


def _role_text(key: tuple[Any, ...]) -> str:
    return capfirst(key[1].label) + (" (đồng gửi)" if key[2] else "")


def _day_text(key: tuple[Any, ...]) -> str:
    return vn_date(key[1])


def preview_columns(session: Session) -> list[tuple[str, int]]:
    """The preview listing's columns, each as wide as the longest text it can hold (the
    labels of every kind, channel and role; the directory's codes and keys; the tasks'
    refs), so that rows written as they come stay aligned; the reason takes its text's."""
    from sqlalchemy import func

    from notifier.store.models import Agency, Person, Task

    def longest(column: Any) -> int:
        return int(session.exec(select(func.max(func.length(column)))).one() or 0)

    roles = (_role_text(("role", role, True)) for role in Role)
    return [
        ("Lúc", len(vn_date_time(datetime(2024, 12, 31, 23, 59, tzinfo=VN_TZ)))),
        ("Loại", max(len(_kind_text(("kind", kind, 0))) for kind in MessageKind)),
        ("NV", max(2, longest(Task.ref))),
        ("Cơ quan", max(7, longest(Agency.code))),
        ("Người", max(5, longest(Person.key))),
        ("Kênh", max(len(_channel_text(("channel", name))) for name in ChannelName)),
        ("Vai trò", max(len(text) for text in roles)),
        ("Hạn", len(vn_date(date(2024, 12, 31)))),
        ("Lý do", 0),
    ]
