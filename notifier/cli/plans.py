"""``notifier plan parse|import|list`` and ``notifier preview``."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session, col, select

from notifier.cli.app import app
from notifier.cli.common import console, parse_date, plan_key, print_json, state, table
from notifier.clock import VN_TZ
from notifier.textfmt import plan_number, vn_date, vn_date_time, vn_plan_date
from notifier.vocab import DeadlineStatus, PlanStatus

plan_app = typer.Typer(no_args_is_help=True, help="Plans: read documents, import, list.")
app.add_typer(plan_app, name="plan")

Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _iso_date(value: str | None, option: str) -> date | None:
    return None if value is None else parse_date(value, option)


@plan_app.command("parse")
def plan_parse(
    file: Annotated[Path, typer.Argument(help="Plan document: .md, .txt, .docx or .pdf")],
    as_json: Json = False,
    until: Annotated[str | None, typer.Option(help="Expand due dates up to YYYY-MM-DD.")] = None,
) -> None:
    """Read a plan and show what was understood; touches no database."""
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
    file: Annotated[Path, typer.Argument(help="Plan document: .md, .txt, .docx or .pdf")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; write nothing.")] = False,
    until: Annotated[str | None, typer.Option(help="Create deadlines up to YYYY-MM-DD.")] = None,
    allow_empty: Annotated[
        bool, typer.Option("--allow-empty", help="Import even when no task is found.")
    ] = False,
    replace: Annotated[
        str | None,
        typer.Option(
            "--replace",
            help="This document replaces that plan (key, number or id).",
            metavar="PLAN",
        ),
    ] = None,
    new: Annotated[
        bool, typer.Option("--new", help="A new plan even if it looks like an imported one.")
    ] = False,
) -> None:
    """Parse a plan, resolve its agencies and create or update its tasks and deadlines."""
    from notifier.plans.acceptance import check_importable
    from notifier.plans.importer import PlanImporter, default_until
    from notifier.plans.parse import parse_plan_file
    from notifier.plans.plan_policy import load_plan_settings

    st = state(ctx)
    runtime = st.runtime()
    parsed = parse_plan_file(file, until=_iso_date(until, "--until"))
    check_importable(parsed, allow_empty=allow_empty)
    settings = load_plan_settings(file, runtime.policy)
    now = st.clock.now()
    limit = _iso_date(until, "--until") or default_until(parsed, now)
    with Session(runtime.engine, expire_on_commit=False) as session:
        target = plan_key(session, replace)
        importer = PlanImporter(session, runtime.calendar, runtime.policy, now, settings)
        report = importer.run(parsed, str(file), limit, replace=target, new=new)
        if dry_run:
            session.rollback()
        else:
            session.commit()
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
    """Imported plans with their number of tasks and open deadlines."""
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
    from_: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    to: Annotated[str, typer.Option("--to", help="Last day (included), YYYY-MM-DD.")],
    as_json: Json = False,
    plan: Annotated[
        str | None, typer.Option(help="Chỉ kế hoạch này: ID, khóa hoặc số (xem plan list).")
    ] = None,
    task: Annotated[str | None, typer.Option(help="Only this task (reference, e.g. II.1).")] = None,
) -> None:
    """Every message the policy would send in the window, assuming nobody answers; sends nothing."""
    from datetime import timedelta

    from notifier.cli import stream
    from notifier.domain.preview import iter_preview as compute
    from notifier.store.facts import load_occurrences, load_people
    from notifier.store.outbox import configured_channels

    first, last = _iso_date(from_, "--from"), _iso_date(to, "--to")
    assert first is not None and last is not None
    runtime = state(ctx).runtime()
    with Session(runtime.engine) as session:
        key = plan_key(session, plan)
        occurrences = load_occurrences(session, runtime.policy, plan_key=key, task_ref=task)
        people = load_people(session, configured_channels(runtime.settings))
    start = datetime.combine(first, time(0), VN_TZ)
    end = datetime.combine(last + timedelta(days=1), time(0), VN_TZ)
    occ = [o.preview() for o in occurrences]
    del occurrences
    items = compute(occ, people, runtime.calendar, start, end, digest_policy=runtime.policy)
    if as_json:
        stream.json_array(i.to_json() for i in items)
        return
    lines = (
        [
            vn_date_time(i.at),
            i.kind.value + (f" {i.level}" if i.level else ""),
            i.task,
            i.agency,
            i.person or "—",
            i.channel or "—",
            i.role.value + (" (đồng gửi)" if i.copy else ""),
            vn_date(i.deadline),
            i.reason,
        ]
        for i in items
    )
    title = f"Dự kiến gửi từ {vn_date(first)} đến {vn_date(last)}"
    count = stream.rows(title, PREVIEW_COLUMNS, lines)
    console.print(f"Tổng cộng: {count} tin.")


# Column widths of the preview listing (the last column, the reason, takes its text's).
PREVIEW_COLUMNS = (
    ("Lúc", 15), ("Loại", 12), ("NV", 8), ("Cơ quan", 20), ("Người", 26), ("Kênh", 8),
    ("Vai trò", 24), ("Hạn", 10), ("Lý do", 0),
)  # fmt: skip
